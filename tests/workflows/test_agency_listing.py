"""The seriously-untrustworthy list (严重失信, R8) as AgencyWorkflow keeps it: a veto refers the
agency to the city, the city lists it for three years, early removal may be asked for after
twelve months and the city decides, and a listing ends by itself at its term."""

import datetime as dt

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.credit import CreditGrade, RecordedKind, add_months
from agencyflow.workflows.agency.credit import referral_resource
from agencyflow.workflows.agency.listing import listing_resource
from agencyflow.workflows.agency.models import (
    CreditObjection,
    ObjectionDecision,
    ReferralDecision,
    RemovalApplication,
    RemovalDecision,
)
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from tests.histories import keep_history
from tests.reading import open_items_of
from tests.waiting import eventually
from tests.workflows.agency_helpers import (
    CITY,
    COUNTY,
    agency_actor,
    timeline_kinds,
)
from tests.workflows.credit_helpers import admitted, agency_of, recorded, recording
from tests.workflows.project_helpers import Projects
from tests.workflows.temporal_helpers import refusal

LIST = ReferralDecision(
    actor=CITY, list_agency=True, decision_number="丽应急失信〔2026〕1号", reasons=["挂靠查实"]
)


async def test_the_city_lists_a_vetoed_agency_which_may_ask_for_removal_after_a_year(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await admitted(projects, settings, engine)
    a = handle.id.removeprefix("agency-")
    agency = agency_actor(int(a[10:17]))
    event = await recorded(handle, engine, RecordedKind.AFFILIATION)
    (referral,) = agency_of(engine, handle).referrals
    assert (referral.source, referral.kind) == (event.source, "affiliation")
    referred = open_items_of(engine, referral_resource(a, "丽应急-1"))
    assert referred["credit.untrustworthy_referral"].role == "city_regulator"

    county = LIST.model_copy(update={"actor": COUNTY})
    refused = await refusal(handle.execute_update(AgencyWorkflow.decide_referral, county))
    assert refused.details[0]["code"] == "auth.role_not_allowed"
    unnumbered = LIST.model_copy(update={"decision_number": None})
    refused = await refusal(handle.execute_update(AgencyWorkflow.decide_referral, unnumbered))
    assert refused.details[0]["violations"][0]["field"] == "decision_number"

    now = await time_skipping_env.get_current_time()
    await handle.execute_update(AgencyWorkflow.decide_referral, LIST)
    listed = agency_of(engine, handle)
    assert listed.listing is not None and listed.referrals == []
    assert listed.listing.decision_number == "丽应急失信〔2026〕1号"
    assert listed.listing.listed_at - now < dt.timedelta(minutes=1)
    assert listed.listing.ends_at == add_months(listed.listing.listed_at, 36)
    assert listed.listing.removal_from == add_months(listed.listing.listed_at, 12)
    assert listed.credit_grade is CreditGrade.D
    assert open_items_of(engine, referral_resource(a, "丽应急-1")) == {}
    told = open_items_of(engine, listing_resource(a))["untrustworthy.listed"]
    assert "丽应急失信〔2026〕1号" in told.title
    again = await refusal(handle.execute_update(AgencyWorkflow.decide_referral, LIST))
    assert again.details[0]["code"] == "untrustworthy.no_referral"

    asks = RemovalApplication(actor=agency, reasons=["已整改"])
    early = await refusal(handle.execute_update(AgencyWorkflow.apply_for_removal, asks))
    assert early.details[0]["code"] == "untrustworthy.removal_too_early"

    # A year on the veto no longer counts, but the listing keeps the grade at D.
    await time_skipping_env.sleep(listed.listing.removal_from - now)
    await eventually(lambda: "credit.event_expired" in timeline_kinds(engine, a))
    assert (agency_of(engine, handle).credit_score, agency_of(engine, handle).credit_grade) == (
        100,
        CreditGrade.D,
    )
    await handle.execute_update(AgencyWorkflow.apply_for_removal, asks)
    assert "untrustworthy.removal" in open_items_of(engine, listing_resource(a))
    pending = await refusal(handle.execute_update(AgencyWorkflow.apply_for_removal, asks))
    assert pending.details[0]["code"] == "untrustworthy.removal_pending"

    keep = RemovalDecision(actor=CITY, remove=False, reasons=["整改材料不全"])
    await handle.execute_update(AgencyWorkflow.decide_removal, keep)
    still = agency_of(engine, handle)
    assert still.listing is not None and still.listing.removal is None
    again = await refusal(handle.execute_update(AgencyWorkflow.decide_removal, keep))
    assert again.details[0]["code"] == "untrustworthy.no_removal"

    await handle.execute_update(AgencyWorkflow.apply_for_removal, asks)
    remove = RemovalDecision(actor=CITY, remove=True, reasons=["信用修复完成"])
    await handle.execute_update(AgencyWorkflow.decide_removal, remove)
    removed = agency_of(engine, handle)
    assert removed.listing is None
    assert (removed.credit_score, removed.credit_grade) == (100, CreditGrade.A)
    assert "untrustworthy.removal" not in open_items_of(engine, listing_resource(a))
    assert timeline_kinds(engine, a)[-2:] == ["untrustworthy.ended", "credit.grade_changed"]
    await keep_history(projects.client, handle.id, "untrustworthy-listed-and-removed")


async def test_a_listing_ends_by_itself_at_its_term(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await admitted(projects, settings, engine)
    a = handle.id.removeprefix("agency-")
    await recorded(handle, engine, RecordedKind.FALSE_REPORT)
    await handle.execute_update(AgencyWorkflow.decide_referral, LIST)
    listing = agency_of(engine, handle).listing
    assert listing is not None

    await time_skipping_env.sleep(listing.ends_at - await time_skipping_env.get_current_time())
    await eventually(lambda: agency_of(engine, handle).listing is None)
    ended = agency_of(engine, handle)
    assert ended.credit_grade is CreditGrade.A
    assert "untrustworthy.ended" in timeline_kinds(engine, a)
    assert "untrustworthy.ended" in open_items_of(engine, listing_resource(a))
    await keep_history(projects.client, handle.id, "untrustworthy-term-ended")


async def test_the_city_may_decline_and_a_revoked_veto_takes_its_referral_with_it(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await admitted(projects, settings, engine)
    a = handle.id.removeprefix("agency-")
    event = await recorded(handle, engine, RecordedKind.SUBCONTRACTING)
    objection = CreditObjection(
        actor=agency_actor(int(a[10:17])), source=event.source, reasons=["x"]
    )
    await handle.execute_update(AgencyWorkflow.object_to_credit_event, objection)
    revoke = ObjectionDecision(actor=COUNTY, source=event.source, revoke=True, reasons=["不属实"])
    await handle.execute_update(AgencyWorkflow.decide_objection, revoke)
    assert agency_of(engine, handle).referrals == []
    assert open_items_of(engine, referral_resource(a, "丽应急-1")) == {}
    gone = await refusal(handle.execute_update(AgencyWorkflow.decide_referral, LIST))
    assert gone.details[0]["code"] == "untrustworthy.no_referral"

    second = recording(RecordedKind.FALSE_REPORT, reference="丽应急-2")
    await handle.execute_update(AgencyWorkflow.record_credit_event, second)
    decline = ReferralDecision(actor=CITY, list_agency=False, reasons=["情节轻微"])
    await handle.execute_update(AgencyWorkflow.decide_referral, decline)
    declined = agency_of(engine, handle)
    assert declined.listing is None and declined.referrals == []
    assert (
        declined.credit_grade is CreditGrade.D
    )  # the veto still counts; only the list is declined
    assert timeline_kinds(engine, a)[-1] == "untrustworthy.declined"
