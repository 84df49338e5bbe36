import datetime as dt
import uuid

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.domain.identity import Role
from agencyflow.domain.inbox import Addressee, InboxMessage, InboxWithdrawal
from agencyflow.store import inbox
from agencyflow.worker import build_worker
from tests.factories import bearer, uscc, user
from tests.workflows.probe import StepInput, StepWithDeadline

NOW = dt.datetime.now(dt.UTC)


def _message(
    resource: str, kind: str, addressee: Addressee, due_in_days: int | None
) -> InboxMessage:
    due = NOW + dt.timedelta(days=due_in_days) if due_in_days is not None else None
    return InboxMessage(resource=resource, kind=kind, addressee=addressee, title=kind, due_at=due)


async def _inbox(api: httpx.AsyncClient, token: str) -> list[dict[str, object]]:
    response = await api.get("/inbox", headers=bearer(token))
    assert response.status_code == 200
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_sending_twice_keeps_one_item_and_the_done_step_withdraws_it(
    api: httpx.AsyncClient, engine: Engine, temporal: Client, api_settings: Settings
) -> None:
    """Through a real workflow on the dev server: the probe sends its review item twice."""
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331121")
    resource = f"probes/{uuid.uuid4().hex}"
    queue = f"probe-{uuid.uuid4().hex}"
    async with build_worker(
        temporal, api_settings, engine, task_queue=queue, workflows=[StepWithDeadline]
    ):
        handle = await temporal.start_workflow(
            StepWithDeadline.run,
            StepInput(resource=resource, county_code="331121", deadline=dt.timedelta(days=5)),
            id=f"probe-{uuid.uuid4()}",
            task_queue=queue,
        )
        await handle.execute_update(StepWithDeadline.opened)
        [item] = [item for item in await _inbox(api, county) if item["resource"] == resource]
        assert item["kind"] == "probe.review"
        assert item["overdue"] is False

        await handle.signal(StepWithDeadline.done)
        await handle.result()

    assert [item for item in await _inbox(api, county) if item["resource"] == resource] == []


async def test_a_resent_withdrawn_step_reopens_its_item(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    _, token = user(engine, Role.AGENCY, agency_uscc=uscc(4))
    message = _message("projects/1", "filing.correct", Addressee.agency(uscc(4)), 3)
    inbox.send(engine, message)
    assert (
        inbox.withdraw(engine, InboxWithdrawal(resource="projects/1", kinds=["filing.correct"]))
        == 1
    )
    assert await _inbox(api, token) == []
    inbox.send(engine, message)
    assert [item["kind"] for item in await _inbox(api, token)] == ["filing.correct"]


async def test_inbox_is_most_urgent_first_and_scoped_to_the_caller(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    lianDu, qingTian = Addressee.county("331102"), Addressee.county("331121")
    inbox.send(engine, _message("projects/a", "no.deadline", lianDu, None))
    inbox.send(engine, _message("projects/b", "due.later", lianDu, 10))
    inbox.send(engine, _message("projects/c", "overdue", lianDu, -1))
    inbox.send(engine, _message("projects/d", "due.soon", lianDu, 2))
    inbox.send(engine, _message("projects/e", "other.county", qingTian, 1))
    _, lianDu_token = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    _, city_token = user(engine, Role.CITY_REGULATOR)
    _, admin_token = user(engine, Role.ADMIN)

    items = await _inbox(api, lianDu_token)
    assert [item["kind"] for item in items] == ["overdue", "due.soon", "due.later", "no.deadline"]
    assert [item["overdue"] for item in items] == [True, False, False, False]
    assert await _inbox(api, city_token) == []
    assert len(await _inbox(api, admin_token)) == 5

    second = await api.get("/inbox?limit=2&offset=2", headers=bearer(lianDu_token))
    assert second.json()["total"] == 4
    assert [item["kind"] for item in second.json()["items"]] == ["due.later", "no.deadline"]


async def test_withdrawing_only_touches_the_named_kinds(engine: Engine) -> None:
    addressee = Addressee.county("331102")
    inbox.send(engine, _message("projects/x", "filing.review", addressee, 5))
    inbox.send(engine, _message("projects/x", "report.overdue", addressee, 1))
    inbox.send(engine, _message("projects/y", "filing.review", addressee, 5))
    assert (
        inbox.withdraw(engine, InboxWithdrawal(resource="projects/x", kinds=["filing.review"])) == 1
    )
    remaining = inbox.open_items(engine, addressee, limit=10, offset=0)
    assert {(row.resource, row.kind) for row in remaining} == {
        ("projects/x", "report.overdue"),
        ("projects/y", "filing.review"),
    }
