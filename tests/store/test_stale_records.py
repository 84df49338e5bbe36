"""A row takes a step only if the step is newer: late and repeated attempts change nothing.

Runs on SQLite, and on PostgreSQL when ``AGENCYFLOW_TEST_DATABASE_URL`` is set (CI sets it).
"""

import datetime as dt

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencyFacts, AgencyStatus
from agencyflow.domain.hazard import HazardEntry, HazardProgress, HazardReport, HazardStatus
from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage, InboxWithdrawal
from agencyflow.domain.project import (
    FilingStatus,
    PracticeNotification,
    ProjectProgress,
    ProjectRequest,
    ProjectStage,
    Visit,
    VisitActivity,
)
from agencyflow.domain.records import (
    AgencyRecord,
    HazardStepRecord,
    ProjectOpening,
    ProjectRecord,
)
from agencyflow.domain.timeline import TimelineEntry
from agencyflow.store import agencies, hazards, projects
from agencyflow.store.inbox import InboxItemRow
from agencyflow.store.projects import VisitRow
from agencyflow.store.timeline import TimelineRow
from agencyflow.workflows.hazard.found import new_hazard
from agencyflow.workflows.steps import Context
from tests.factories import agency_snapshot, facts, hazard, project_request
from tests.workflows.agency_helpers import agency_actor

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
PID = "91331102MA0000001X-000000000001"
RESOURCE = f"projects/{PID}"


def _event(seq: int, kind: str) -> TimelineEntry:
    return TimelineEntry(resource=RESOURCE, seq=seq, at=NOW, kind=kind, summary=kind, actor="系统")


def _progress(**changes: object) -> ProjectProgress:
    return ProjectProgress(stage=ProjectStage.FILING, updated_at=NOW).model_copy(update=changes)


def _created() -> ProjectRecord:
    request = ProjectRequest.model_validate(project_request())
    agency = agency_snapshot(1)
    return ProjectRecord(
        workflow_id=f"project-{PID}",
        project_id=PID,
        seq=1,
        progress=_progress(),
        opening=ProjectOpening(agency_uscc=agency.uscc, agency_name="机构", created_at=NOW),
        request=request,
        notification=PracticeNotification(
            agency_uscc=agency.uscc,
            agency_name="机构",
            agency_out_of_town=False,
            agency_local_office=None,
            enterprise=request.enterprise,
            service_type=request.service_type,
            content="",
            term_start=None,
            term_end=None,
            staff=[],
        ),
        event=_event(1, "project.created"),
        inbox=InboxChanges(
            send=[
                InboxMessage(
                    resource=RESOURCE,
                    kind="filing.review",
                    addressee=Addressee.county("331102"),
                    title="确认执业告知",
                )
            ]
        ),
    )


def _acknowledged(seq: int) -> ProjectRecord:
    return ProjectRecord(
        workflow_id=f"project-{PID}",
        project_id=PID,
        seq=seq,
        progress=_progress(stage=ProjectStage.PLANNING, filing_status=FilingStatus.ACKNOWLEDGED),
        event=_event(seq, "filing.acknowledged"),
        inbox=InboxChanges(withdraw=[InboxWithdrawal(resource=RESOURCE, kinds=["filing.review"])]),
    )


def _visited(seq: int) -> ProjectRecord:
    return ProjectRecord(
        workflow_id=f"project-{PID}",
        project_id=PID,
        seq=seq,
        progress=_progress(stage=ProjectStage.IN_SERVICE),
        visit=Visit(
            visited_on=NOW.date(),
            present=["p1"],
            activities=[VisitActivity.INSPECTION],
            visit_id="v1",
            recorded_at=NOW,
        ),
        event=_event(seq, "visit.recorded"),
    )


def _count(engine: Engine, table: type, **where: object) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(table)
        for name, value in where.items():
            query = query.where(col(getattr(table, name)) == value)
        return int(session.exec(query).one())


def test_a_late_project_step_never_rolls_the_row_back(engine: Engine) -> None:
    projects.record(engine, _created())
    projects.record(engine, _acknowledged(2))
    projects.record(engine, _visited(3))

    # The acknowledgement's first attempt, arriving late, and the creation again.
    projects.record(engine, _acknowledged(2))
    projects.record(engine, _created())

    shown = projects.get(engine, PID)
    assert shown is not None
    assert shown.stage is ProjectStage.IN_SERVICE  # not rolled back to planning or filing
    assert [v.visit_id for v in shown.visits] == ["v1"]
    # The late creation did not reopen the review its acknowledgement had withdrawn.
    with Session(engine) as session:
        review = session.exec(
            select(InboxItemRow).where(InboxItemRow.kind == "filing.review")
        ).one()
        assert review.status == "withdrawn"
    assert _count(engine, TimelineRow, resource=RESOURCE) == 3


