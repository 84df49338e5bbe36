"""On-site verification with consequences (issue 12, point 3; R9): a non-conforming one puts
the agency under rectification; unmet by the deadline, it is suspended; a conforming one
clears the finding and restores it."""

import datetime as dt

import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.domain.agency import AgencyStatus
from agencyflow.store import agencies
from agencyflow.workflows import changes
from agencyflow.workflows.agency.models import Decision, Verification
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from tests.factories import facts, fresh_agency, uscc
from tests.histories import keep_history
from tests.waiting import eventually
from tests.workflows.agency_helpers import (
    COUNTY,
    OTHER_COUNTY,
    Agencies,
    open_items,
    timeline_kinds,
)
from tests.workflows.temporal_helpers import refusal, server_today


def _verification(on: dt.date, conforming: bool, findings: str) -> Verification:
    return Verification(actor=COUNTY, verified_on=on, conforming=conforming, findings=findings)


async def test_a_nonconforming_verification_unmet_ends_in_suspension(
    agencies_: Agencies, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    a = fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    today = await server_today(time_skipping_env)

    found = await agencies_.step(
        handle,
        AgencyWorkflow.record_verification,
        _verification(today, False, "质量控制体系未运行，档案不全"),
    )
    assert found.status is AgencyStatus.RECTIFICATION_REQUIRED
    assert found.rectification_due_at is not None
    assert found.last_verified_on == today
    assert [v.code for v in found.violations] == ["verification.nonconforming"]
    assert "档案不全" in found.violations[0].message
    assert "rectification.required" in open_items(engine, uscc(a))

    await time_skipping_env.sleep(dt.timedelta(days=31))
    await eventually(lambda: "agency.suspended" in open_items(engine, uscc(a)))
    assert agencies.get(engine, uscc(a)).status is AgencyStatus.SUSPENDED  # type: ignore[union-attr]
    # Reinstating needs the finding cleared first: a conforming verification.
    early = await refusal(handle.execute_update(AgencyWorkflow.reinstate, Decision(actor=COUNTY)))
    assert early.type == "Conflict"
    cleared = await agencies_.step(
        handle,
        AgencyWorkflow.record_verification,
        _verification(today + dt.timedelta(days=31), True, "已整改到位"),
    )
    assert cleared.status is AgencyStatus.SUSPENDED
    assert "reinstatement.review" in open_items(engine, uscc(a))
    reinstated = await agencies_.step(handle, AgencyWorkflow.reinstate, Decision(actor=COUNTY))
    assert reinstated.status is AgencyStatus.ACTIVE
    assert timeline_kinds(engine, uscc(a)) == [
        "application.submitted",
        "application.approved",
        "verification.recorded",
        "status.rectification_required",
        "status.suspended",
        "verification.recorded",
        "status.reinstatement_requested",
        "status.reinstated",
    ]
    await keep_history(agencies_.client, handle.id, "verification-suspended")


async def test_a_conforming_reverification_in_time_restores_the_agency(
    agencies_: Agencies, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    a = fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    today = await server_today(time_skipping_env)
    await handle.execute_update(
        AgencyWorkflow.record_verification, _verification(today, False, "无专职技术负责人")
    )
    wrong_county = await refusal(
        handle.execute_update(
            AgencyWorkflow.record_verification,
            Verification(actor=OTHER_COUNTY, verified_on=today, conforming=True, findings="x"),
        )
    )
    assert wrong_county.type == "Forbidden"
    restored = await agencies_.step(
        handle, AgencyWorkflow.record_verification, _verification(today, True, "已整改")
    )
    assert restored.status is AgencyStatus.ACTIVE
    assert restored.violations == [] and restored.rectification_due_at is None
    assert open_items(engine, uscc(a)) == {}
    await keep_history(agencies_.client, handle.id, "verification-restored")


async def test_a_run_started_before_the_change_keeps_verifications_as_notes(
    agencies_: Agencies,
    engine: Engine,
    time_skipping_env: WorkflowEnvironment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A run that started before `changes.VERIFICATION_CONSEQUENCES` never asked for it.
    monkeypatch.setattr(changes, "AGENCY", changes.AGENCY - {changes.VERIFICATION_CONSEQUENCES})
    a = fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    today = await server_today(time_skipping_env)
    noted = await agencies_.step(
        handle, AgencyWorkflow.record_verification, _verification(today, False, "档案不全")
    )
    assert noted.status is AgencyStatus.ACTIVE and noted.violations == []
    assert timeline_kinds(engine, uscc(a))[-1] == "verification.recorded"
    await keep_history(agencies_.client, handle.id, "verification-note-before-consequences")
