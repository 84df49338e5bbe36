"""The reward of a complaint found true (R13): approved, then recorded paid with its day."""

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.complaints import ComplaintProgress, ComplaintStage, complaint_resource
from agencyflow.domain.errors import Conflict, RuleViolations
from agencyflow.domain.identity import Actor
from agencyflow.workflows.steps import Context, done, require

from .models import ComplaintChange, ComplaintState, RewardApproval, RewardPayment
from .steps import REWARD_ITEM, check_stage, progress_of, subject_of


def _check_reward(state: ComplaintState, actor: Actor) -> ComplaintProgress:
    check_stage(state, actor, ComplaintStage.DECIDED, "decided")
    progress = progress_of(state)
    require(
        progress.reward is not None,
        Conflict("no reward is owed for this complaint", code="complaint.no_reward"),
    )
    return progress


def check_reward_approval(state: ComplaintState, approval: RewardApproval) -> None:
    progress = _check_reward(state, approval.actor)
    require(
        progress.reward_approved_at is None,
        Conflict("the reward is approved already", code="complaint.reward_approved"),
    )


def approve_reward(
    draft: ComplaintState, approval: RewardApproval, ctx: Context
) -> ComplaintChange:
    progress = progress_of(draft)
    assert progress.reward is not None
    progress.reward_approved_at, progress.reward_approved_by = ctx.now, approval.actor.label
    return ComplaintChange(
        kind="complaint.reward_approved",
        summary=f"批准举报奖励 {progress.reward.reward_yuan} 元（举报 {progress.reward_holder}）",
        actor=approval.actor,
    )


def check_reward_payment(state: ComplaintState, payment: RewardPayment, ctx: Context) -> None:
    progress = _check_reward(state, payment.actor)
    approved_at = progress.reward_approved_at
    require(
        approved_at is not None,
        Conflict("a reward is approved before it is paid", code="complaint.reward_not_approved"),
    )
    assert approved_at is not None
    require(
        progress.reward_paid_on is None,
        Conflict("the reward is paid already", code="complaint.reward_paid"),
    )
    approved = approved_at.astimezone(CHINA_TZ).date()
    today = ctx.now.astimezone(CHINA_TZ).date()
    if not approved <= payment.paid_on <= today:
        raise RuleViolations.one(
            "complaint.paid_on", "paid_on", f"a day from its approval ({approved}) to today"
        )


def pay_reward(draft: ComplaintState, payment: RewardPayment) -> ComplaintChange:
    subject, progress = subject_of(draft), progress_of(draft)
    assert progress.reward is not None
    progress.reward_paid_on = payment.paid_on
    return ComplaintChange(
        kind="complaint.reward_paid",
        summary=f"举报奖励 {progress.reward.reward_yuan} 元已于 {payment.paid_on} 兑付",
        actor=payment.actor,
        inbox=done(complaint_resource(subject.code), REWARD_ITEM),
    )
