"""Rules whose verdict a workflow's state depends on, served as local activities.

A workflow that moved an agency to 限期整改 because the admission rules said so must, on
replay, move it again, even if the rules have since changed. Computed as a local
activity, the verdict is recorded in the history once and replay reads it back; a rule
change reaches the agency at its next step, never its past.
"""

from temporalio import activity

from agencyflow.domain.admission import AdmissionQuestion, check_admission
from agencyflow.domain.errors import Violation

from .names import ADMISSION_VERDICT


@activity.defn(name=ADMISSION_VERDICT)
def admission_verdict(question: AdmissionQuestion) -> list[Violation]:
    return check_admission(question.facts, question.rules, question.today)
