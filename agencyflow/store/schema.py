"""The complete schema: importing this module registers every table on `metadata`."""

from sqlmodel import SQLModel

from . import (  # noqa: F401  (importing registers their tables)
    agencies,
    audit,
    capability,
    complaints,
    credit,
    files,
    hazards,
    idempotency,
    identity,
    inbox,
    inspections,
    logins,
    notifications,
    outbox,
    projects,
    reform,
    spot_check_draws,
    spot_checks,
    timeline,
)

metadata = SQLModel.metadata
