"""AgencyWorkflow on the time-skipping server: review, escalation, monitoring, affiliation."""

import datetime as dt

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencyStatus, Certificate
from agencyflow.domain.calendar import CHINA_TZ, working_days_deadline
from agencyflow.domain.qualifications import CertificateKind
from agencyflow.store import agencies
from agencyflow.workflows.agency.models import (
    AffiliationSuspected,
    AgencyInput,
    CertificatesRenewed,
    Decision,
    NewProfessional,
    ProfessionalLeaves,
)
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from tests.factories import facts, fresh_agency, id_number, professional, uscc
from tests.histories import keep_history
from tests.waiting import eventually
from tests.workflows.agency_helpers import (
    CITY,
    COUNTY,
    OTHER_COUNTY,
    Agencies,
    agency_actor,
    open_items,
    timeline_kinds,
)
from tests.workflows.temporal_helpers import refusal, server_today


async def test_approved_application_becomes_active_and_clears_the_review_item(
    agencies_: Agencies, engine: Engine
) -> None:
    a = fresh_agency()
    handle, snapshot = await agencies_.submit(facts(a))
    assert snapshot.status is AgencyStatus.PENDING_REVIEW
    assert snapshot.professional_ids[id_number(1)] == "p1"
    review = open_items(engine, uscc(a))["application.review"]
    assert (review.role, review.scope_id) == ("county_regulator", "331102")
    assert review.due_at == snapshot.review_due_at

    approved = await agencies_.step(handle, AgencyWorkflow.approve, Decision(actor=COUNTY))

    assert approved.status is AgencyStatus.ACTIVE
    assert open_items(engine, uscc(a)) == {}
    assert agencies.get(engine, uscc(a)).status is AgencyStatus.ACTIVE  # type: ignore[union-attr]
    assert timeline_kinds(engine, uscc(a)) == ["application.submitted", "application.approved"]


async def test_returned_application_is_corrected_and_resubmitted(
    agencies_: Agencies, engine: Engine
) -> None:
    a = fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    returned = await agencies_.step(
        handle,
        AgencyWorkflow.return_application,
        Decision(actor=COUNTY, reasons=["营业执照复印件不清晰"]),
    )
    assert returned.status is AgencyStatus.RETURNED
    assert returned.returned_reasons == ["营业执照复印件不清晰"]
    assert set(open_items(engine, uscc(a))) == {"application.returned"}

    _, again = await agencies_.submit(facts(a, workplace_area_m2=150))

    assert again.status is AgencyStatus.PENDING_REVIEW
    assert again.facts.workplace_area_m2 == 150
    assert set(open_items(engine, uscc(a))) == {"application.review"}
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    assert timeline_kinds(engine, uscc(a)) == [
        "application.submitted",
        "application.returned",
        "application.resubmitted",
        "application.approved",
    ]
    await keep_history(agencies_.client, handle.id, "returned-resubmitted")


async def test_rejected_application_frees_its_people_for_other_agencies(
    agencies_: Agencies, engine: Engine
) -> None:
    a, b = fresh_agency(), fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    rejected = await agencies_.step(
        handle, AgencyWorkflow.reject, Decision(actor=COUNTY, reasons=["提供虚假材料"])
    )
    assert rejected.status is AgencyStatus.REJECTED
    assert open_items(engine, uscc(a)) == {}
    # The same five people, now full-time at agency 2: no conflict once agency 1 was rejected.
    _, other = await agencies_.submit(facts(b))
    assert other.status is AgencyStatus.PENDING_REVIEW
    await keep_history(agencies_.client, handle.id, "rejected")


async def test_decisions_need_reasons_the_right_regulator_and_the_right_moment(
    agencies_: Agencies,
) -> None:
    a = fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    no_reason = await refusal(
        handle.execute_update(AgencyWorkflow.return_application, Decision(actor=COUNTY))
    )
    assert no_reason.type == "RuleViolations"
    outside = await refusal(
        handle.execute_update(AgencyWorkflow.approve, Decision(actor=OTHER_COUNTY))
    )
    assert outside.type == "Forbidden"
    agency = await refusal(
        handle.execute_update(AgencyWorkflow.approve, Decision(actor=agency_actor(a)))
    )
    assert agency.type == "Forbidden"
    twice = await refusal(agencies_.submit(facts(a)))
    assert twice.type == "Conflict"

    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=CITY))
    again = await refusal(handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY)))
    assert again.type == "Conflict"
    assert "not awaiting review" in str(again)


