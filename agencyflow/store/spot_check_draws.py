"""Each county's half-yearly spot-check draws, kept whole: the seed, the rules, every
candidate as the draw saw it, and what it drew, so that anyone can draw again and compare."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, UniqueConstraint
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.credit import CreditGrade
from agencyflow.domain.project import ProjectStage
from agencyflow.domain.sampling import Candidate, Draw, SamplingRules

from .agencies import AgencyRow
from .engine import transaction
from .projects import ProjectRow
from .types import UtcDateTime


class SpotCheckDrawRow(SQLModel, table=True):
    __tablename__ = "spot_check_draw"
    __table_args__ = (UniqueConstraint("county_code", "period", name="uq_spot_check_draw"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    period: str = Field(max_length=6)
    seed: str = Field(max_length=64)
    rules: dict[str, Any] = Field(sa_type=JSON)
    candidates: list[dict[str, Any]] = Field(sa_type=JSON)
    drawn: list[str] = Field(sa_type=JSON)
    reasons: dict[str, str] = Field(sa_type=JSON)
    target: int
    drawn_by: str = Field(max_length=250)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class RecordedDraw(SQLModel):
    county_code: str
    period: str
    seed: str
    rules: SamplingRules
    candidates: list[Candidate]
    result: Draw
    drawn_by: str
    created_at: dt.datetime


def candidates(
    engine: Engine, county_code: str, start: dt.datetime, end: dt.datetime, initial: CreditGrade
) -> list[Candidate]:
    """The county's reports uploaded in [start, end), with their agencies' grades now."""
    with transaction(engine) as session:
        rows = session.exec(
            select(ProjectRow, AgencyRow.credit_grade)
            .join(AgencyRow, col(AgencyRow.uscc) == col(ProjectRow.agency_uscc), isouter=True)
            .where(
                ProjectRow.county_code == county_code,
                col(ProjectRow.stage).in_(
                    [ProjectStage.SPOT_CHECK.value, ProjectStage.CLOSED.value]
                ),
            )
        ).all()
    found = []
    for project, grade in rows:
        report = project.progress.get("report")
        if report is None:
            continue
        uploaded = dt.datetime.fromisoformat(report["uploaded_at"])
        if start <= uploaded < end:
            found.append(
                Candidate.model_validate(
                    {
                        "project_id": project.project_id,
                        "agency_uscc": project.agency_uscc,
                        "service_type": project.service_type,
                        "grade": grade or initial.value,
                    }
                )
            )
    return found


def record(engine: Engine, draw: RecordedDraw) -> RecordedDraw:
    """Keep the draw; a county's half year is drawn once: the kept one is returned if any."""
    with transaction(engine) as session:
        kept = session.exec(
            select(SpotCheckDrawRow).where(
                SpotCheckDrawRow.county_code == draw.county_code,
                SpotCheckDrawRow.period == draw.period,
            )
        ).first()
        if kept is not None:
            return _recorded(kept)
        session.add(
            SpotCheckDrawRow(
                county_code=draw.county_code,
                period=draw.period,
                seed=draw.seed,
                rules=draw.rules.model_dump(mode="json"),
                candidates=[c.model_dump(mode="json") for c in draw.candidates],
                drawn=draw.result.drawn,
                reasons=draw.result.reasons,
                target=draw.result.target,
                drawn_by=draw.drawn_by,
                created_at=draw.created_at,
            )
        )
    return draw


def get(engine: Engine, county_code: str, period: str) -> RecordedDraw | None:
    with transaction(engine) as session:
        row = session.exec(
            select(SpotCheckDrawRow).where(
                SpotCheckDrawRow.county_code == county_code, SpotCheckDrawRow.period == period
            )
        ).first()
        return _recorded(row) if row is not None else None


def _recorded(row: SpotCheckDrawRow) -> RecordedDraw:
    return RecordedDraw(
        county_code=row.county_code,
        period=row.period,
        seed=row.seed,
        rules=SamplingRules.model_validate(row.rules),
        candidates=[Candidate.model_validate(c) for c in row.candidates],
        result=Draw(drawn=row.drawn, reasons=row.reasons, target=row.target),
        drawn_by=row.drawn_by,
        created_at=row.created_at,
    )
