"""PLACEHOLDER for 0016 (inspection campaigns), written on another branch

It does nothing: it keeps this branch's chain (0015 → 0016 → 0017) whole so the branch can
be tested on its own. Drop this file at merge in favour of the real 0016.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