async def test_unanswered_application_escalates_to_the_city_after_the_working_days(
    agencies_: Agencies, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    a = fresh_agency()
    before = await time_skipping_env.get_current_time()
    handle, snapshot = await agencies_.submit(facts(a))
    assert snapshot.review_due_at is not None
    submitted = await time_skipping_env.get_current_time()
    # The end of the fifth working day after the day it came in (China's calendar).
    assert snapshot.review_due_at in {
        working_days_deadline(before, 5),
        working_days_deadline(submitted, 5),  # in case midnight passed meanwhile
    }
    assert snapshot.review_due_at - submitted >= dt.timedelta(days=5)
    assert snapshot.review_due_at.astimezone(CHINA_TZ).time() == dt.time(0, 0)

    await time_skipping_env.sleep(snapshot.review_due_at - submitted - dt.timedelta(hours=1))
    assert "application.escalated" not in open_items(engine, uscc(a))

    await time_skipping_env.sleep(dt.timedelta(hours=2))
    await eventually(lambda: "application.escalated" in open_items(engine, uscc(a)))
    escalated = open_items(engine, uscc(a))["application.escalated"]
    assert (escalated.role, escalated.scope_kind) == ("city_regulator", "city")
    assert "application.review" in open_items(engine, uscc(a))  # still the county's to do

    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=CITY))
    assert open_items(engine, uscc(a)) == {}
    await keep_history(agencies_.client, handle.id, "review-escalated")


