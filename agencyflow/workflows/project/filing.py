"""The written contract and the practice notification (执业告知, R2, R3, R6).

The agency files its signed contract; the notification goes to the county where the
enterprise is, which acknowledges it or returns it with reasons; a returned one is
corrected and filed again; unanswered within the policy's working days it goes to the city.
"""

import datetime as dt

from agencyflow.domain.errors import Conflict, Forbidden, RuleViolations
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.domain.project import FilingStatus, ProjectProgress, ProjectStage
from agencyflow.domain.project_rules import check_project_request, practice_notification
from agencyflow.domain.records import ProjectOpening
from agencyflow.workflows.steps import (
    Context,
    done,
    message,
    require,
    require_agency,
    require_reasons,
    tell,
)

from .checks import check_agency, check_regulator, enterprise_name, progress_of
from .models import (
    CreateProject,
    FilingDecision,
    ProjectChange,
    ProjectState,
    Refiling,
    project_resource,
)

FILING_REVIEW = "filing.review"
FILING_ESCALATED = "filing.escalated"
FILING_CORRECT = "filing.correct"
PLAN_SUBMIT = "plan.submit"


# ---------------------------------------------------------------------- filing the contract


def check_create(state: ProjectState, command: CreateProject) -> None:
    """Who files, and whether the agency may start a project now."""
    actor, agency = command.actor, command.agency
    require_agency(actor, state.agency_uscc, "only the agency itself may file its contracts")
    require(agency.uscc == state.agency_uscc, Forbidden("the agency's record is not this agency's"))
    require(
        agency.status.may_start_projects,
        Conflict(
            f"the agency is {agency.status.label} and may not start new projects",
            code="agency.cannot_start_projects",
        ),
    )


def check_create_rules(command: CreateProject, ctx: Context) -> None:
    """The contract (R3), scope and team; checked before the contract is accepted only."""
    violations = check_project_request(
        command.request, command.agency, ctx.policy.admission_rules(), ctx.today
    )
    if violations:
        raise RuleViolations(violations)


def same_contract_again(state: ProjectState, command: CreateProject) -> None:
    """The same request again is answered with the project; other terms are a conflict."""
    assert state.request is not None
    require(
        command.request == state.request and command.actor.agency_uscc == state.agency_uscc,
        Conflict(
            f"contract {command.request.contract.number} already belongs to project "
            f"{state.project_id} with other terms; a new contract needs its own number",
            code="project.contract_number_taken",
        ),
    )


def create(
    draft: ProjectState, command: CreateProject, ctx: Context, filing_due: dt.datetime
) -> ProjectChange:
    request, agency = command.request, command.agency
    draft.agency_name = agency.facts.legal_name
    draft.request = request
    draft.created_at = ctx.now
    draft.notification_revision = 1
    draft.progress = ProjectProgress(
        stage=ProjectStage.FILING, updated_at=ctx.now, filing_due_at=filing_due
    )
    resource, enterprise = project_resource(draft.project_id), request.enterprise
    return ProjectChange(
        kind="project.created",
        summary=f"签订书面合同（{request.contract.number}），向{enterprise.name}所在县报送执业告知",
        actor=command.actor,
        opening=ProjectOpening(
            agency_uscc=draft.agency_uscc, agency_name=draft.agency_name, created_at=ctx.now
        ),
        request=request,
        notification=practice_notification(request, agency),
        inbox=InboxChanges(
            send=[
                message(
                    resource,
                    FILING_REVIEW,
                    Addressee.county(enterprise.county_code),
                    f"确认执业告知：{draft.agency_name} → {enterprise.name}",
                    filing_due,
                ),
                message(
                    resource,
                    PLAN_SUBMIT,
                    Addressee.agency(draft.agency_uscc),
                    f"提交服务方案：{enterprise.name}",
                ),
            ]
        ),
    )


# ---------------------------------------------------------------------- the county's review


