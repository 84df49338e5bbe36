"""Monitoring an admitted agency (R9): its facts change, and the rules are applied again.

Falling below the rules means 限期整改 (rectification within the policy's period), then
暂停执业 (suspension) until a regulator reinstates it. An amendment's verdict is computed
before the step (by the workflow, through a local activity, so a later change to the rules
never rewrites a recorded step) and handed in as ``violations``.
"""

from agencyflow.domain.agency import (
    AgencyFacts,
    AgencySnapshot,
    AgencyStatus,
    Certificate,
    Professional,
)
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.inbox import Addressee, InboxChanges, InboxWithdrawal
from agencyflow.domain.monitoring import CertificateDeadline
from agencyflow.workflows.steps import Change, Context, message, require, withdrawal

from .application import assign_ids, regulator_of, snapshot_of
from .models import (
    AgencyChange,
    AgencyState,
    CertificatesRenewed,
    Decision,
    NewProfessional,
    OfficeMoved,
    ProfessionalLeaves,
    WorkplaceChanged,
    agency_resource,
)

RECTIFICATION = "rectification.required"
RECTIFICATION_NOTICE = "rectification.notice"
SUSPENDED = "agency.suspended"
REINSTATEMENT = "reinstatement.review"


def certificate_item(professional_id: str, certificate: Certificate) -> str:
    return f"certificate.expiring.{professional_id}.{certificate.number}"


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


# ---------------------------------------------------------------------- the rules' verdict


def reassess(
    draft: AgencyState,
    reason: str,
    actor: Actor | None,
    violations: list[Violation],
    ctx: Context,
) -> Change | None:
    """Move the status as the rules' verdict says (R9); None if it stays as it is."""
    snapshot = snapshot_of(draft)
    snapshot.violations = violations
    reasons = [v.message for v in violations]
    status, resource = snapshot.status, agency_resource(draft.uscc)
    if status is AgencyStatus.ACTIVE and violations:
        due = ctx.now + ctx.policy.agency_rectification_period
        snapshot.status = AgencyStatus.RECTIFICATION_REQUIRED
        snapshot.rectification_due_at = due
        return Change(
            kind="status.rectification_required",
            summary=f"{reason}：机构不再符合准入条件，"
            f"须于 {due.astimezone(CHINA_TZ):%Y-%m-%d} 前整改",
            actor=actor,
            reasons=reasons,
            inbox=InboxChanges(
                send=[
                    message(
                        resource,
                        RECTIFICATION,
                        Addressee.agency(draft.uscc),
                        "机构不再符合准入条件：请限期整改",
                        due,
                    ),
                    message(
                        resource,
                        RECTIFICATION_NOTICE,
                        regulator_of(snapshot),
                        f"机构限期整改：{snapshot.facts.legal_name}",
                        due,
                    ),
                ]
            ),
        )
    if status is AgencyStatus.RECTIFICATION_REQUIRED and not violations:
        snapshot.status = AgencyStatus.ACTIVE
        snapshot.rectification_due_at = None
        return Change(
            kind="status.restored",
            summary=f"{reason}：机构已恢复符合准入条件",
            actor=actor,
            inbox=InboxChanges(
                withdraw=[withdrawal(resource, RECTIFICATION, RECTIFICATION_NOTICE)]
            ),
        )
    if status is AgencyStatus.SUSPENDED and not violations and not draft.reinstatement_offered:
        draft.reinstatement_offered = True
        return Change(
            kind="status.reinstatement_requested",
            summary=f"{reason}：暂停执业的机构已符合准入条件，待监管部门恢复执业",
            actor=actor,
            inbox=InboxChanges(
                send=[
                    message(
                        resource,
                        REINSTATEMENT,
                        regulator_of(snapshot),
                        f"审核恢复执业：{snapshot.facts.legal_name}",
                    )
                ]
            ),
        )
    if status is AgencyStatus.SUSPENDED and violations and draft.reinstatement_offered:
        draft.reinstatement_offered = False
        return Change(
            kind="status.reinstatement_withdrawn",
            summary=f"{reason}：机构又不符合准入条件",
            actor=actor,
            reasons=reasons,
            inbox=InboxChanges(withdraw=[withdrawal(resource, REINSTATEMENT)]),
        )
    return None


