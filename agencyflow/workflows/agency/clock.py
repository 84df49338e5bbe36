"""What time does to an agency: the review's escalation, the rectification deadline, and
each certificate's reminder and expiry."""

import datetime as dt
from dataclasses import dataclass

from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencyStatus
from agencyflow.domain.monitoring import CertificateDeadline, certificate_deadlines

from .models import AgencyState


@dataclass(frozen=True)
class Due:
    """A step time has made due; ``needs_verdict``: it applies the admission rules."""

    kind: str
    deadline: CertificateDeadline | None = None

    @property
    def needs_verdict(self) -> bool:
        return self.kind in ("rectification", "expiry")


def deadlines(state: AgencyState, policy: Policy) -> list[CertificateDeadline]:
    snapshot = state.snapshot
    if snapshot is None or snapshot.status is AgencyStatus.REJECTED:
        return []
    return list(
        certificate_deadlines(
            snapshot.facts, snapshot.professional_ids, policy.certificate_expiry_notice
        )
    )


def _moments(state: AgencyState, policy: Policy) -> list[tuple[dt.datetime, Due]]:
    snapshot = state.snapshot
    if snapshot is None:
        return []
    moments = []
    if snapshot.status is AgencyStatus.PENDING_REVIEW and not snapshot.review_escalated:
        if snapshot.review_due_at is not None:
            moments.append((snapshot.review_due_at, Due("review")))
    if snapshot.status is AgencyStatus.RECTIFICATION_REQUIRED:
        if snapshot.rectification_due_at is not None:
            moments.append((snapshot.rectification_due_at, Due("rectification")))
    for deadline in deadlines(state, policy):
        if deadline.key not in state.reminded:
            moments.append((deadline.remind_at, Due("reminder", deadline)))
        if deadline.key not in state.expired:
            moments.append((deadline.expires_at, Due("expiry", deadline)))
    return moments


def next_due(state: AgencyState, policy: Policy) -> dt.datetime | None:
    return min((at for at, _ in _moments(state, policy)), default=None)


def first_due(state: AgencyState, policy: Policy, now: dt.datetime) -> Due | None:
    due = [(at, item) for at, item in _moments(state, policy) if now >= at]
    return min(due, key=lambda pair: pair[0])[1] if due else None


def forget_replaced_certificates(state: AgencyState, policy: Policy) -> None:
    """Drop bookkeeping of certificates no longer held, so the state does not grow."""
    current = {deadline.key for deadline in deadlines(state, policy)}
    state.reminded = [key for key in state.reminded if key in current]
    state.expired = [key for key in state.expired if key in current]
