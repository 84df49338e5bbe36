"""Activity names: the contract between workflows and the activities that serve them.

Workflows import these names, never the activity implementations, so the sandbox
never loads database code.
"""

INBOX_SEND = "inbox.send"
INBOX_WITHDRAW = "inbox.withdraw"

AGENCY_RECORD = "agencies.record"
PROJECT_RECORD = "projects.record"
HAZARD_RECORD = "hazards.record"
CAPABILITY_RECORD = "capability.record"
SPOT_CHECK_RECORD = "spot_checks.record"
SPOT_CHECK_DRAW = "spot_checks.draw"
INSPECTION_RECORD = "inspections.record"
COMPLAINT_RECORD = "complaints.record"
INSPECTION_PLAN = "inspections.plan"
REFORM_RECORD = "reform.record"
REFORM_POLICY = "reform.policy_in_force"

WORKING_DAYS_DEADLINE = "calendar.working_days_deadline"
ADMISSION_VERDICT = "rules.admission_verdict"
"""Under the workflow's own policy: runs started before `changes.AGENCY_CURRENT_POLICY`."""
ADMISSION_ASSESSMENT = "rules.admission_assessment"
"""Under the policy in force."""

PLATFORM_SUBMIT_REPORT = "platform.submit_report"
PLATFORM_AWAITING_RECEIPT = "platform.reports_awaiting_receipt"
