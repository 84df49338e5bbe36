"""Monitoring an admitted agency (R9): its facts change, and the rules are applied again.

An amendment's verdict is computed before the step (by the workflow, through a local
activity) and handed in as ``violations``; what it means for the status is `status`'s.
"""

from dataclasses import dataclass

from agencyflow.domain.agency import AgencyFacts, Professional
from agencyflow.domain.errors import Conflict, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import InboxChanges
from agencyflow.workflows.steps import Context, done, require, require_agency

from .application import assign_ids, snapshot_of
from .models import (
    AgencyChange,
    AgencyState,
    CertificatesRenewed,
    NewProfessional,
    OfficeMoved,
    ProfessionalLeaves,
    WorkplaceChanged,
    agency_resource,
)
from .status import certificate_item, reassess


def _certificates_done(uscc: str, professional_id: str, person: Professional) -> InboxChanges:
    """The reminders of a person's certificates: renewed, or gone with them."""
    kinds = (certificate_item(professional_id, c) for c in person.certificates)
    return done(agency_resource(uscc), *kinds)


# ---------------------------------------------------------------------- amendments


def check_amendment(state: AgencyState, actor: Actor) -> None:
    require_agency(actor, state.uscc, "only the agency itself may change its facts")
    status = snapshot_of(state).status
    require(
        status.is_admitted,
        Conflict(
            f"the agency is {status.label}: before admission, correct the application and "
            "submit it again instead",
            code="agency.not_admitted",
        ),
    )


def professional(state: AgencyState, professional_id: str) -> Professional:
    snapshot = snapshot_of(state)
    by_id = {v: k for k, v in snapshot.professional_ids.items()}
    id_number = by_id.get(professional_id)
    for person in snapshot.facts.professionals:
        if person.id_number == id_number:
            return person
    raise NotFound(
        f"no professional {professional_id} at this agency", code="agency.no_professional"
    )


def check_add_professional(state: AgencyState, change: NewProfessional) -> None:
    check_amendment(state, change.actor)
    listed = {p.id_number for p in snapshot_of(state).facts.professionals}
    require(
        change.professional.id_number not in listed,
        Conflict(
            f"{change.professional.masked_id} is already listed; renew their certificates instead",
            code="agency.professional_already_listed",
        ),
    )


def check_known_professional(state: AgencyState, actor: Actor, professional_id: str) -> None:
    check_amendment(state, actor)
    professional(state, professional_id)


def check_office(state: AgencyState, change: OfficeMoved) -> None:
    check_amendment(state, change.actor)
    listed = {p.id_number for p in snapshot_of(state).facts.professionals}
    if set(change.office.stationed_technicians) - listed:
        raise RuleViolations(
            [
                Violation(
                    code="agency.unknown_stationed_technician",
                    field="stationed_technicians",
                    message="every stationed technician must be one of the agency's professionals",
                )
            ]
        )


@dataclass(frozen=True)
class Amendment:
    """What an amendment makes of the agency's facts, as its timeline tells it."""

    facts: AgencyFacts
    change: AgencyChange
    reason: str
    """How the status change it may bring begins: "张三 加入"…"""


def add_professional(state: AgencyState, change: NewProfessional) -> Amendment:
    person, facts = change.professional, snapshot_of(state).facts
    after = facts.model_copy(update={"professionals": [*facts.professionals, person]})
    return Amendment(
        after,
        AgencyChange(
            kind="professional.joined",
            summary=f"{person.name}（{person.masked_id}）加入机构",
            actor=change.actor,
            claims=_full_time(after),
        ),
        f"{person.name} 加入",
    )


def remove_professional(state: AgencyState, change: ProfessionalLeaves) -> Amendment:
    facts, leaving = snapshot_of(state).facts, professional(state, change.professional_id)
    office = facts.local_office
    if office is not None:
        stationed = [i for i in office.stationed_technicians if i != leaving.id_number]
        office = office.model_copy(update={"stationed_technicians": stationed})
    after = facts.model_copy(
        update={
            "professionals": [p for p in facts.professionals if p.id_number != leaving.id_number],
            "local_office": office,
        }
    )
    return Amendment(
        after,
        AgencyChange(
            kind="professional.left",
            summary=f"{leaving.name}（{leaving.masked_id}）离开机构",
            actor=change.actor,
            claims=_full_time(after),
            inbox=_certificates_done(state.uscc, change.professional_id, leaving),
        ),
        f"{leaving.name} 离开",
    )


def renew_certificates(state: AgencyState, change: CertificatesRenewed) -> Amendment:
    facts, before = snapshot_of(state).facts, professional(state, change.professional_id)
    renewed = before.model_copy(update={"certificates": list(change.certificates)})
    people = [renewed if p.id_number == before.id_number else p for p in facts.professionals]
    return Amendment(
        facts.model_copy(update={"professionals": people}),
        AgencyChange(
            kind="professional.certificates_renewed",
            summary=f"{before.name} 的证书已更新",
            actor=change.actor,
            inbox=_certificates_done(state.uscc, change.professional_id, before),
        ),
        f"{before.name} 的证书更新",
    )


def move_office(state: AgencyState, change: OfficeMoved) -> Amendment:
    return Amendment(
        snapshot_of(state).facts.model_copy(update={"local_office": change.office}),
        AgencyChange(
            kind="office.moved",
            summary=f"本地办公场所变更为 {change.office.address}",
            actor=change.actor,
        ),
        "办公场所变更",
    )


def change_workplace(state: AgencyState, change: WorkplaceChanged) -> Amendment:
    update: dict[str, object] = {"workplace_area_m2": change.workplace_area_m2}
    if change.registered_address:
        update["registered_address"] = change.registered_address
    return Amendment(
        snapshot_of(state).facts.model_copy(update=update),
        AgencyChange(
            kind="workplace.changed",
            summary=f"办公场所面积变更为 {change.workplace_area_m2:g} m²",
            actor=change.actor,
        ),
        "办公场所面积变更",
    )


def amend(
    draft: AgencyState, amendment: Amendment, violations: list[Violation], ctx: Context
) -> AgencyChange:
    """The agency's facts become the amendment's; the rules' verdict may change its status."""
    snapshot, facts = snapshot_of(draft), amendment.facts
    before = {p.id_number for p in snapshot.facts.professionals}
    snapshot.facts = facts
    snapshot.jurisdiction_code = facts.jurisdiction_code
    snapshot.professional_ids |= assign_ids(
        draft, [p.id_number for p in facts.professionals if p.id_number not in before]
    )
    change = amendment.change.model_copy(update={"facts_changed": True})
    change.then = reassess(draft, amendment.reason, change.actor, violations, ctx)
    return change


def _full_time(facts: AgencyFacts) -> list[str]:
    return [p.id_number for p in facts.professionals if p.full_time]
