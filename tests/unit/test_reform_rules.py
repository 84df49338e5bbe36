"""The reform programme's pure rules (R1, R15): the plan's due dates, what a close-out needs
of the programme, the list's bounds, and the steps that mark a task overdue once."""

import datetime as dt

import pytest
from pydantic import ValidationError

from agencyflow.config.policy import Policy
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.reform import (
    DEFAULT_TASKS,
    ReformPrerequisite,
    ReformTaskPlan,
    ReportGuideline,
    ServiceTypeEntry,
    ServiceTypeList,
    TaskEvidence,
    seeded_tasks,
    unmet,
)
from agencyflow.domain.service_types import ServiceType
from agencyflow.workflows.reform import steps
from agencyflow.workflows.reform.models import ReformOpening, ReformState
from agencyflow.workflows.steps import Context

GUIDED = ServiceTypeList(
    types=[
        ServiceTypeEntry(
            service_type=ServiceType.RISK_CENSUS,
            checkpoints=["现场核实"],
            guidelines=[ReportGuideline(code="ＤＢ3311/T 9-2025", title="风险普查报告导则")],
        )
    ]
)


def test_a_task_is_due_at_the_end_of_its_day_in_china() -> None:
    [type_list, guideline, *_] = seeded_tasks(DEFAULT_TASKS, 2024)
    assert type_list.due_at == dt.datetime(2024, 10, 1, tzinfo=CHINA_TZ)
    assert guideline.due_at.astimezone(CHINA_TZ).date() == dt.date(2024, 10, 11)
    leap = ReformTaskPlan(key="x", title="x", month=2, day=29)
    assert leap.due_at(2025) == dt.datetime(2025, 3, 1, tzinfo=CHINA_TZ)
    with pytest.raises(ValidationError):
        ReformTaskPlan(key="x", title="x", month=9, day=31)


def test_a_close_out_needs_the_list_with_checkpoints_and_the_policys_guidelines() -> None:
    empty = ServiceTypeList()
    unchecked = ServiceTypeList(types=[ServiceTypeEntry(service_type=ServiceType.RISK_CENSUS)])
    assert unmet(ReformPrerequisite.SERVICE_TYPES, empty, 1).field == "service_types"  # type: ignore[union-attr]
    assert unmet(ReformPrerequisite.SERVICE_TYPES, unchecked, 1) is not None
    assert unmet(ReformPrerequisite.SERVICE_TYPES, GUIDED, 1) is None
    assert unmet(ReformPrerequisite.GUIDELINES, GUIDED, 1) is None
    assert unmet(ReformPrerequisite.GUIDELINES, GUIDED, 2).code == "reform.too_few_guidelines"  # type: ignore[union-attr]
    assert unmet(None, empty, 5) is None


def test_guideline_codes_have_one_ascii_spelling_and_types_are_listed_once() -> None:
    assert GUIDED.adopted_for(ServiceType.RISK_CENSUS) == {"DB3311/T 9-2025"}
    with pytest.raises(ValidationError):
        ReportGuideline(code="导则一", title="x")
    with pytest.raises(ValidationError):
        ServiceTypeList(types=GUIDED.types * 2)


def test_policy_refuses_two_tasks_with_one_key() -> None:
    with pytest.raises(ValidationError):
        Policy(reform_tasks=(DEFAULT_TASKS[0], DEFAULT_TASKS[0]))


def test_an_open_task_falls_overdue_once_and_one_awaiting_sign_off_does_not() -> None:
    opened_at = dt.datetime(2024, 9, 1, tzinfo=dt.UTC)
    state = ReformState()
    steps.open_programme(
        state,
        ReformOpening(actor=None, county_code="331102", year=2024),
        Context(now=opened_at, policy=Policy()),
    )
    # The type list's evidence is in before its date: it waits on the city, not the county.
    state.tasks[0].evidence = TaskEvidence(
        files=["a" * 64], submitted_by="县", submitted_by_user_id=1, submitted_at=opened_at
    )
    after = dt.datetime(2024, 10, 12, tzinfo=CHINA_TZ)
    late = steps.fall_overdue(state, after)
    assert late is not None and late.tasks_changed == ["guideline"]
    assert late.inbox.send[0].addressee.role.value == "city_regulator"
    assert steps.fall_overdue(state, after) is None  # once
    assert steps.overdue_at(state) == state.tasks[2].due_at