def test_a_repeated_step_writes_once(engine: Engine) -> None:
    projects.record(engine, _created())
    projects.record(engine, _visited(2))
    projects.record(engine, _visited(2))
    assert _count(engine, VisitRow, project_id=PID) == 1
    assert _count(engine, TimelineRow, resource=RESOURCE) == 2


def test_a_step_after_a_lost_number_still_takes(engine: Engine) -> None:
    """A record that failed spends its number; the next step, numbered after it, is taken."""
    projects.record(engine, _created())
    projects.record(engine, _visited(3))  # number 2 was spent by a step that never landed
    shown = projects.get(engine, PID)
    assert shown is not None and shown.stage is ProjectStage.IN_SERVICE


def test_a_late_hazard_step_never_rolls_the_row_back(engine: Engine) -> None:
    projects.record(engine, _created())
    found_hazard = new_hazard(
        f"{PID}-h1",
        HazardReport.model_validate(hazard()),
        project_id=PID,
        agency_uscc=agency_snapshot(1).uscc,
        request=ProjectRequest.model_validate(project_request()),
        visit_id="v1",
        actor=agency_actor(1),
        ctx=Context(now=NOW, policy=Policy()),
    )
    found = found_hazard.record
    projects.record(
        engine,
        _visited(2).model_copy(update={"found": [found], "found_entries": [found_hazard.entry]}),
    )

    def step(seq: int, status: HazardStatus, kind: str) -> HazardStepRecord:
        progress = found.progress().model_copy(update={"seq": seq, "status": status})
        return HazardStepRecord(
            workflow_id=f"hazard-{found.hazard_id}",
            hazard_id=found.hazard_id,
            progress=progress,
            entry=HazardEntry(
                hazard_id=found.hazard_id, seq=seq, at=NOW, kind=kind, summary=kind, actor="系统"
            ),
        )

    hazards.record(engine, step(2, HazardStatus.EVIDENCE_SUBMITTED, "evidence"))
    hazards.record(engine, step(3, HazardStatus.CLOSED, "reinspection"))
    hazards.record(engine, step(2, HazardStatus.EVIDENCE_SUBMITTED, "evidence"))  # late

    shown = hazards.get(engine, found.hazard_id)
    assert shown is not None and shown.status is HazardStatus.CLOSED and shown.seq == 3
    assert [e.kind for e in hazards.entries_of(engine, [found.hazard_id])] == [
        "found",
        "evidence",
        "reinspection",
    ]
    assert HazardProgress.model_validate(shown.progress().model_dump()).seq == 3


def test_a_late_agency_step_never_rolls_the_row_back(engine: Engine) -> None:
    snapshot = agency_snapshot(7)

    def step(seq: int, status: AgencyStatus, kind: str, **parts: object) -> AgencyRecord:
        progress = snapshot.progress().model_copy(update={"status": status})
        return AgencyRecord(
            workflow_id=f"agency-{snapshot.uscc}",
            seq=seq,
            progress=progress,
            events=[
                TimelineEntry(
                    resource=f"agencies/{snapshot.uscc}",
                    seq=seq,
                    at=NOW,
                    kind=kind,
                    summary=kind,
                    actor="系统",
                )
            ],
            **parts,  # type: ignore[arg-type]
        )

    first = step(
        1,
        AgencyStatus.PENDING_REVIEW,
        "application.submitted",
        facts=snapshot.facts,
        professional_ids=snapshot.professional_ids,
    )
    agencies.record(engine, first)
    agencies.record(engine, step(2, AgencyStatus.ACTIVE, "application.approved"))
    renamed = AgencyFacts.model_validate(facts(7, legal_name="丽水安全技术服务有限公司新名"))
    agencies.record(engine, step(3, AgencyStatus.ACTIVE, "workplace.changed", facts=renamed))
    agencies.record(engine, first)  # the application's first attempt, very late

    shown = agencies.get(engine, snapshot.uscc)
    assert shown is not None
    assert shown.status is AgencyStatus.ACTIVE
    assert shown.facts.legal_name == "丽水安全技术服务有限公司新名"
    assert _count(engine, TimelineRow, resource=f"agencies/{snapshot.uscc}") == 3
