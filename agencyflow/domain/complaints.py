"""Complaints and whistleblowers (举报, R13): where a complaint is handled, and the reward for
one found true, as pure rules that show their inputs."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from .identity import Actor, Role, may_access
from .labels import LabelledEnum

CENT = Decimal("0.01")


class RewardRules(BaseModel):
    """The reward's numbers; a slice of `Policy` (national and Zhejiang reward rules)."""

    model_config = ConfigDict(frozen=True)

    share_percent: int
    min_yuan: int
    max_yuan: int


class Reward(BaseModel):
    """The reward for a complaint found true, with everything it was computed from."""

    fine_yuan: Decimal
    share_percent: int
    share_yuan: Decimal
    """The share of the fine, before the bounds."""
    min_yuan: int
    max_yuan: int
    reward_yuan: Decimal
    bound: str | None
    """``min`` or ``max`` when a bound decided the amount, else None."""


def reward_for(fine_yuan: Decimal, rules: RewardRules) -> Reward:
    """The policy's share of the fine, rounded to the fen, raised to the minimum and held to
    the maximum. A report found true earns at least the minimum even when the fine is small
    or there is none: the minimum is what the rules promise a true report."""
    if fine_yuan < 0:
        raise ValueError("a fine is never negative")
    share = (fine_yuan * rules.share_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    low, high = Decimal(rules.min_yuan), Decimal(rules.max_yuan)
    reward, bound = share, None
    if share < low:
        reward, bound = low, "min"
    elif share > high:
        reward, bound = high, "max"
    return Reward(
        fine_yuan=fine_yuan,
        share_percent=rules.share_percent,
        share_yuan=share,
        min_yuan=rules.min_yuan,
        max_yuan=rules.max_yuan,
        reward_yuan=reward.quantize(CENT),
        bound=bound,
    )


def complaint_resource(code: str) -> str:
    """The complaint as the inbox, the timeline and its files name it."""
    return f"complaints/{code}"


def may_handle(actor: Actor, county_code: str | None) -> bool:
    """Whether the actor handles a complaint routed to this county (None: the city's own):
    its regulators and the city's, never an agency, the one complained about least of all."""
    if not actor.role.is_regulator:
        return False
    if county_code is None:
        return actor.role is Role.CITY_REGULATOR
    return may_access(actor, county_code=county_code)


def handling_county(enterprise_county: str | None, agency_jurisdiction: str | None) -> str | None:
    """The county that handles a complaint: where the agency worked (the enterprise's county,
    when the complaint names one), else the agency's own; None (the city) for an
    out-of-town agency complained about without an enterprise in Lishui."""
    return enterprise_county or agency_jurisdiction


class ComplaintStage(LabelledEnum):
    FILED = ("filed", "待受理")
    INVESTIGATING = ("investigating", "调查中")
    REFUSED = ("refused", "不予受理")
    DECIDED = ("decided", "已办结")
    MERGED = ("merged", "已合并办理")


class ComplaintOutcome(LabelledEnum):
    TRUE = ("true", "属实")
    PARTLY_TRUE = ("partly_true", "部分属实")
    NOT_TRUE = ("not_true", "不属实")

    @property
    def founded(self) -> bool:
        return self is not ComplaintOutcome.NOT_TRUE


class ComplaintSubject(BaseModel):
    """What the complaint is about, as its workflow carries it: the reporter only by a
    reference to their sealed identity, never in clear."""

    code: str
    agency_uscc: str | None
    agency_name: str
    enterprise_name: str | None = None
    enterprise_county: str | None = None
    project_id: str | None = None
    county_code: str | None
    """The handling county (`handling_county`); None: the city."""
    happened_on: dt.date | None = None
    account: str
    """What happened, as the reporter tells it."""
    files: list[str] = []
    whistleblower: bool = False
    """From inside the agency (内部吹哨人)."""
    reporter_ref: str | None = None
    """The sealed identity's reference; None: anonymous."""
    filed_at: dt.datetime


class Report(BaseModel):
    """One report of a matter, as a merge keeps it: enough to know who came first, the
    reporter only by reference."""

    code: str
    filed_at: dt.datetime
    reporter_ref: str | None = None


def first_reporter(reports: list[Report]) -> Report:
    """Of the reports merged into one matter, the one filed first: its reporter alone keeps
    the right to the reward (R13). An anonymous reporter keeps it too, and claims it with
    the tracking code and secret."""
    return min(reports, key=lambda report: (report.filed_at, report.code))


class ComplaintProgress(BaseModel):
    stage: ComplaintStage = ComplaintStage.FILED
    acceptance_due_at: dt.datetime
    acceptance_overdue: bool = False
    accepted_at: dt.datetime | None = None
    handled_by: str | None = None
    investigation_due_at: dt.datetime | None = None
    reminders_sent: int = 0
    extended_days: int | None = None
    extension_reason: str | None = None
    investigation_overdue: bool = False
    refusal_reasons: list[str] = []
    outcome: ComplaintOutcome | None = None
    findings: str = ""
    """Internal: never shown to the reporter or the public."""
    published: str = ""
    """What the reporter and the public are told of the outcome."""
    fine_yuan: Decimal | None = None
    merged: list[Report] = []
    """Later reports of the same matter, merged into this one."""
    merged_into: str | None = None
    """The complaint this one was merged into (stage ``merged``)."""
    reward: Reward | None = None
    reward_holder: str | None = None
    """The code of the report whose reporter is owed the reward (`first_reporter`)."""
    reward_approved_at: dt.datetime | None = None
    reward_approved_by: str | None = None
    reward_paid_on: dt.date | None = None
    closed_at: dt.datetime | None = None

    @property
    def open(self) -> bool:
        return self.stage in (ComplaintStage.FILED, ComplaintStage.INVESTIGATING)

    @property
    def settled(self) -> bool:
        """Nothing left to do: closed, and any reward paid."""
        return not self.open and (self.reward is None or self.reward_paid_on is not None)
