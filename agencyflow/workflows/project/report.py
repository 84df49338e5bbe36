"""The service report (R10): due 30 days after the service ends, reminded, late, uploaded,
and handed to the provincial platform 工业企业安全在线.

The upload is what counts for the deadline; the hand-off to the platform runs after it,
outside any step, and its receipt (or refusal) arrives as a step of its own.
"""

import datetime as dt
import math
from datetime import timedelta

from agencyflow.domain.inbox import Addressee
from agencyflow.domain.platform import PlatformReceipt, ReportSubmission
from agencyflow.domain.project import CreditEvent, ProjectProgress, ProjectStage, SubmittedReport
from agencyflow.workflows.changes import REPORT_LATE_ONCE
from agencyflow.workflows.steps import Context, credit_event, done, tell

from .checks import check_agency, county_of, enterprise_name, progress_of, require_stage
from .models import ProjectChange, ProjectState, ReportUpload, project_resource
from .service import REPORT_UPLOAD

REPORT_OVERDUE = "report.overdue"
HANDOFF_FAILING = "report.handoff_failing"


def reminder_item(index: int) -> str:
    return f"report.reminder.{index + 1}"


def check_upload(state: ProjectState, upload: ReportUpload) -> None:
    check_agency(state, upload.actor)
    require_stage(state, ProjectStage.REPORTING, "upload the service report")


def upload_report(draft: ProjectState, upload: ReportUpload, ctx: Context) -> ProjectChange:
    progress = progress_of(draft)
    assert progress.report_due_at is not None
    late = ctx.now - progress.report_due_at
    days_late = math.ceil(late / timedelta(days=1)) if late > timedelta(0) else 0
    progress.report = SubmittedReport(file=upload.file, uploaded_at=ctx.now, days_late=days_late)
    progress.report_refused = None
    resource = project_resource(draft.project_id)
    reminders = (reminder_item(i) for i in range(len(ctx.policy.report_reminders)))
    credit_events = []
    if days_late and not progress.report_late_settled:
        credit_events.append(settle_lateness(draft, ctx, days_late))
    return ProjectChange(
        kind="report.uploaded",
        summary="服务报告已上传，移交省平台工业企业安全在线"
        + (f"；逾期 {days_late} 天" if days_late else "")
        + (f"，记入信用（扣 {credit_events[0].points} 分）" if credit_events else ""),
        actor=upload.actor,
        inbox=done(resource, REPORT_UPLOAD, REPORT_OVERDUE, *reminders),
        credit_events=credit_events,
        hand_off=True,
    )


def settle_lateness(draft: ProjectState, ctx: Context, days_late: int) -> CreditEvent:
    """The late report's one credit event (R8): the larger deduction once it is the policy's
    serious lateness past its deadline, the smaller before. Written once per report: at its
    upload, or when the serious lateness passes while it is still missing."""
    progress = progress_of(draft)
    assert progress.report_due_at is not None
    progress.report_late_settled = True
    late = ctx.now - progress.report_due_at
    deductions = ctx.policy.credit_deductions
    serious = late >= ctx.policy.report_late_serious_after
    return credit_event(
        draft.agency_uscc,
        f"{project_resource(draft.project_id)}#report.late",
        "report.late",
        ctx.now,
        {"days_late": days_late},
        points=deductions.late_report_over_60_days if serious else deductions.late_report,
    )


def serious_lateness_due(progress: ProjectProgress, ctx: Context) -> dt.datetime | None:
    """When a report still missing costs the larger deduction, unless already settled."""
    if REPORT_LATE_ONCE not in ctx.changes or progress.report_late_settled:
        return None
    if progress.report is not None or not progress.overdue or progress.report_due_at is None:
        return None
    return progress.report_due_at + ctx.policy.report_late_serious_after


def seriously_late(draft: ProjectState, ctx: Context) -> ProjectChange:
    days = math.ceil(ctx.policy.report_late_serious_after / timedelta(days=1))
    event = settle_lateness(draft, ctx, days)
    return ProjectChange(
        kind="report.seriously_late",
        summary=f"服务报告逾期 {days} 天仍未上传，记入信用（扣 {event.points} 分）",
        credit_events=[event],
    )


