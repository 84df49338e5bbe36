"""What every step module shares: the moment a step is taken, its change, and its checks.

Step modules are pure: a step gets the workflow's state (a draft copy), the command and
a `Context`, changes the draft and returns what it did as a `Change`. The workflow
adopts the draft only once the change is recorded. Checks raise domain errors; the
workflow turns them into rejections. Nothing here imports Temporal, so steps are tested
as plain functions.
"""

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel

from agencyflow.config.policy import Policy
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import AgencyflowError, Forbidden, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Role, may_access
from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage, InboxWithdrawal
from agencyflow.domain.project import CreditEvent
from agencyflow.domain.timeline import SYSTEM_ACTOR, TimelineEntry

from . import changes


@dataclass(frozen=True)
class Context:
    """When a step is taken, under which policy, and with which of the guarded changes."""

    now: dt.datetime
    policy: Policy
    changes: frozenset[str] = changes.ALL
    """The changes of `agencyflow.workflows.changes` this run takes: all of them, except on
    a run that started before one of them."""

    @property
    def today(self) -> dt.date:
        """The date in China."""
        return self.now.astimezone(CHINA_TZ).date()


class Change(BaseModel):
    """What a step did, as its timeline entry tells it, and whom it told."""

    kind: str
    """Stable and dotted: ``filing.acknowledged``, ``visit.recorded``…"""
    summary: str
    actor: Actor | None = None
    reasons: list[str] = []
    regulators_only: bool = False
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []

    @property
    def actor_label(self) -> str:
        return self.actor.label if self.actor else SYSTEM_ACTOR

    def entry(self, resource: str, seq: int, at: dt.datetime) -> TimelineEntry:
        return TimelineEntry(
            resource=resource,
            seq=seq,
            at=at,
            kind=self.kind,
            summary=self.summary,
            actor=self.actor_label,
            actor_user_id=self.actor.user_id if self.actor else None,
            reasons=self.reasons,
            regulators_only=self.regulators_only,
        )


def require(condition: bool, error: AgencyflowError) -> None:
    """Refuse the step with ``error`` unless ``condition`` holds."""
    if not condition:
        raise error


def message(
    resource: str, kind: str, addressee: Addressee, title: str, due_at: dt.datetime | None = None
) -> InboxMessage:
    return InboxMessage(
        resource=resource, kind=kind, addressee=addressee, title=title, due_at=due_at
    )


def withdrawal(resource: str, *kinds: str) -> InboxWithdrawal:
    return InboxWithdrawal(resource=resource, kinds=list(kinds))


def tell(
    resource: str, kind: str, addressee: Addressee, title: str, due_at: dt.datetime | None = None
) -> InboxChanges:
    """A step whose only inbox change is one item sent."""
    return InboxChanges(send=[message(resource, kind, addressee, title, due_at)])


def done(resource: str, *kinds: str) -> InboxChanges:
    """A step whose only inbox change is that these items' step is done."""
    return InboxChanges(withdraw=[withdrawal(resource, *kinds)])


def require_reasons(reasons: list[str], *, field: str = "reasons") -> None:
    """A return, a rejection or a failed check must tell its addressee why."""
    if not reasons:
        raise RuleViolations(
            [
                Violation(
                    code="decision.reasons_required",
                    field=field,
                    message="give at least one reason the addressee can act on",
                )
            ]
        )


def require_agency(actor: Actor, uscc: str, refusal: str, code: str | None = None) -> None:
    """The agency's own users, and nobody else."""
    require(actor.role is Role.AGENCY and actor.agency_uscc == uscc, Forbidden(refusal, code=code))


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


def credit_event(
    agency_uscc: str,
    source: str,
    kind: str,
    at: dt.datetime,
    details: dict[str, str | int | list[str]] | None = None,
    *,
    points: int | None = None,
) -> CreditEvent:
    return CreditEvent(
        agency_uscc=agency_uscc,
        source=source,
        kind=kind,
        occurred_at=at,
        points=points,
        details=details or {},
    )
