"""Messages that reach people (issue 11, point 4): an office is told of each new inbox item
by e-mail (a real SMTP server, aiosmtpd) and by its DingTalk-format robot (a real HTTP
receiver); failures are retried with back-off without sending twice, never block the
step that opened the item, and are given up after the settings' attempts; each office
gets one digest a day of what falls due within three days."""

import asyncio
import datetime as dt
import email
import email.policy
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from agencyflow.config.notify import OfficeChannels
from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.domain.inbox import Addressee, InboxMessage, InboxWithdrawal
from agencyflow.notify.notifier import Notifier
from agencyflow.store import inbox, notifications
from tests.factories import bearer, facts, fresh_agency, uscc, user
from tests.serving import over_http
from tests.waiting import eventually

COUNTY = "county_regulator:331102"


class Mailbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass
class Robot:
    """A DingTalk-format robot: what it was sent, and how many times it should fail first."""

    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0


@pytest.fixture
async def robot() -> AsyncIterator[tuple[Robot, str]]:
    state = Robot()
    app = FastAPI()

    @app.post("/robot/send")
    async def send(request: Request) -> JSONResponse:
        if state.refused < state.fail_first:
            state.refused += 1
            return JSONResponse({"errmsg": "busy"}, status_code=500)
        state.received.append(await request.json())
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    async with over_http(app) as url:
        yield state, f"{url}/robot/send?access_token=t"


def _notifying(settings: Settings, smtp_port: int, webhook: str, **more: Any) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "public_url": "https://jg.lishui.example",
            "notify_offices": {COUNTY: OfficeChannels(email=["lg@example.cn"], webhook=webhook)},
            **more,
        }
    )


def _open_item(
    engine: Engine, resource: str, county: str = "331102", due_at: dt.datetime | None = None
) -> None:
    """An item opens in the county's inbox, as a workflow's record opens one."""
    addressee = Addressee.county(county)
    message = InboxMessage(
        resource=resource, kind="k", addressee=addressee, title=resource, due_at=due_at
    )
    inbox.send(engine, message)


async def _apply(api: httpx.AsyncClient, engine: Engine) -> str:
    """An agency applies: the county's inbox gets an item to review it."""
    number = fresh_agency()
    _, token = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    applied = await api.post("/agencies", headers=bearer(token), json=facts(number))
    assert applied.status_code == 201, applied.text
    return uscc(number)


async def test_a_new_item_reaches_the_office_by_email_and_robot_once(
    api: httpx.AsyncClient,
    engine: Engine,
    api_settings: Settings,
    mailbox: tuple[Mailbox, int],
    robot: tuple[Robot, str],
) -> None:
    box, port = mailbox
    receiver, webhook = robot
    agency = await _apply(api, engine)
    (pending,) = notifications.get(engine, f"open:agencies/{agency}:")
    assert pending.status == "pending" and pending.office == COUNTY

    async with httpx.AsyncClient() as http:
        notifier = Notifier(_notifying(api_settings, port, webhook), engine, http)
        assert await notifier.deliver_due(dt.datetime.now(dt.UTC)) == 1
        assert await notifier.deliver_due(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)) == 0

    (mail,) = box.messages
    assert mail["To"] == "lg@example.cn"
    assert str(mail["Subject"]).startswith("【待办】")
    body = mail.get_content()
    assert f"https://jg.lishui.example/console/agencies/{agency}" in body
    (said,) = receiver.received
    assert said["msgtype"] == "markdown" and said["markdown"]["title"] == mail["Subject"]
    assert f"(https://jg.lishui.example/console/agencies/{agency})" in said["markdown"]["text"]
    (sent,) = notifications.get(engine, f"open:agencies/{agency}:")
    assert sent.status == "sent" and sent.delivered == ["email", "webhook"]


async def test_a_refreshed_item_tells_nobody_again_and_a_reopened_one_does(engine: Engine) -> None:
    county = Addressee.county("331102")
    message = InboxMessage(resource="projects/x", kind="filing.review", addressee=county, title="t")
    inbox.send(engine, message)
    inbox.send(engine, message)  # a retried write, or a reminder refreshing the item
    assert len(notifications.get(engine, "open:projects/x:")) == 1
    inbox.withdraw(engine, InboxWithdrawal(resource="projects/x", kinds=["filing.review"]))
    inbox.send(engine, message)  # the step came round again: a returned filing refiled
    assert len(notifications.get(engine, "open:projects/x:")) == 2


