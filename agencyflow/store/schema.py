"""The complete schema: importing this module registers every table on `metadata`."""

from sqlmodel import SQLModel

from . import audit, identity, inbox  # noqa: F401  (registers their tables)

metadata = SQLModel.metadata
