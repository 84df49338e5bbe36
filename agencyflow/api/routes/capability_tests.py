"""``/capability-tests``: the professionals' capability tests (能力测试, R12).

A regulator opens a session (date, level, the province's question bank edition), records
its results one by one or as an Excel sheet (README, "Capability tests"), and closes it;
each session is a workflow (`CapabilityTestWorkflow`). Who failed leaves the expert pool;
an agency with people who failed is warned publicly at the close. Coverage shows who is
still untested.
"""

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, UploadFile, status
from pydantic import BaseModel, Field
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from agencyflow.api.capability_sheet import ResultRow, read_rows
from agencyflow.api.commands import Commands, unseen
from agencyflow.api.deps import Regulator, own_county
from agencyflow.api.params import CountyQuery, Limit, Offset
from agencyflow.api.schemas.capability import (
    AgencyCoverage,
    Coverage,
    ResultPublic,
    SessionPublic,
    Untested,
)
from agencyflow.api.upload_names import upload_name
from agencyflow.domain.agency import AgencySnapshot, AgencyStatus
from agencyflow.domain.capability import MAX_RESULTS, ExamResult, ExamSession
from agencyflow.domain.errors import Conflict, RuleViolations, Violation
from agencyflow.domain.identity import Actor, may_access
from agencyflow.store import agencies, capability
from agencyflow.workflows.capability.models import (
    CapabilityInput,
    ResultBatch,
    SessionClosing,
    SessionOpening,
    capability_resource,
    capability_workflow_id,
)
from agencyflow.workflows.capability.workflow import CapabilityTestWorkflow

router = APIRouter(prefix="/capability-tests", tags=["capability tests"])

SessionIdPath = Annotated[str, Path(max_length=40)]
ADMITTED = tuple(s for s in AgencyStatus if s.is_admitted)


class ResultsBody(BaseModel):
    results: Annotated[list[ResultRow], Field(min_length=1, max_length=MAX_RESULTS)]


class Sessions(Commands):
    async def visible(self, session_id: str, actor: Actor, *, running: bool = False) -> ExamSession:
        """The session, if the caller may see it; ``running``: and it is not closed (its
        workflow has ended: the answer is ours to give)."""
        self.request.state.audit_resource = capability_resource(session_id)
        found = await anyio.to_thread.run_sync(capability.get, self.engine, session_id)
        if found is None or not may_access(actor, county_code=found[0].county_code):
            raise unseen(actor, "capability_test", session_id, missing=found is None)
        if running and found[0].closed_at is not None:
            raise Conflict("the session is closed", code="capability.closed")
        return found[0].model()

    async def answer(self, session_id: str) -> SessionPublic:
        found = await anyio.to_thread.run_sync(capability.get, self.engine, session_id)
        assert found is not None, "an update returned before its record was written"
        row, results = found
        people = await anyio.to_thread.run_sync(
            agencies.get_many, self.engine, sorted({r.agency_uscc for r in results})
        )
        names = {
            (uscc, snapshot.professional_ids[p.id_number]): p.name
            for uscc, snapshot in people.items()
            for p in snapshot.facts.professionals
        }
        session = row.model()
        return SessionPublic(
            **session.model_dump(exclude={"level"}),
            level=session.level,
            level_label=session.level.label,
            opened_by=row.opened_by,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            tested=len(results),
            failed=sum(not r.passed for r in results),
            results=[
                ResultPublic(
                    agency_uscc=r.agency_uscc,
                    professional_id=r.professional_id,
                    # Someone who has left the agency since keeps their result, unnamed.
                    name=names.get((r.agency_uscc, r.professional_id), ""),
                    score=r.score,
                    passed=r.passed,
                )
                for r in results
            ],
        )

    async def results(
        self, rows: list[tuple[str, ResultRow]], session: ExamSession
    ) -> list[ExamResult]:
        """The rows as results of the agencies' people (``where``: how to name a row in an
        error); `RuleViolations` naming every row that is not one of them."""
        usccs = sorted({row.agency_uscc for _, row in rows})
        found = await anyio.to_thread.run_sync(agencies.get_many, self.engine, usccs)
        results: list[ExamResult] = []
        violations: list[Violation] = []
        for where, row in rows:
            agency = found.get(row.agency_uscc)
            problem = _not_theirs(row, agency, session)
            if problem is not None:
                field, code, message = problem
                violations.append(
                    Violation(code=f"capability.{code}", field=f"{where}.{field}", message=message)
                )
            elif agency is not None:
                results.append(
                    ExamResult(
                        agency_uscc=agency.uscc,
                        professional_id=agency.professional_ids[row.id_number],
                        score=row.score,
                        passed=row.passed,
                    )
                )
        if violations:
            raise RuleViolations(violations)
        return results

    async def record(
        self, session_id: str, rows: list[tuple[str, ResultRow]], actor: Actor
    ) -> SessionPublic:
        session = await self.visible(session_id, actor, running=True)
        batch = ResultBatch(actor=actor, results=await self.results(rows, session))
        workflow_id = capability_workflow_id(session_id)
        await self.send(workflow_id, CapabilityTestWorkflow.record_results, batch, actor)
        return await self.answer(session_id)


