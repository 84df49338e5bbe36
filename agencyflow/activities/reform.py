"""Reform-programme activities: recording a programme's steps, and the policy in force for
the programmes the yearly Schedule opens."""

from temporalio import activity

from agencyflow.config.policy import Policy
from agencyflow.domain.records import ReformRecord
from agencyflow.store import reform

from .names import REFORM_POLICY, REFORM_RECORD
from .read_model import ReadModelActivities


class ReformActivities(ReadModelActivities):
    @activity.defn(name=REFORM_RECORD)
    def record(self, entry: ReformRecord) -> None:
        reform.record(self._engine, entry)


class ReformPolicyActivities:
    """The policy this worker runs with: the policy in force."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    @activity.defn(name=REFORM_POLICY)
    def policy_in_force(self) -> Policy:
        return self._policy
