"""Helpers every workflow uses to take a step: rejections, inbox items, timeline entries, time."""

import datetime as dt
from collections.abc import Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.domain.calendar import CHINA_TZ
    from agencyflow.domain.errors import AgencyflowError, Forbidden, RuleViolations, Violation
    from agencyflow.domain.identity import Actor, may_access
    from agencyflow.domain.inbox import Addressee, InboxMessage, InboxWithdrawal
    from agencyflow.domain.timeline import SYSTEM_ACTOR, TimelineEntry

    from .rejections import rejection


def require(condition: bool, error: AgencyflowError) -> None:
    """Reject the update (or fail the step) with ``error`` unless ``condition`` holds."""
    if not condition:
        raise rejection(error)


def message(
    resource: str, kind: str, addressee: Addressee, title: str, due_at: dt.datetime | None = None
) -> InboxMessage:
    return InboxMessage(
        resource=resource, kind=kind, addressee=addressee, title=title, due_at=due_at
    )


def withdrawal(resource: str, *kinds: str) -> InboxWithdrawal:
    return InboxWithdrawal(resource=resource, kinds=list(kinds))


def entry(
    resource: str,
    seq: int,
    kind: str,
    summary: str,
    *,
    actor: Actor | None = None,
    reasons: list[str] | None = None,
    regulators_only: bool = False,
) -> TimelineEntry:
    """A timeline entry stamped with the workflow's clock and the actor (or the system)."""
    return TimelineEntry(
        resource=resource,
        seq=seq,
        at=workflow.now(),
        kind=kind,
        summary=summary,
        actor=actor.label if actor else SYSTEM_ACTOR,
        actor_user_id=actor.user_id if actor else None,
        reasons=reasons or [],
        regulators_only=regulators_only,
    )


def today() -> dt.date:
    """The workflow's date in China."""
    return workflow.now().astimezone(CHINA_TZ).date()


async def sleep_until(wake_at: dt.datetime | None, woken: Callable[[], bool]) -> None:
    """Wait until ``wake_at`` (forever if None), or until ``woken()`` says to look again."""
    if wake_at is None:
        await workflow.wait_condition(woken)
        return
    delay = wake_at - workflow.now()
    if delay <= dt.timedelta(0):
        return
    try:
        await workflow.wait_condition(woken, timeout=delay)
    except TimeoutError:
        pass


def require_reasons(reasons: list[str], *, field: str = "reasons") -> None:
    """A return, a rejection or a failed check must tell its addressee why."""
    if not reasons:
        raise rejection(
            RuleViolations(
                [
                    Violation(
                        code="decision.reasons_required",
                        field=field,
                        message="give at least one reason the addressee can act on",
                    )
                ]
            )
        )


def require_regulator(actor: Actor, county_code: str | None, what: str) -> None:
    """A regulator of the county concerned (a city regulator is concerned everywhere)."""
    require(
        actor.role.is_regulator,
        Forbidden("only a regulator may do this", code="auth.role_not_allowed"),
    )
    require(
        may_access(actor, county_code=county_code),
        Forbidden(f"the {what} is outside your county", code="auth.out_of_scope"),
    )