def check_filing_decision(
    state: ProjectState, decision: FilingDecision, *, reasons_required: bool = False
) -> None:
    check_regulator(state, decision.actor)
    status = progress_of(state).filing_status
    require(
        status is FilingStatus.PENDING,
        Conflict(
            f"the practice notification is not awaiting review: it is {status.label}",
            code="project.filing_not_pending",
        ),
    )
    if reasons_required:
        require_reasons(decision.reasons)


def acknowledge(draft: ProjectState, decision: FilingDecision) -> ProjectChange:
    progress_of(draft).filing_status = FilingStatus.ACKNOWLEDGED
    return ProjectChange(
        kind="filing.acknowledged",
        summary="县级应急管理部门确认执业告知",
        actor=decision.actor,
        inbox=done(project_resource(draft.project_id), FILING_REVIEW, FILING_ESCALATED),
    )


def return_filing(draft: ProjectState, decision: FilingDecision) -> ProjectChange:
    progress = progress_of(draft)
    progress.filing_status = FilingStatus.RETURNED
    progress.filing_return_reasons = list(decision.reasons)
    resource = project_resource(draft.project_id)
    return ProjectChange(
        kind="filing.returned",
        summary="执业告知被退回补正",
        actor=decision.actor,
        reasons=decision.reasons,
        inbox=done(resource, FILING_REVIEW, FILING_ESCALATED)
        + tell(
            resource,
            FILING_CORRECT,
            Addressee.agency(draft.agency_uscc),
            f"执业告知被退回：{enterprise_name(draft)}",
        ),
    )


def escalate(draft: ProjectState, ctx: Context) -> ProjectChange:
    """Unanswered within the policy's working days: the city is told."""
    progress_of(draft).filing_escalated = True
    days = ctx.policy.filing_review_working_days
    resource = project_resource(draft.project_id)
    title = f"逾期未确认的执业告知：{draft.agency_name} → {enterprise_name(draft)}"
    return ProjectChange(
        kind="filing.escalated",
        summary=f"执业告知 {days} 个工作日内未获确认，已提交市局",
        inbox=tell(resource, FILING_ESCALATED, Addressee.city(), title),
    )


# ---------------------------------------------------------------------- refiling


def check_refile(state: ProjectState, refiling: Refiling) -> None:
    check_agency(state, refiling.actor)
    status = progress_of(state).filing_status
    require(
        status is FilingStatus.RETURNED,
        Conflict(
            f"only a returned notification can be refiled; it is {status.label}",
            code="project.filing_not_returned",
        ),
    )


def check_refile_rules(state: ProjectState, refiling: Refiling, ctx: Context) -> None:
    """A corrected team must pass the team rules a new contract would."""
    if refiling.team is None:
        return
    assert state.request is not None
    request = state.request.model_copy(update={"team": refiling.team})
    violations = [
        v
        for v in check_project_request(
            request, refiling.agency, ctx.policy.admission_rules(), ctx.today
        )
        if v.field is not None and v.field.startswith("team")
    ]
    if violations:
        raise RuleViolations(violations)


def refile(
    draft: ProjectState, refiling: Refiling, ctx: Context, filing_due: dt.datetime
) -> ProjectChange:
    assert draft.request is not None
    changed_team = refiling.team is not None
    if refiling.team is not None:
        draft.request = draft.request.model_copy(update={"team": refiling.team})
    draft.notification_revision += 1
    revision = draft.notification_revision
    progress = progress_of(draft)
    progress.filing_status = FilingStatus.PENDING
    progress.filing_escalated = False
    progress.filing_return_reasons = []
    progress.filing_due_at = filing_due
    resource, enterprise = project_resource(draft.project_id), draft.request.enterprise
    return ProjectChange(
        kind="filing.refiled",
        summary=f"补正后重新报送执业告知（第 {revision} 版）",
        actor=refiling.actor,
        reasons=[refiling.note] if refiling.note else [],
        request=draft.request if changed_team else None,
        notification=practice_notification(draft.request, refiling.agency, revision),
        inbox=done(resource, FILING_CORRECT)
        + tell(
            resource,
            FILING_REVIEW,
            Addressee.county(enterprise.county_code),
            f"确认执业告知（补正）：{draft.agency_name} → {enterprise.name}",
            filing_due,
        ),
    )
