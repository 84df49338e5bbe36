"""A hazard's steps are plain functions: state and command in, the step's change out (R5)."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.hazard import HazardRecord, HazardReport, HazardStatus
from agencyflow.domain.project import ProjectRequest
from agencyflow.workflows.hazard import clock, major
from agencyflow.workflows.hazard.found import new_hazard
from agencyflow.workflows.hazard.models import Acknowledgement, Supervision, VisitNotice
from agencyflow.workflows.hazard.rectification import note_visit
from agencyflow.workflows.steps import Context
from tests.factories import hazard, project_request
from tests.workflows.agency_helpers import COUNTY, agency_actor

FOUND = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # 10:00 in Lishui


def _found(level: str = "general", deadline: dt.date = dt.date(2026, 11, 20)) -> HazardRecord:
    found = new_hazard(
        "P-h1",
        HazardReport.model_validate(hazard(level=level, deadline=deadline)),
        project_id="P",
        agency_uscc=agency_actor(1).agency_uscc or "",
        request=ProjectRequest.model_validate(project_request()),
        visit_id="v1",
        actor=agency_actor(1),
        ctx=Context(now=FOUND, policy=Policy()),
    )
    assert found.entry.seq == 1 and found.record.seq == 1
    assert [m.kind for m in found.told] == (
        ["hazard.rectify", "major_hazard.acknowledge"] if level == "major" else ["hazard.rectify"]
    )
    return found.record


def _at(moment: dt.datetime) -> Context:
    return Context(now=moment, policy=Policy())


def test_a_visit_counts_once_and_a_closed_hazard_ignores_it() -> None:
    record = _found()
    notice = VisitNotice(hazard_id="P-h1", visit_id="v2", number=2, actor=agency_actor(1))
    change = note_visit(record, notice, _at(FOUND))
    assert change is not None and change.kind == "still_open" and change.takes_notice
    assert (record.open_at_visits, record.last_visit_noted) == (1, 2)
    assert note_visit(record, notice, _at(FOUND)) is None  # the same visit again
    record.status = HazardStatus.CLOSED
    later = notice.model_copy(update={"visit_id": "v3", "number": 3})
    assert note_visit(record, later, _at(FOUND)) is None


def test_time_makes_a_general_hazard_overdue_then_long_unrectified() -> None:
    record = _found(deadline=dt.date(2026, 11, 20))
    deadline = dt.datetime(2026, 11, 20, 16, tzinfo=dt.UTC)  # the end of the 20th in Lishui
    assert clock.next_due(record, Policy()) == deadline
    assert clock.take_due(record, _at(deadline - dt.timedelta(seconds=1))) is None
    overdue = clock.take_due(record, _at(deadline))
    assert overdue is not None and overdue.kind == "overdue" and record.overdue
    assert clock.next_due(record, Policy()) == deadline + dt.timedelta(days=30)
    long = clock.take_due(record, _at(deadline + dt.timedelta(days=30)))
    assert long is not None and long.kind == "long_unrectified"
    assert [m.kind for m in long.inbox.send] == ["hazard.long_unrectified"]
    assert clock.next_due(record, Policy()) is None


def test_two_visits_open_make_a_general_hazard_long_unrectified_at_once() -> None:
    record = _found()
    record.open_at_visits = 2
    assert clock.next_due(record, Policy()) == FOUND
    change = clock.take_due(record, _at(FOUND + dt.timedelta(days=3)))
    assert change is not None and "连续 2 次" in change.summary


def test_a_major_hazard_climbs_to_the_city_unless_acknowledged() -> None:
    record = _found(level="major")
    due = FOUND + dt.timedelta(hours=24)
    assert clock.next_due(record, Policy()) == due
    escalated = clock.take_due(record, _at(due))
    assert escalated is not None and escalated.kind == "escalated"
    assert [(m.kind, m.addressee.role.value) for m in escalated.inbox.send] == [
        ("major_hazard.escalated", "city_regulator")
    ]
    acknowledged = _found(level="major")
    major.acknowledge(acknowledged, Acknowledgement(actor=COUNTY), _at(FOUND))
    assert clock.take_due(acknowledged, _at(due)) is None


def test_a_supervised_major_hazard_past_its_deadline_reaches_county_and_city() -> None:
    record = _found(level="major")
    major.acknowledge(record, Acknowledgement(actor=COUNTY), _at(FOUND))
    supervised = major.supervise(record, Supervision(actor=COUNTY, deadline=dt.date(2026, 11, 25)))
    assert supervised.kind == "supervised" and not record.overdue
    overdue = clock.take_due(record, _at(dt.datetime(2026, 11, 25, 16, tzinfo=dt.UTC)))
    assert overdue is not None and overdue.kind == "overdue"
    assert {(m.kind, m.addressee.role.value) for m in overdue.inbox.send} == {
        ("major_hazard.supervision_overdue", "county_regulator"),
        ("major_hazard.supervision_overdue.city", "city_regulator"),
    }


def test_a_major_hazard_past_the_agencys_deadline_asks_the_county_to_supervise_it() -> None:
    record = _found(level="major", deadline=dt.date(2026, 11, 20))
    major.acknowledge(record, Acknowledgement(actor=COUNTY), _at(FOUND))
    assert record.deadline is not None
    assert clock.next_due(record, Policy()) == record.deadline
    overdue = clock.take_due(record, _at(record.deadline))
    assert overdue is not None and overdue.kind == "overdue" and record.overdue
    assert [(m.kind, m.addressee.role.value, m.addressee.scope_id) for m in overdue.inbox.send] == [
        ("major_hazard.overdue", "county_regulator", "331102")
    ]
    # Put under supervision, the county's item is done; a new deadline runs.
    later = dt.date(2026, 12, 10)
    supervised = major.supervise(record, Supervision(actor=COUNTY, deadline=later))
    assert "major_hazard.overdue" in {k for w in supervised.inbox.withdraw for k in w.kinds}
    assert not record.overdue
