"""The complete schema: importing this module registers every table on `metadata`."""

from sqlmodel import SQLModel

from . import agencies, audit, identity, inbox, timeline  # noqa: F401  (registers tables)

metadata = SQLModel.metadata
