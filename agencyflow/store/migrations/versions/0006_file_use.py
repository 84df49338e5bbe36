"""file uses: which resource shows which stored file, so that a file is served only to
someone who may see one of them

Uploaded files are kept by content hash and were served to any caller with a token. Now
each file is linked to the resources that use it (``hazards/…``, ``projects/…``) and to
each user who uploaded it (``users/…``). Existing links are derived from the rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

file_use = sa.table("file_use", sa.column("sha256"), sa.column("resource"))


def upgrade() -> None:
    op.create_table(
        "file_use",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("resource", sa.String(300), primary_key=True),
    )
    rows = list(dict.fromkeys(_existing_uses(op.get_bind())))
    if rows:
        op.bulk_insert(file_use, [{"sha256": s, "resource": r} for s, r in rows])


def _existing_uses(bind: sa.Connection) -> Iterator[tuple[str, str]]:
    stored = sa.table("stored_file", sa.column("sha256"), sa.column("uploaded_by_user_id"))
    for sha256, user_id in bind.execute(sa.select(stored.c.sha256, stored.c.uploaded_by_user_id)):
        if user_id is not None:
            yield sha256, f"users/{user_id}"
    hazard = sa.table("hazard", sa.column("hazard_id"), sa.column("report", sa.JSON()))
    for hazard_id, report in bind.execute(sa.select(hazard.c.hazard_id, hazard.c.report)):
        for sha256 in _photos(report or {}):
            yield sha256, f"hazards/{hazard_id}"
    entry = sa.table("hazard_entry", sa.column("hazard_id"), sa.column("data", sa.JSON()))
    for hazard_id, data in bind.execute(sa.select(entry.c.hazard_id, entry.c.data)):
        for sha256 in (data or {}).get("after_photos", []):
            yield sha256, f"hazards/{hazard_id}"
    project = sa.table("project", sa.column("project_id"), sa.column("progress", sa.JSON()))
    for project_id, progress in bind.execute(sa.select(project.c.project_id, project.c.progress)):
        report = (progress or {}).get("report") or {}
        if sha256 := (report.get("file") or {}).get("sha256"):
            yield sha256, f"projects/{project_id}"


def _photos(report: dict[str, Any]) -> list[str]:
    return [*report.get("photos", []), *report.get("example_photos", [])]


def downgrade() -> None:
    op.drop_table("file_use")
