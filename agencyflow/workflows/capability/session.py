"""A capability test session's steps (能力测试, R12): opened by a regulator, its results
recorded once per person, closed with a public warning (通报警示) for each agency whose
people failed."""

import datetime as dt

from agencyflow.domain.capability import ExamResult, PublicWarning
from agencyflow.domain.errors import Conflict
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.workflows.steps import message, require, require_regulator

from .models import (
    MAX_SESSION_RESULTS,
    CapabilityState,
    ResultBatch,
    SessionChange,
    SessionClosing,
    SessionOpening,
    capability_resource,
)

FAILED = "capability.failed"
WARNED = "capability.warning"


def check_opening(state: CapabilityState, opening: SessionOpening) -> None:
    require_regulator(opening.actor, opening.session.county_code, "session")
    require(
        state.session is None,
        Conflict(
            f"session {opening.session.session_id} exists already",
            code="capability.session_exists",
        ),
    )


def open_session(
    draft: CapabilityState, opening: SessionOpening, now: dt.datetime
) -> SessionChange:
    session = opening.session
    draft.session, draft.opened_by, draft.opened_at = session, opening.actor.label, now
    return SessionChange(
        kind="capability.opened",
        summary=f"能力测试场次 {session.session_id}：{session.held_on}，{session.level.label}，"
        f"题库 {session.bank_edition}",
        actor=opening.actor,
    )


def _check_running(state: CapabilityState, actor: Actor) -> None:
    assert state.session is not None
    require_regulator(actor, state.session.county_code, "session")
    require(
        state.closed_at is None,
        Conflict("the session is closed", code="capability.closed"),
    )


def check_results(state: CapabilityState, batch: ResultBatch) -> None:
    _check_running(state, batch.actor)
    differ = [
        f"{i}: {r.key}"
        for i, r in enumerate(batch.results)
        if r.key in state.results and state.results[r.key] != r
    ]
    require(
        not differ,
        Conflict(
            "these people have another result in this session already: " + ", ".join(differ),
            code="capability.result_recorded",
        ),
    )
    keys = [r.key for r in batch.results]
    require(
        len(set(keys)) == len(keys),
        Conflict("a person appears twice in the batch", code="capability.result_twice"),
    )
    new = {k for k in keys if k not in state.results}
    require(
        len(state.results) + len(new) <= MAX_SESSION_RESULTS,
        Conflict(
            f"a session tests at most {MAX_SESSION_RESULTS} people",
            code="capability.session_full",
        ),
    )


def record_results(draft: CapabilityState, batch: ResultBatch) -> SessionChange:
    """The results not recorded before (the same result sent again is taken once). Who
    failed leaves the expert pool; their agency is told."""
    assert draft.session is not None
    new = [r for r in batch.results if r.key not in draft.results]
    draft.results.update({r.key: r for r in new})
    failed = [r for r in new if not r.passed]
    return SessionChange(
        kind="capability.results_recorded",
        summary=f"录入能力测试成绩 {len(new)} 人，其中不合格 {len(failed)} 人",
        actor=batch.actor,
        results=new,
        inbox=_failures_told(draft.session.session_id, failed),
    )


def _failures_told(session_id: str, failed: list[ExamResult]) -> InboxChanges:
    by_agency: dict[str, list[str]] = {}
    for result in failed:
        by_agency.setdefault(result.agency_uscc, []).append(result.professional_id)
    return InboxChanges(
        send=[
            message(
                capability_resource(session_id),
                FAILED,
                Addressee.agency(uscc),
                f"能力测试 {session_id} 不合格：{'、'.join(ids)}，已退出应急管理专家库",
            )
            for uscc, ids in by_agency.items()
        ]
    )


def check_closing(state: CapabilityState, closing: SessionClosing) -> None:
    _check_running(state, closing.actor)


def close(draft: CapabilityState, closing: SessionClosing, now: dt.datetime) -> SessionChange:
    """A public warning for each agency with people who failed."""
    assert draft.session is not None
    session = draft.session
    draft.closed_at = now
    failures: dict[str, int] = {}
    for result in draft.results.values():
        if not result.passed:
            failures[result.agency_uscc] = failures.get(result.agency_uscc, 0) + 1
    warnings = [
        PublicWarning(
            agency_uscc=uscc,
            session_id=session.session_id,
            failed=count,
            issued_at=now,
            title=f"通报警示：{count} 名专业技术人员能力测试不合格"
            f"（{session.session_id}，{session.held_on}，{session.level.label}）",
        )
        for uscc, count in sorted(failures.items())
    ]
    resource = capability_resource(session.session_id)
    return SessionChange(
        kind="capability.closed",
        summary=f"能力测试场次结束：{len(draft.results)} 人参加，"
        f"{sum(failures.values())} 人不合格，通报警示 {len(warnings)} 家机构",
        actor=closing.actor,
        warnings=warnings,
        inbox=InboxChanges(
            send=[
                message(resource, WARNED, Addressee.agency(w.agency_uscc), w.title)
                for w in warnings
            ]
        ),
    )
