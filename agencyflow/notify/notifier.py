"""The notifier: sends what the outbox holds, and each office's daily digest.

It runs beside the worker (``agencyflow worker``, ``agencyflow dev``), never inside a
workflow: a mail server that is down delays a message, never a step. Messages are claimed
before they are sent, so two notifiers share the work without sending twice; a channel that
took a message is not sent it again when another channel's failure makes it retry.
"""

import asyncio
import datetime as dt

import anyio.to_thread
import httpx
import structlog
from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.inbox import Addressee
from agencyflow.store import inbox, notifications
from agencyflow.store.notifications import NotificationRow, NotificationStatus

from .channels import DeliveryFailed, post_to_robot, send_email

log = structlog.get_logger(__name__)

BATCH = 50
LEASE = dt.timedelta(minutes=5)
"""A claimed message is another notifier's to take after this, if this one died."""
FIRST_RETRY = dt.timedelta(minutes=1)
LAST_RETRY = dt.timedelta(hours=6)
DIGEST_ITEMS = 200


def retry_after(attempts: int) -> dt.timedelta:
    """One minute after the first failure, doubling, at most six hours."""
    wait: dt.timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LAST_RETRY)


class Notifier:
    def __init__(self, settings: Settings, engine: Engine, http: httpx.AsyncClient) -> None:
        self.settings, self.engine, self.http = settings, engine, http

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: the digest when its hour has come, then whatever is due."""
        while not stop.is_set():
            try:
                now = dt.datetime.now(dt.UTC)
                await self.digest(now)
                await self.deliver_due(now)
            except Exception:  # the database may be away for a moment; try again next round
                log.exception("notify.round_failed")
            try:
                await asyncio.wait_for(stop.wait(), self.settings.notify_poll_seconds)
            except TimeoutError:
                pass

    async def deliver_due(self, now: dt.datetime) -> int:
        """Send every message whose time has come; how many were sent or settled."""
        rows = await anyio.to_thread.run_sync(
            notifications.claim_due, self.engine, now, LEASE, BATCH
        )
        for row in rows:
            await self._deliver(row, now)
        return len(rows)

    async def _deliver(self, row: NotificationRow, now: dt.datetime) -> None:
        assert row.id is not None
        channels = self.settings.notify_offices.get(row.office)
        if channels is None or not channels.any:
            await anyio.to_thread.run_sync(
                notifications.finish, self.engine, row.id, NotificationStatus.NO_CHANNEL
            )
            return
        link = f"{self.settings.public_url.rstrip('/')}{row.link}"
        errors = []
        if channels.email and "email" not in row.delivered:
            body = f"{row.body}\n\n办理：{link}\n"
            try:
                await anyio.to_thread.run_sync(
                    send_email, self.settings, channels.email, row.subject, body
                )
                await anyio.to_thread.run_sync(
                    notifications.delivered, self.engine, row.id, "email"
                )
            except DeliveryFailed as error:
                errors.append(str(error))
        if channels.webhook and "webhook" not in row.delivered:
            text = f"#### {row.subject}\n\n{row.body}\n\n[在监管平台中办理]({link})"
            try:
                await post_to_robot(
                    self.http, channels.webhook, channels.webhook_secret, row.subject, text
                )
                await anyio.to_thread.run_sync(
                    notifications.delivered, self.engine, row.id, "webhook"
                )
            except DeliveryFailed as error:
                errors.append(str(error))
        if not errors:
            await anyio.to_thread.run_sync(
                notifications.finish, self.engine, row.id, NotificationStatus.SENT
            )
            return
        attempts = row.attempts + 1
        give_up = attempts >= self.settings.notify_max_attempts
        retry_at = None if give_up else now + retry_after(attempts)
        await anyio.to_thread.run_sync(
            notifications.failed, self.engine, row.id, "; ".join(errors), retry_at
        )
        if give_up:
            log.error("notify.given_up", office=row.office, key=row.dedupe_key, errors=errors)
        else:
            log.warning("notify.retrying", office=row.office, at=retry_at, errors=errors)

    async def digest(self, now: dt.datetime) -> int:
        """From the digest hour on, each configured office's digest for the day, once: its
        open items due within the policy's days. How many digests were added."""
        local = now.astimezone(CHINA_TZ)
        if local.hour < self.settings.notify_digest_hour:
            return 0
        until = now + dt.timedelta(days=self.settings.notify_digest_days)
        added = 0
        for office, channels in self.settings.notify_offices.items():
            if channels.any:
                added += await anyio.to_thread.run_sync(
                    self._digest_of, office, local.date(), now, until
                )
        return added

    def _digest_of(self, office: str, day: dt.date, now: dt.datetime, until: dt.datetime) -> bool:
        due = [
            row
            for row in inbox.open_items(
                self.engine, Addressee.named(office), limit=DIGEST_ITEMS, offset=0
            )
            if row.due_at is not None and row.due_at <= until
        ]
        if not due:
            return False
        lines = [
            f"- {row.title}（{row.due_at.astimezone(CHINA_TZ):%m-%d %H:%M}"
            f"{'，已逾期' if row.due_at < now else ''}）"
            for row in due
            if row.due_at is not None
        ]
        return notifications.add_once(
            self.engine,
            dedupe_key=f"digest:{office}:{day.isoformat()}",
            office=office,
            subject=f"【每日提醒】{self.settings.notify_digest_days} 天内到期的待办 {len(due)} 项",
            body="\n".join(lines),
            link="/console/",
        )
