"""Merging reports of one matter (R13): a later report taken into the complaint that answers
for both, and the merged one closed when it hears of it."""

from agencyflow.domain.complaints import ComplaintStage, complaint_resource
from agencyflow.domain.errors import Conflict
from agencyflow.workflows.steps import Context, done, require, require_regulator

from .models import ComplaintChange, ComplaintState, Merge
from .steps import ALL_ITEMS, OPEN, progress_of, subject_of


def check_merge(state: ComplaintState, merge: Merge) -> None:
    require_regulator(merge.actor, subject_of(state).county_code, "complaint")
    progress, code = progress_of(state), merge.report.code
    require(
        progress.stage in OPEN,
        Conflict("only an open complaint takes others in", code="complaint.closed"),
    )
    require(
        code != subject_of(state).code and code not in {r.code for r in progress.merged},
        Conflict(f"{code} is merged here already", code="complaint.already_merged"),
    )


def merge(draft: ComplaintState, merge: Merge) -> ComplaintChange:
    progress_of(draft).merged.append(merge.report)
    return ComplaintChange(
        kind="complaint.merged_in",
        summary=f"合并同一事项的举报 {merge.report.code}",
        actor=merge.actor,
    )


def merged_into(draft: ComplaintState, into: str, ctx: Context) -> ComplaintChange:
    """Closed as merged into ``into``, which answers for both."""
    subject, progress = subject_of(draft), progress_of(draft)
    progress.stage, progress.merged_into, progress.closed_at = ComplaintStage.MERGED, into, ctx.now
    progress.published = f"已与同一事项的举报 {into} 合并办理"
    draft.merge_pending = None
    return ComplaintChange(
        kind="complaint.merged",
        summary=f"并入举报 {into} 办理",
        inbox=done(complaint_resource(subject.code), *ALL_ITEMS),
    )