def _not_theirs(
    row: ResultRow, agency: AgencySnapshot | None, session: ExamSession
) -> tuple[str, str, str] | None:
    """Why the row is not a person of an agency this session tests: (field, code, message)."""
    if agency is None or not agency.status.is_admitted:
        return ("agency_uscc", "unknown_agency", f"no admitted agency {row.agency_uscc}")
    if session.county_code and agency.jurisdiction_code != session.county_code:
        return ("agency_uscc", "agency_elsewhere", "the agency is in another county")
    person = next((p for p in agency.facts.professionals if p.id_number == row.id_number), None)
    if person is None:
        return ("id_number", "unknown_person", "the agency lists nobody with this ID number")
    if person.name != row.name:
        return ("name", "name_mismatch", f"the agency lists this person as {person.name}")
    return None


Service = Annotated[Sessions, Depends(Sessions)]


@router.post("", name="capability.open", status_code=status.HTTP_201_CREATED)
async def open_session(session: ExamSession, actor: Regulator, service: Service) -> SessionPublic:
    """Open a session: a county's regulator for its county, the city's for the city."""
    service.request.state.audit_resource = capability_resource(session.session_id)
    start = WithStartWorkflowOperation(
        CapabilityTestWorkflow.run,
        CapabilityInput(session_id=session.session_id, limits=service.settings.history_limits()),
        id=capability_workflow_id(session.session_id),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        task_queue=service.settings.temporal_task_queue,
    )
    opening = SessionOpening(actor=actor, session=session)
    try:
        await service.start(CapabilityTestWorkflow.open, opening, actor, start)
    except WorkflowAlreadyStartedError:  # closed, its workflow ended: the id stays taken
        raise Conflict(
            f"session {session.session_id} exists already", code="capability.session_exists"
        ) from None
    return await service.answer(session.session_id)


@router.get("/coverage", name="capability.coverage")
async def coverage(
    actor: Regulator,
    service: Service,
    county: CountyQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Coverage:
    """Who has been tested and who not yet, per agency, with the county's totals."""
    county = own_county(actor, county)
    engine = service.engine

    def read() -> tuple[dict[str, list[str]], int, list[Any], dict[str, set[str]]]:
        everyone = agencies.professional_ids_in(engine, county, ADMITTED)
        total, page = agencies.search(
            engine, jurisdiction_code=county, statuses=ADMITTED, limit=limit, offset=offset
        )
        return everyone, total, page, capability.tested_of(engine, list(everyone))

    everyone, total, page, tested = await anyio.to_thread.run_sync(read)
    items = []
    for snapshot in page:
        done = tested.get(snapshot.uscc, set())
        items.append(
            AgencyCoverage(
                uscc=snapshot.uscc,
                legal_name=snapshot.facts.legal_name,
                professionals=len(snapshot.facts.professionals),
                tested=sum(pid in done for pid in snapshot.professional_ids.values()),
                untested=[
                    Untested(professional_id=snapshot.professional_ids[p.id_number], name=p.name)
                    for p in snapshot.facts.professionals
                    if snapshot.professional_ids[p.id_number] not in done
                ],
            )
        )
    counted = {u: sum(pid in tested.get(u, set()) for pid in ids) for u, ids in everyone.items()}
    return Coverage(
        county_code=county,
        professionals=sum(len(ids) for ids in everyone.values()),
        tested=sum(counted.values()),
        agencies=len(everyone),
        fully_tested_agencies=sum(counted[u] == len(ids) for u, ids in everyone.items()),
        items=items,
        total=total,
    )


@router.get("/{session_id}", name="capability.show")
async def show(session_id: SessionIdPath, actor: Regulator, service: Service) -> SessionPublic:
    await service.visible(session_id, actor)
    return await service.answer(session_id)


@router.post("/{session_id}/results", name="capability.record")
async def record_results(
    session_id: SessionIdPath, body: ResultsBody, actor: Regulator, service: Service
) -> SessionPublic:
    """Results by agency, ID number and name; all or nothing, each person once."""
    rows = [(f"results.{i}", row) for i, row in enumerate(body.results)]
    return await service.record(session_id, rows, actor)


@router.post("/{session_id}/results.xlsx", name="capability.import")
async def import_results(
    session_id: SessionIdPath, file: UploadFile, actor: Regulator, service: Service
) -> SessionPublic:
    """The results as an Excel sheet in the documented layout; rows that fail validation are
    named by their row number, and then nothing is imported."""
    await service.visible(session_id, actor, running=True)
    upload_name(file.filename, "")  # not kept, but checked as on every upload
    # A sheet of 500 people is some 30 kB: it is held to the limit of a request's body, not
    # to that of a file, so that no workbook unpacks to more than a sheet would.
    limit = service.settings.request_max_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise RuleViolations(
            [Violation(code="file.too_large", field="file", message=f"over {limit} bytes")]
        )
    sheet = await anyio.to_thread.run_sync(read_rows, content)
    return await service.record(session_id, [(f"rows.{n}", row) for n, row in sheet], actor)


@router.post("/{session_id}/close", name="capability.close")
async def close(session_id: SessionIdPath, actor: Regulator, service: Service) -> SessionPublic:
    """No more results; each agency with people who failed is warned publicly (通报警示)."""
    await service.visible(session_id, actor, running=True)
    closing = SessionClosing(actor=actor)
    await service.send(
        capability_workflow_id(session_id), CapabilityTestWorkflow.close, closing, actor
    )
    return await service.answer(session_id)
