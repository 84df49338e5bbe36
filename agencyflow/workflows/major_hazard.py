"""`MajorHazardWorkflow`: one major hazard (重大事故隐患), followed to its verified end (R5).

A child of the project that found it, with parent-close policy ABANDON: it lives on after
the project closes. The county regulator was told when the visit recorded it; unacknowledged
within the policy's time (24 h) it climbs to the city.

Updates: ``acknowledge``, ``supervise`` (挂牌督办), ``verify`` (regulators), ``submit_evidence``
(enterprise or agency), ``correct`` (agency). Queries: ``record``.
"""

import asyncio
import datetime as dt
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import MAJOR_HAZARD_RECORD
    from agencyflow.domain.errors import Conflict
    from agencyflow.domain.hazard import HazardEntry, HazardRecord, HazardStatus, MajorHazardState
    from agencyflow.domain.hazard_rules import end_of_day
    from agencyflow.domain.identity import Actor
    from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage, InboxWithdrawal
    from agencyflow.domain.records import MajorHazardRecord

    from . import hazard_steps
    from .hazard_models import (
        Acknowledgement,
        HazardCorrection,
        HazardEvidence,
        HazardVerification,
        MajorHazardInput,
        Supervision,
        hazard_resource,
    )
    from .steps import require, require_reasons, require_regulator, sleep_until, today

ACKNOWLEDGE = "major_hazard.acknowledge"
ESCALATED = "major_hazard.escalated"
VERIFY = "major_hazard.verify"
RECTIFY = "hazard.rectify"