async def test_expiring_certificate_rectification_suspension_and_reinstatement(
    agencies_: Agencies, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    a = fresh_agency()
    today = await server_today(time_skipping_env)
    application = facts(a, professionals=4)
    application["professionals"].append(professional(5, valid_until=today + dt.timedelta(days=40)))
    handle, _ = await agencies_.submit(application)
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    reminder = "certificate.expiring.p5.CERT-0005"

    # 30 days before expiry the agency is reminded.
    await time_skipping_env.sleep(dt.timedelta(days=12))
    await eventually(lambda: reminder in open_items(engine, uscc(a)))

    # On expiry the checks re-run: four qualifying people are too few.
    await time_skipping_env.sleep(dt.timedelta(days=30))
    await eventually(lambda: "rectification.required" in open_items(engine, uscc(a)))
    snapshot = agencies.get(engine, uscc(a))
    assert snapshot is not None
    assert snapshot.status is AgencyStatus.RECTIFICATION_REQUIRED
    assert [v.code for v in snapshot.violations] == ["admission.too_few_professionals"]
    notice = open_items(engine, uscc(a))["rectification.notice"]
    assert (notice.role, notice.scope_id) == ("county_regulator", "331102")

    # Not restored within 30 days: suspended.
    await time_skipping_env.sleep(dt.timedelta(days=31))
    await eventually(lambda: "agency.suspended" in open_items(engine, uscc(a)))
    assert agencies.get(engine, uscc(a)).status is AgencyStatus.SUSPENDED  # type: ignore[union-attr]
    assert "rectification.required" not in open_items(engine, uscc(a))

    too_early = await refusal(
        handle.execute_update(AgencyWorkflow.reinstate, Decision(actor=COUNTY))
    )
    assert too_early.type == "Conflict"

    renewed = Certificate(
        kind=CertificateKind.REGISTERED_SAFETY_ENGINEER,
        number="CERT-0005-R",
        valid_until=today + dt.timedelta(days=1000),
    )
    after = await agencies_.step(
        handle,
        AgencyWorkflow.renew_certificates,
        CertificatesRenewed(actor=agency_actor(a), professional_id="p5", certificates=[renewed]),
    )
    assert after.status is AgencyStatus.SUSPENDED  # meeting the rules again is not enough…
    assert "reinstatement.review" in open_items(engine, uscc(a))
    assert reminder not in open_items(engine, uscc(a))

    reinstated = await agencies_.step(handle, AgencyWorkflow.reinstate, Decision(actor=COUNTY))
    assert reinstated.status is AgencyStatus.ACTIVE  # …until a regulator reinstates it
    assert open_items(engine, uscc(a)) == {}
    assert timeline_kinds(engine, uscc(a)) == [
        "application.submitted",
        "application.approved",
        "certificate.expiring",
        "certificate.expired",
        "status.rectification_required",
        "status.suspended",
        "professional.certificates_renewed",
        "status.reinstatement_requested",
        "status.reinstated",
    ]
    await keep_history(agencies_.client, handle.id, "suspended-reinstated")


async def test_restored_in_time_the_agency_is_active_again(
    agencies_: Agencies, engine: Engine
) -> None:
    a = fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    left = await agencies_.step(
        handle,
        AgencyWorkflow.remove_professional,
        ProfessionalLeaves(actor=agency_actor(a), professional_id="p3"),
    )
    assert left.status is AgencyStatus.RECTIFICATION_REQUIRED
    assert left.rectification_due_at is not None

    joined = await agencies_.step(
        handle,
        AgencyWorkflow.add_professional,
        NewProfessional(
            actor=agency_actor(a),
            professional=professional(6),  # type: ignore[arg-type]
        ),
    )
    assert joined.status is AgencyStatus.ACTIVE
    assert joined.professional_ids[id_number(6)] == "p6"
    assert open_items(engine, uscc(a)) == {}
    await keep_history(agencies_.client, handle.id, "restored-in-time")


async def test_a_refused_first_application_leaves_no_agency_behind(
    agencies_: Agencies, engine: Engine
) -> None:
    a = fresh_agency()
    cause = await refusal(agencies_.submit(facts(a, workplace_area_m2=99)))
    assert cause.type == "RuleViolations"
    assert cause.details[0]["violations"][0]["code"] == "admission.area_too_small"
    handle = agencies_.client.get_workflow_handle(f"agency-{uscc(a)}")
    await handle.result()  # the workflow ended by itself
    assert agencies.get(engine, uscc(a)) is None


async def test_a_person_full_time_elsewhere_is_refused_and_both_regulators_are_told(
    agencies_: Agencies, engine: Engine
) -> None:
    a, b = fresh_agency(), fresh_agency()
    first, _ = await agencies_.submit(facts(a))
    await first.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    # Agency 2, in 青田, lists person 1 (full-time at agency 1) among its own full-time staff.
    second = facts(b, first_professional=11, registered_county_code="331121")
    second["professionals"].append(professional(1))

    cause = await refusal(agencies_.submit(second))
    assert cause.type == "Conflict"
    assert cause.details[0]["code"] == "agency.full_time_elsewhere"
    assert id_number(1) not in str(cause)  # only the last four characters
    assert agencies.get(engine, uscc(b)) is None
    await eventually(lambda: len(open_items(engine, uscc(a))) == 2)
    items = open_items(engine, uscc(a))
    assert {(i.role, i.scope_id) for i in items.values()} == {
        ("county_regulator", "331102"),
        ("county_regulator", "331121"),
    }
    assert "affiliation.suspected" in timeline_kinds(engine, uscc(a))
    await keep_history(agencies_.client, first.id, "affiliation-suspected")


async def test_a_first_application_refused_for_a_full_time_claim_ends_and_can_be_corrected(
    agencies_: Agencies, engine: Engine
) -> None:
    a, b = fresh_agency(), fresh_agency()
    first, _ = await agencies_.submit(facts(a))
    await first.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    claiming = facts(b, first_professional=11)
    claiming["professionals"].append(professional(1))
    await refusal(agencies_.submit(claiming))
    refused = agencies_.client.get_workflow_handle(f"agency-{uscc(b)}")
    await refused.result()  # nothing was adopted, so nothing is left running

    _, corrected = await agencies_.submit(facts(b, first_professional=11))

    assert corrected.status is AgencyStatus.PENDING_REVIEW
    assert id_number(1) not in corrected.professional_ids


async def test_an_amendment_refused_for_a_full_time_claim_changes_nothing(
    agencies_: Agencies, engine: Engine
) -> None:
    a, b = fresh_agency(), fresh_agency()
    for number, first_professional in ((a, 1), (b, 11)):
        handle, _ = await agencies_.submit(facts(number, first_professional=first_professional))
        await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    handle = agencies_.client.get_workflow_handle_for(AgencyWorkflow.run, f"agency-{uscc(b)}")
    before = await handle.query(AgencyWorkflow.state)

    cause = await refusal(
        handle.execute_update(
            AgencyWorkflow.add_professional,
            NewProfessional(actor=agency_actor(b), professional=professional(1)),  # type: ignore[arg-type]
        )
    )

    assert cause.details[0]["code"] == "agency.full_time_elsewhere"
    after = await handle.query(AgencyWorkflow.state)
    assert after.snapshot == before.snapshot
    assert after.next_professional == before.next_professional
    joined = await agencies_.step(
        handle,
        AgencyWorkflow.add_professional,
        NewProfessional(actor=agency_actor(b), professional=professional(19)),  # type: ignore[arg-type]
    )
    assert id_number(19) in joined.professional_ids
    assert id_number(1) not in joined.professional_ids
    assert timeline_kinds(engine, uscc(b)).count("professional.joined") == 1


async def test_state_survives_continue_as_new(agencies_: Agencies) -> None:
    a = fresh_agency()
    handle, _ = await agencies_.submit(facts(a), limits=HistoryLimits(max_events=20))
    first_run = (await handle.describe()).run_id
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    for number in range(6, 10):
        await handle.execute_update(
            AgencyWorkflow.add_professional,
            NewProfessional(actor=agency_actor(a), professional=professional(number)),  # type: ignore[arg-type]
        )
    latest = agencies_.client.get_workflow_handle_for(AgencyWorkflow.run, handle.id)
    await eventually(lambda: _run_changed(latest, first_run))
    state = await latest.query(AgencyWorkflow.state)
    assert state.snapshot is not None
    assert state.snapshot.status is AgencyStatus.ACTIVE
    assert len(state.snapshot.facts.professionals) == 9
    assert state.next_professional == 10
    left = await agencies_.step(
        latest,
        AgencyWorkflow.remove_professional,
        ProfessionalLeaves(actor=agency_actor(a), professional_id="p9"),
    )
    assert len(left.facts.professionals) == 8
    await keep_history(agencies_.client, handle.id, "continued-as-new")


async def test_a_suspicion_not_yet_taken_up_is_carried_across_continue_as_new(
    agencies_: Agencies, engine: Engine
) -> None:
    a, b = fresh_agency(), fresh_agency()
    handle, _ = await agencies_.submit(facts(a))
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    state = await handle.query(AgencyWorkflow.state)
    await handle.terminate("continued by hand, as continue-as-new would")
    suspicion = AffiliationSuspected(
        other_uscc=uscc(b),
        other_legal_name="另一机构",
        other_jurisdiction_code="331121",
        id_number=id_number(1),
        professional_name="专业人员1",
    )
    carried = state.model_copy(update={"pending": [suspicion]})

    await agencies_.client.start_workflow(
        AgencyWorkflow.run,
        AgencyInput(uscc=uscc(a), policy=Policy(), state=carried),
        id=handle.id,
        task_queue=agencies_.task_queue,
    )

    await eventually(lambda: "affiliation.suspected" in timeline_kinds(engine, uscc(a)))
    scopes = {(i.role, i.scope_id) for i in open_items(engine, uscc(a)).values()}
    assert ("county_regulator", "331121") in scopes


async def _run_changed(handle: object, first_run: str | None) -> bool:
    description = await handle.describe()  # type: ignore[attr-defined]
    return bool(description.run_id != first_run)
