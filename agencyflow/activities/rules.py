"""Rules whose verdict a workflow's state depends on, served as local activities.

A workflow that moved an agency to 限期整改 because the admission rules said so must, on
replay, move it again, even if the rules have since changed. Computed as a local
activity, the verdict is recorded in the history once and replay reads it back; a rule
change reaches the agency at its next step, never its past.
"""

from temporalio import activity

from agencyflow.config.policy import Policy
from agencyflow.domain.admission import AdmissionQuestion, check_admission
from agencyflow.domain.errors import Violation
from agencyflow.workflows.agency.models import Assessment, AssessmentQuestion

from .names import ADMISSION_ASSESSMENT, ADMISSION_VERDICT


@activity.defn(name=ADMISSION_VERDICT)
def admission_verdict(question: AdmissionQuestion) -> list[Violation]:
    return check_admission(question.facts, question.rules, question.today)


class AdmissionActivities:
    """The admission rules under the policy this worker runs with: the policy in force."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    @activity.defn(name=ADMISSION_ASSESSMENT)
    def assess(self, question: AssessmentQuestion) -> Assessment:
        rules = self._policy.admission_rules()
        return Assessment(
            policy=self._policy, violations=check_admission(question.facts, rules, question.today)
        )