@workflow.defn
class MajorHazardWorkflow:
    @workflow.init
    def __init__(self, input: MajorHazardInput) -> None:
        self._record = input.record
        if self._record.major is None:
            self._record.major = MajorHazardState()
        self._policy = input.policy
        self._resource = hazard_resource(self._record.hazard_id)
        self._lock = asyncio.Lock()
        self._timers_changed = False

    @workflow.run
    async def run(self, input: MajorHazardInput) -> None:
        while self._record.is_open:
            self._timers_changed = False
            await sleep_until(self._next_timer(), lambda: self._timers_changed)
            async with self._lock:
                await self._on_time()
        await workflow.wait_condition(workflow.all_handlers_finished)

    @property
    def _major(self) -> MajorHazardState:
        assert self._record.major is not None
        return self._record.major

    def _ack_due(self) -> dt.datetime:
        return self._record.found_at + self._policy.major_hazard_ack_within

    def _next_timer(self) -> dt.datetime | None:
        due = []
        if self._major.acknowledged_at is None and not self._major.escalated:
            due.append(self._ack_due())
        if self._record.deadline is not None and not self._record.overdue:
            due.append(self._record.deadline)
        return min(due, default=None)

    async def _on_time(self) -> None:
        now = workflow.now()
        record = self._record
        if not record.is_open:
            return
        if (
            self._major.acknowledged_at is None
            and not self._major.escalated
            and now >= self._ack_due()
        ):
            self._major.escalated = True
            hours = self._policy.major_hazard_ack_within / timedelta(hours=1)
            await self._commit(
                hazard_steps.append(
                    record, "escalated", f"县级应急管理部门 {hours:g} 小时内未确认，已上报市局"
                ),
                InboxChanges(
                    send=[
                        self._message(
                            ESCALATED,
                            Addressee.city(),
                            f"重大事故隐患逾期未确认：{self._where}",
                        )
                    ]
                ),
            )
        if record.deadline is not None and not record.overdue and now >= record.deadline:
            record.overdue = True
            await self._commit(
                hazard_steps.append(record, "overdue", "重大事故隐患超过整改期限仍未销号"),
                InboxChanges(),
            )

    # ------------------------------------------------------------------ regulators

    @workflow.update
    async def acknowledge(self, ack: Acknowledgement) -> HazardRecord:
        async with self._lock:
            self._check_acknowledge(ack)
            self._major.acknowledged_at = workflow.now()
            self._major.acknowledged_by = ack.actor.label
            await self._commit(
                hazard_steps.append(
                    self._record,
                    "acknowledged",
                    "监管部门确认重大事故隐患" + self._notes(ack.notes),
                    actor=ack.actor,
                ),
                InboxChanges(withdraw=[self._withdrawal(ACKNOWLEDGE, ESCALATED)]),
            )
            return self._record

    @acknowledge.validator
    def _validate_acknowledge(self, ack: Acknowledgement) -> None:
        self._check_acknowledge(ack)

    def _check_acknowledge(self, ack: Acknowledgement) -> None:
        self._check_regulator(ack.actor)
        require(
            self._major.acknowledged_at is None,
            Conflict(
                "the major hazard is already acknowledged", code="hazard.already_acknowledged"
            ),
        )

    @workflow.update
    async def supervise(self, supervision: Supervision) -> HazardRecord:
        async with self._lock:
            self._check_supervise(supervision)
            record = self._record
            self._major.supervised_deadline = supervision.deadline
            record.deadline = end_of_day(supervision.deadline)
            record.overdue = workflow.now() >= record.deadline
            await self._commit(
                hazard_steps.append(
                    record,
                    "supervised",
                    f"挂牌督办，限 {supervision.deadline.isoformat()} 前整改完成"
                    + self._notes(supervision.notes),
                    actor=supervision.actor,
                    data={"deadline": supervision.deadline.isoformat()},
                ),
                InboxChanges(),
            )
            return record

    @supervise.validator
    def _validate_supervise(self, supervision: Supervision) -> None:
        self._check_supervise(supervision)

    def _check_supervise(self, supervision: Supervision) -> None:
        self._check_regulator(supervision.actor)
        self._check_open()
        require(
            self._major.acknowledged_at is not None,
            Conflict("acknowledge the major hazard first", code="hazard.not_acknowledged"),
        )
        require(
            supervision.deadline >= today(),
            Conflict("a supervised deadline lies ahead", code="hazard.deadline_in_past"),
        )

    @workflow.update
    async def verify(self, verification: HazardVerification) -> HazardRecord:
        async with self._lock:
            self._check_verify(verification)
            record = self._record
            actor = verification.actor
            if verification.accepted:
                record.status = HazardStatus.CLOSED
                record.closed_at = workflow.now()
                await self._commit(
                    hazard_steps.append(
                        record, "verified", "监管部门核查通过，重大事故隐患销号", actor=actor
                    ),
                    InboxChanges(
                        withdraw=[self._withdrawal(VERIFY, ACKNOWLEDGE, ESCALATED, RECTIFY)]
                    ),
                )
            else:
                record.status = HazardStatus.OPEN
                self._major.verification_reasons = list(verification.reasons)
                await self._commit(
                    hazard_steps.append(
                        record,
                        "verification_rejected",
                        "核查未通过：" + "；".join(verification.reasons),
                        actor=actor,
                        data={"reasons": verification.reasons},
                    ),
                    InboxChanges(
                        withdraw=[self._withdrawal(VERIFY)],
                        send=[self._rectify_item("重大事故隐患核查未通过，请继续整改")],
                    ),
                )
            return record

    @verify.validator
    def _validate_verify(self, verification: HazardVerification) -> None:
        self._check_verify(verification)

    def _check_verify(self, verification: HazardVerification) -> None:
        self._check_regulator(verification.actor)
        require(
            self._record.status is HazardStatus.EVIDENCE_SUBMITTED,
            Conflict(
                f"verification follows rectification evidence; the hazard is "
                f"{self._record.status.label}",
                code="hazard.no_evidence",
            ),
        )
        if not verification.accepted:
            require_reasons(verification.reasons)

    # ------------------------------------------------------------------ enterprise and agency

    @workflow.update
    async def submit_evidence(self, submission: HazardEvidence) -> HazardRecord:
        async with self._lock:
            hazard_steps.check_evidence(self._record, submission.actor)
            record = self._record
            await self._commit(
                hazard_steps.submit_evidence(record, submission.evidence, submission.actor),
                InboxChanges(
                    withdraw=[self._withdrawal(RECTIFY)],
                    send=[
                        self._message(
                            VERIFY,
                            self._regulator(),
                            f"核查重大事故隐患整改：{self._where}",
                        )
                    ],
                ),
            )
            return record

    @submit_evidence.validator
    def _validate_evidence(self, submission: HazardEvidence) -> None:
        hazard_steps.check_evidence(self._record, submission.actor)

    @workflow.update
    async def correct(self, correction: HazardCorrection) -> HazardRecord:
        async with self._lock:
            hazard_steps.check_correction(self._record, correction.actor, correction.correction)
            entry = hazard_steps.correct(self._record, correction.correction, correction.actor)
            await self._commit(entry, InboxChanges())
            return self._record

    @correct.validator
    def _validate_correct(self, correction: HazardCorrection) -> None:
        hazard_steps.check_correction(self._record, correction.actor, correction.correction)

    @workflow.query
    def record(self) -> HazardRecord:
        return self._record

    # ------------------------------------------------------------------ helpers

    def _check_regulator(self, actor: Actor) -> None:
        require_regulator(actor, self._record.county_code, "hazard")

    def _check_open(self) -> None:
        require(
            self._record.is_open,
            Conflict("the hazard is closed", code="hazard.closed"),
        )

    @property
    def _where(self) -> str:
        return f"{self._record.enterprise_name} {self._record.report.location}"

    def _regulator(self) -> Addressee:
        return Addressee.county(self._record.county_code)

    @staticmethod
    def _notes(notes: str) -> str:
        return f"：{notes}" if notes else ""

    def _message(
        self, kind: str, addressee: Addressee, title: str, due_at: dt.datetime | None = None
    ) -> InboxMessage:
        return InboxMessage(
            resource=self._resource, kind=kind, addressee=addressee, title=title, due_at=due_at
        )

    def _rectify_item(self, title: str) -> InboxMessage:
        record = self._record
        return self._message(
            RECTIFY, Addressee.enterprise(record.enterprise_uscc), title, record.deadline
        )

    def _withdrawal(self, *kinds: str) -> InboxWithdrawal:
        return InboxWithdrawal(resource=self._resource, kinds=list(kinds))

    async def _commit(self, entry: HazardEntry, inbox: InboxChanges) -> None:
        await workflow.execute_activity(
            MAJOR_HAZARD_RECORD,
            MajorHazardRecord(hazard=self._record, entries=[entry], inbox=inbox),
            start_to_close_timeout=timedelta(seconds=30),
        )
        self._timers_changed = True
