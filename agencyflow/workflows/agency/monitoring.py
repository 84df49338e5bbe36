"""Monitoring an admitted agency (R9): its facts change, and the rules are applied again.

An amendment's verdict is computed before the step (by the workflow, through a local
activity) and handed in as ``violations``; what it means for the status is `status`'s.
"""

from agencyflow.domain.agency import (
    AgencyFacts,
    Professional,
)
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.inbox import InboxChanges, InboxWithdrawal
from agencyflow.workflows.steps import Context, require, withdrawal

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


def _certificate_withdrawal(
    uscc: str, professional_id: str, person: Professional
) -> InboxWithdrawal:
    return withdrawal(
        agency_resource(uscc), *(certificate_item(professional_id, c) for c in person.certificates)
    )


# ---------------------------------------------------------------------- amendments


def check_amendment(state: AgencyState, actor: Actor) -> None:
    require(
        actor.role is Role.AGENCY and actor.agency_uscc == state.uscc,
        Forbidden("only the agency itself may change its facts"),
    )
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


def joined(state: AgencyState, change: NewProfessional) -> AgencyFacts:
    facts = snapshot_of(state).facts
    return facts.model_copy(update={"professionals": [*facts.professionals, change.professional]})


def left(state: AgencyState, change: ProfessionalLeaves) -> AgencyFacts:
    facts, leaving = snapshot_of(state).facts, professional(state, change.professional_id)
    office = facts.local_office
    if office is not None:
        stationed = [i for i in office.stationed_technicians if i != leaving.id_number]
        office = office.model_copy(update={"stationed_technicians": stationed})
    return facts.model_copy(
        update={
            "professionals": [p for p in facts.professionals if p.id_number != leaving.id_number],
            "local_office": office,
        }
    )


def renewed(state: AgencyState, change: CertificatesRenewed) -> AgencyFacts:
    facts, before = snapshot_of(state).facts, professional(state, change.professional_id)
    after = before.model_copy(update={"certificates": list(change.certificates)})
    return facts.model_copy(
        update={
            "professionals": [
                after if p.id_number == before.id_number else p for p in facts.professionals
            ]
        }
    )


def moved(state: AgencyState, change: OfficeMoved) -> AgencyFacts:
    return snapshot_of(state).facts.model_copy(update={"local_office": change.office})


def rebuilt(state: AgencyState, change: WorkplaceChanged) -> AgencyFacts:
    update: dict[str, object] = {"workplace_area_m2": change.workplace_area_m2}
    if change.registered_address:
        update["registered_address"] = change.registered_address
    return snapshot_of(state).facts.model_copy(update=update)


def amend(
    draft: AgencyState,
    facts: AgencyFacts,
    change: AgencyChange,
    reason: str,
    violations: list[Violation],
    ctx: Context,
) -> AgencyChange:
    """The agency's facts become ``facts``; the rules' verdict may change its status."""
    snapshot = snapshot_of(draft)
    before = {p.id_number for p in snapshot.facts.professionals}
    snapshot.facts = facts
    snapshot.jurisdiction_code = facts.jurisdiction_code
    snapshot.professional_ids |= assign_ids(
        draft, [p.id_number for p in facts.professionals if p.id_number not in before]
    )
    change.facts_changed = True
    change.then = reassess(draft, reason, change.actor, violations, ctx)
    return change


def add_professional(
    draft: AgencyState, change: NewProfessional, violations: list[Violation], ctx: Context
) -> AgencyChange:
    person = change.professional
    facts = joined(draft, change)
    return amend(
        draft,
        facts,
        AgencyChange(
            kind="professional.joined",
            summary=f"{person.name}（{person.masked_id}）加入机构",
            actor=change.actor,
            claims=[p.id_number for p in facts.professionals if p.full_time],
        ),
        f"{person.name} 加入",
        violations,
        ctx,
    )


def remove_professional(
    draft: AgencyState, change: ProfessionalLeaves, violations: list[Violation], ctx: Context
) -> AgencyChange:
    leaving, facts = professional(draft, change.professional_id), left(draft, change)
    return amend(
        draft,
        facts,
        AgencyChange(
            kind="professional.left",
            summary=f"{leaving.name}（{leaving.masked_id}）离开机构",
            actor=change.actor,
            claims=[p.id_number for p in facts.professionals if p.full_time],
            inbox=InboxChanges(
                withdraw=[_certificate_withdrawal(draft.uscc, change.professional_id, leaving)]
            ),
        ),
        f"{leaving.name} 离开",
        violations,
        ctx,
    )


def renew_certificates(
    draft: AgencyState, change: CertificatesRenewed, violations: list[Violation], ctx: Context
) -> AgencyChange:
    before = professional(draft, change.professional_id)
    return amend(
        draft,
        renewed(draft, change),
        AgencyChange(
            kind="professional.certificates_renewed",
            summary=f"{before.name} 的证书已更新",
            actor=change.actor,
            inbox=InboxChanges(
                withdraw=[_certificate_withdrawal(draft.uscc, change.professional_id, before)]
            ),
        ),
        f"{before.name} 的证书更新",
        violations,
        ctx,
    )


def move_office(
    draft: AgencyState, change: OfficeMoved, violations: list[Violation], ctx: Context
) -> AgencyChange:
    return amend(
        draft,
        moved(draft, change),
        AgencyChange(
            kind="office.moved",
            summary=f"本地办公场所变更为 {change.office.address}",
            actor=change.actor,
        ),
        "办公场所变更",
        violations,
        ctx,
    )


def change_workplace(
    draft: AgencyState, change: WorkplaceChanged, violations: list[Violation], ctx: Context
) -> AgencyChange:
    return amend(
        draft,
        rebuilt(draft, change),
        AgencyChange(
            kind="workplace.changed",
            summary=f"办公场所面积变更为 {change.workplace_area_m2:g} m²",
            actor=change.actor,
        ),
        "办公场所面积变更",
        violations,
        ctx,
    )