async def test_a_failing_robot_is_retried_with_back_off_and_mail_is_not_sent_twice(
    api: httpx.AsyncClient,
    engine: Engine,
    api_settings: Settings,
    mailbox: tuple[Mailbox, int],
    robot: tuple[Robot, str],
) -> None:
    box, port = mailbox
    receiver, webhook = robot
    receiver.fail_first = 2
    agency = await _apply(api, engine)  # answered 201 with the robot down: nothing waits on it
    now = dt.datetime.now(dt.UTC)
    async with httpx.AsyncClient() as http:
        notifier = Notifier(_notifying(api_settings, port, webhook), engine, http)
        await notifier.deliver_due(now)
        (row,) = notifications.get(engine, f"open:agencies/{agency}:")
        assert row.status == "pending" and row.attempts == 1 and row.delivered == ["email"]
        assert row.next_attempt_at == now + dt.timedelta(minutes=1)
        assert await notifier.deliver_due(now + dt.timedelta(seconds=30)) == 0  # not yet
        await notifier.deliver_due(now + dt.timedelta(minutes=1))
        (row,) = notifications.get(engine, f"open:agencies/{agency}:")
        assert row.attempts == 2 and row.next_attempt_at == now + dt.timedelta(minutes=3)
        await notifier.deliver_due(now + dt.timedelta(minutes=3))
    (row,) = notifications.get(engine, f"open:agencies/{agency}:")
    assert row.status == "sent" and len(receiver.received) == 1
    assert len(box.messages) == 1  # the mail went once, with the first attempt


async def test_a_message_is_given_up_after_the_settings_attempts(
    engine: Engine, settings: Settings, mailbox: tuple[Mailbox, int], robot: tuple[Robot, str]
) -> None:
    _, port = mailbox
    receiver, webhook = robot
    receiver.fail_first = 100
    _open_item(engine, "hazards/h", "331102")
    now = dt.datetime.now(dt.UTC)
    async with httpx.AsyncClient() as http:
        notifier = Notifier(
            _notifying(settings, port, webhook, notify_max_attempts=2), engine, http
        )
        await notifier.deliver_due(now)
        await notifier.deliver_due(now + dt.timedelta(minutes=1))
        assert await notifier.deliver_due(now + dt.timedelta(days=1)) == 0
    (row,) = notifications.get(engine, "open:hazards/h:")
    assert row.status == "failed" and row.attempts == 2 and "HTTP 500" in (row.last_error or "")


async def test_an_office_without_channels_is_settled_without_sending(
    engine: Engine, settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _open_item(engine, "projects/y", "331181")
    async with httpx.AsyncClient() as http:
        notifier = Notifier(_notifying(settings, port, ""), engine, http)
        await notifier.deliver_due(dt.datetime.now(dt.UTC))
    (row,) = notifications.get(engine, "open:projects/y:")
    assert row.status == "no_channel" and box.messages == []


async def test_each_office_gets_one_digest_a_day_of_what_is_due_within_three_days(
    engine: Engine, settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    morning = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CHINA_TZ).astimezone(dt.UTC)
    for resource, days in (("projects/soon", 2), ("projects/later", 10), ("projects/late", -1)):
        _open_item(engine, resource, due_at=morning + dt.timedelta(days=days))
    async with httpx.AsyncClient() as http:
        notifier = Notifier(_notifying(settings, port, ""), engine, http)
        assert await notifier.digest(morning - dt.timedelta(hours=2)) == 0  # 07:00: not yet
        assert await notifier.digest(morning) == 1
        assert await notifier.digest(morning + dt.timedelta(hours=5)) == 0  # once a day
        await notifier.deliver_due(morning + dt.timedelta(hours=5))
    digests = [m for m in box.messages if "每日提醒" in str(m["Subject"])]
    (digest,) = digests
    assert "3 天内到期的待办 2 项" in str(digest["Subject"])
    text = digest.get_content()
    assert "projects/soon" in text and "projects/late（" in text and "已逾期" in text
    assert "projects/later" not in text


async def test_the_notifier_loop_sends_without_being_asked(
    engine: Engine, settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _open_item(engine, "projects/z", "331102")
    stop = asyncio.Event()
    async with httpx.AsyncClient() as http:
        notifier = Notifier(_notifying(settings, port, "", notify_poll_seconds=0.05), engine, http)
        running = asyncio.create_task(notifier.run(stop))
        try:
            await eventually(lambda: len(box.messages) == 1)
        finally:
            stop.set()
            await running