def submission(state: ProjectState) -> ReportSubmission:
    """What goes to the platform: the uploaded report and whose it is."""
    progress = progress_of(state)
    assert state.request is not None and progress.report is not None
    assert progress.service_ended_on is not None
    return ReportSubmission(
        project_id=state.project_id,
        agency_uscc=state.agency_uscc,
        agency_name=state.agency_name,
        enterprise_uscc=state.request.enterprise.uscc,
        enterprise_name=state.request.enterprise.name,
        service_type=state.request.service_type,
        service_ended_on=progress.service_ended_on,
        file=progress.report.file,
    )


def awaiting_receipt(state: ProjectState) -> bool:
    progress = state.progress
    return progress is not None and progress.report is not None and progress.report.awaiting_receipt


def received(draft: ProjectState, receipt: PlatformReceipt, ctx: Context) -> ProjectChange:
    """The report is on the platform: from now it can be spot-checked, for a window."""
    progress = progress_of(draft)
    assert progress.report is not None
    progress.report.receipt_number = receipt.receipt_number
    progress.report.received_at = receipt.accepted_at
    progress.handoff_failing = False
    progress.spot_check_window_ends_at = ctx.now + ctx.policy.spot_check_window
    return ProjectChange(
        kind="report.received",
        summary=f"省平台已接收服务报告（回执 {receipt.receipt_number}）",
        inbox=done(project_resource(draft.project_id), HANDOFF_FAILING),
    )


def refused(draft: ProjectState, reason: str) -> ProjectChange:
    """The platform refused the report itself: it does not count as uploaded; upload again."""
    progress = progress_of(draft)
    progress.report = None
    progress.report_refused = reason
    progress.spot_check_window_ends_at = None
    progress.handoff_failing = False
    resource = project_resource(draft.project_id)
    return ProjectChange(
        kind="report.refused",
        summary=f"省平台退回服务报告：{reason}",
        reasons=[reason],
        inbox=done(resource, HANDOFF_FAILING)
        + tell(
            resource,
            REPORT_UPLOAD,
            Addressee.agency(draft.agency_uscc),
            f"服务报告被省平台退回，请更正后重新上传：{enterprise_name(draft)}",
            progress.report_due_at,
        ),
    )


def handoff_failing(draft: ProjectState, ctx: Context) -> ProjectChange:
    """The platform has not taken the report in the policy's time: a person must look."""
    progress_of(draft).handoff_failing = True
    hours = ctx.policy.platform_handoff_alert_after / timedelta(hours=1)
    title = f"服务报告未能移交省平台：{draft.agency_name} → {enterprise_name(draft)}"
    return ProjectChange(
        kind="report.handoff_failing",
        summary=f"服务报告 {hours:g} 小时内未能移交省平台，已通知系统管理员；系统将继续重试",
        inbox=tell(project_resource(draft.project_id), HANDOFF_FAILING, Addressee.admin(), title),
    )


def remind(draft: ProjectState, index: int, ctx: Context) -> ProjectChange:
    progress = progress_of(draft)
    assert progress.report_due_at is not None
    draft.reminders_sent.append(index)
    left = progress.report_due_at - ctx.now
    days_left = max(math.ceil(left / timedelta(days=1)), 0)
    return ProjectChange(
        kind="report.reminded",
        summary=f"提醒：服务报告上传期限还剩 {days_left} 天",
        inbox=tell(
            project_resource(draft.project_id),
            reminder_item(index),
            Addressee.agency(draft.agency_uscc),
            f"服务报告即将逾期（剩 {days_left} 天）：{enterprise_name(draft)}",
            progress.report_due_at,
        ),
    )


def overdue(draft: ProjectState, ctx: Context) -> ProjectChange:
    progress = progress_of(draft)
    progress.overdue = True
    resource = project_resource(draft.project_id)
    return ProjectChange(
        kind="report.overdue",
        summary="服务报告逾期未上传，已告知县级应急管理部门；上传时按逾期天数记入信用",
        inbox=tell(
            resource,
            REPORT_OVERDUE,
            Addressee.county(county_of(draft)),
            f"服务报告逾期：{draft.agency_name} → {enterprise_name(draft)}",
            progress.report_due_at,
        ),
    )