def rectification_deadline_passed(
    draft: AgencyState, violations: list[Violation], ctx: Context
) -> AgencyChange:
    snapshot = snapshot_of(draft)
    if not violations:
        restored = reassess(draft, "整改期限届满", None, violations, ctx)
        assert restored is not None, "a rectification that meets the rules is restored"
        return AgencyChange(**restored.model_dump())
    snapshot.status = AgencyStatus.SUSPENDED
    snapshot.rectification_due_at = None
    snapshot.violations = violations
    draft.reinstatement_offered = False
    resource = agency_resource(draft.uscc)
    return AgencyChange(
        kind="status.suspended",
        summary="整改期限届满仍不符合准入条件：暂停执业，不得承接新项目",
        reasons=[v.message for v in violations],
        inbox=InboxChanges(
            withdraw=[withdrawal(resource, RECTIFICATION, RECTIFICATION_NOTICE)],
            send=[
                message(
                    resource,
                    SUSPENDED,
                    Addressee.agency(draft.uscc),
                    "机构已暂停执业：整改到位后由监管部门恢复执业",
                )
            ],
        ),
    )


def check_reinstate(state: AgencyState, decision: Decision) -> None:
    status = snapshot_of(state).status
    require(
        status is AgencyStatus.SUSPENDED,
        Conflict(
            f"only a suspended agency can be reinstated; this one is {status.label}",
            code="agency.not_suspended",
        ),
    )


def reinstate(draft: AgencyState, decision: Decision) -> AgencyChange:
    snapshot = snapshot_of(draft)
    snapshot.status = AgencyStatus.ACTIVE
    snapshot.violations = []
    draft.reinstatement_offered = False
    return AgencyChange(
        kind="status.reinstated",
        summary="监管部门恢复机构执业",
        actor=decision.actor,
        reasons=[decision.notes] if decision.notes else [],
        inbox=InboxChanges(
            withdraw=[withdrawal(agency_resource(draft.uscc), REINSTATEMENT, SUSPENDED)]
        ),
    )


# ---------------------------------------------------------------------- certificates


def remind_certificate(draft: AgencyState, deadline: CertificateDeadline) -> AgencyChange:
    draft.reminded.append(deadline.key)
    person, certificate = deadline.professional, deadline.certificate
    return AgencyChange(
        kind="certificate.expiring",
        summary=f"{person.name} 的{certificate.kind.label}证书 {certificate.number} "
        f"将于 {certificate.valid_until.isoformat()} 到期",
        inbox=InboxChanges(
            send=[
                message(
                    agency_resource(draft.uscc),
                    certificate_item(deadline.professional_id, certificate),
                    Addressee.agency(draft.uscc),
                    f"证书即将到期：{person.name} {certificate.kind.label} {certificate.number}",
                    deadline.expires_at,
                )
            ]
        ),
    )


def certificate_expired(
    draft: AgencyState, deadline: CertificateDeadline, violations: list[Violation], ctx: Context
) -> AgencyChange:
    draft.expired.append(deadline.key)
    person, certificate = deadline.professional, deadline.certificate
    expired = (
        f"{person.name} 的{certificate.kind.label}证书 {certificate.number} "
        f"已于 {certificate.valid_until.isoformat()} 到期"
    )
    change = AgencyChange(kind="certificate.expired", summary=expired)
    change.then = reassess(draft, expired, None, violations, ctx)
    return change


def snapshot_needs_verdict(snapshot: AgencySnapshot) -> bool:
    """Whether the agency's status depends on the rules (it does once admitted)."""
    return snapshot.status.is_admitted
