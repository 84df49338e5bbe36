"""An agency's status under the rules (R9): 限期整改 when it falls below them, 暂停执业 when
the rectification period passes, restored or reinstated when it meets them again; and
what its certificates' expiry does to it.

Each function gets the rules' verdict (``violations``) computed by the workflow through a
local activity, so a later change to the rules never rewrites a recorded step.
"""

from agencyflow.domain.agency import AgencyStatus, Certificate
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import Conflict, Violation
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.domain.monitoring import CertificateDeadline
from agencyflow.workflows.steps import Change, Context, done, message, require, tell

from .application import regulator_of, snapshot_of
from .models import AgencyChange, AgencyState, Decision, agency_resource

RECTIFICATION = "rectification.required"
RECTIFICATION_NOTICE = "rectification.notice"
SUSPENDED = "agency.suspended"
REINSTATEMENT = "reinstatement.review"


def certificate_item(professional_id: str, certificate: Certificate) -> str:
    return f"certificate.expiring.{professional_id}.{certificate.number}"


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
            inbox=done(resource, RECTIFICATION, RECTIFICATION_NOTICE),
        )
    if status is AgencyStatus.SUSPENDED and not violations and not draft.reinstatement_offered:
        draft.reinstatement_offered = True
        return Change(
            kind="status.reinstatement_requested",
            summary=f"{reason}：暂停执业的机构已符合准入条件，待监管部门恢复执业",
            actor=actor,
            inbox=tell(
                resource,
                REINSTATEMENT,
                regulator_of(snapshot),
                f"审核恢复执业：{snapshot.facts.legal_name}",
            ),
        )
    if status is AgencyStatus.SUSPENDED and violations and draft.reinstatement_offered:
        draft.reinstatement_offered = False
        return Change(
            kind="status.reinstatement_withdrawn",
            summary=f"{reason}：机构又不符合准入条件",
            actor=actor,
            reasons=reasons,
            inbox=done(resource, REINSTATEMENT),
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
        inbox=done(resource, RECTIFICATION, RECTIFICATION_NOTICE)
        + tell(
            resource,
            SUSPENDED,
            Addressee.agency(draft.uscc),
            "机构已暂停执业：整改到位后由监管部门恢复执业",
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
        inbox=done(agency_resource(draft.uscc), REINSTATEMENT, SUSPENDED),
    )


# ---------------------------------------------------------------------- certificates


def remind_certificate(draft: AgencyState, deadline: CertificateDeadline) -> AgencyChange:
    draft.reminded.append(deadline.key)
    person, certificate = deadline.professional, deadline.certificate
    return AgencyChange(
        kind="certificate.expiring",
        summary=f"{person.name} 的{certificate.kind.label}证书 {certificate.number} "
        f"将于 {certificate.valid_until.isoformat()} 到期",
        inbox=tell(
            agency_resource(draft.uscc),
            certificate_item(deadline.professional_id, certificate),
            Addressee.agency(draft.uscc),
            f"证书即将到期：{person.name} {certificate.kind.label} {certificate.number}",
            deadline.expires_at,
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
