"""Inbox items: work waiting for a role in a scope, with a due time.

An item is keyed by its resource and kind, so a workflow that sends the same reminder
twice (a retried activity, a replay) still leaves one item, and the step that the
item waits for withdraws it by the same key.
"""

import datetime as dt
from typing import Annotated, Self

from pydantic import BaseModel, model_validator

from .identity import Actor, Role
from .labels import LabelledEnum, clipped
from .regions import CITY_CODE


class ScopeKind(LabelledEnum):
    CITY = ("city", "全市")
    COUNTY = ("county", "县(市、区)")
    AGENCY = ("agency", "机构")
    ENTERPRISE = ("enterprise", "企业")
    SYSTEM = ("system", "系统")


class InboxStatus(LabelledEnum):
    OPEN = ("open", "待办")
    WITHDRAWN = ("withdrawn", "已撤回")


_SCOPE_OF_ROLE = {
    Role.CITY_REGULATOR: ScopeKind.CITY,
    Role.COUNTY_REGULATOR: ScopeKind.COUNTY,
    Role.AGENCY: ScopeKind.AGENCY,
    Role.ENTERPRISE: ScopeKind.ENTERPRISE,
    Role.ADMIN: ScopeKind.SYSTEM,
}


class Addressee(BaseModel):
    """A role within one scope: "the county regulator of 331102", "agency 9133…"."""

    role: Role
    scope_kind: ScopeKind
    scope_id: str

    @model_validator(mode="after")
    def _scope_fits_role(self) -> Self:
        expected = _SCOPE_OF_ROLE.get(self.role)
        if expected is None:
            raise ValueError(f"no inbox items are addressed to {self.role.value}")
        if self.scope_kind is not expected:
            raise ValueError(f"{self.role.value} items are scoped by {expected.value}")
        return self

    @classmethod
    def named(cls, office: str) -> "Addressee":
        """The office settings name as ``role:scope`` (``county_regulator:331102``)."""
        name, _, scope_id = office.partition(":")
        role = next((r for r in Role if r.value == name), None)
        kind = _SCOPE_OF_ROLE.get(role) if role is not None else None
        if role is None or kind is None or not scope_id:
            raise ValueError(f"{office!r} names no office: write role:scope")
        return cls(role=role, scope_kind=kind, scope_id=scope_id)

    @property
    def office(self) -> str:
        return f"{self.role.value}:{self.scope_id}"

    @classmethod
    def city(cls) -> "Addressee":
        return cls(role=Role.CITY_REGULATOR, scope_kind=ScopeKind.CITY, scope_id=CITY_CODE)

    @classmethod
    def county(cls, county_code: str) -> "Addressee":
        return cls(role=Role.COUNTY_REGULATOR, scope_kind=ScopeKind.COUNTY, scope_id=county_code)

    @classmethod
    def agency(cls, uscc: str) -> "Addressee":
        return cls(role=Role.AGENCY, scope_kind=ScopeKind.AGENCY, scope_id=uscc)

    @classmethod
    def admin(cls) -> "Addressee":
        """The system's administrators: what only operations can resolve."""
        return cls(role=Role.ADMIN, scope_kind=ScopeKind.SYSTEM, scope_id="system")

    @classmethod
    def enterprise(cls, uscc: str) -> "Addressee":
        return cls(role=Role.ENTERPRISE, scope_kind=ScopeKind.ENTERPRISE, scope_id=uscc)


class InboxMessage(BaseModel):
    """What a workflow sends: one item for one addressee about one step of one resource."""

    resource: str
    """The resource the step belongs to, as a path: ``projects/…``, ``hazards/…``."""
    kind: str
    """The step awaited, stable and dotted: ``filing.review``, ``report.reminder_20``."""
    addressee: Addressee
    title: Annotated[str, clipped(500)]
    due_at: dt.datetime | None = None


class InboxWithdrawal(BaseModel):
    """Withdraw the open items of these kinds for a resource: their step is done."""

    resource: str
    kinds: list[str]


def addressee_of(actor: Actor) -> Addressee | None:
    """The inbox an actor reads; None for an admin, who may read every inbox."""
    match actor.role:
        case Role.ADMIN:
            return None
        case Role.CITY_REGULATOR:
            return Addressee.city()
        case Role.COUNTY_REGULATOR:
            assert actor.county_code is not None
            return Addressee.county(actor.county_code)
        case Role.AGENCY:
            assert actor.agency_uscc is not None
            return Addressee.agency(actor.agency_uscc)
        case Role.ENTERPRISE:
            assert actor.enterprise_uscc is not None
            return Addressee.enterprise(actor.enterprise_uscc)


class InboxChanges(BaseModel):
    """Inbox effects of one step, recorded in the same transaction as the step itself."""

    send: list[InboxMessage] = []
    withdraw: list[InboxWithdrawal] = []

    def __add__(self, other: "InboxChanges") -> "InboxChanges":
        """Both changes, in order: a step that closes items and opens the next, or a step
        and the status change it brought about, recorded together."""
        return InboxChanges(
            send=[*self.send, *other.send], withdraw=[*self.withdraw, *other.withdraw]
        )
