"""Activity names: the contract between workflows and the activities that serve them.

Workflows import these names, never the activity implementations, so the sandbox
never loads database code.
"""

INBOX_SEND = "inbox.send"
INBOX_WITHDRAW = "inbox.withdraw"

AGENCY_RECORD = "agencies.record"
AGENCY_CLAIM_FULL_TIME = "agencies.claim_full_time"

WORKING_DAYS_DEADLINE = "calendar.working_days_deadline"

PROJECT_RECORD = "projects.record"
PLATFORM_SUBMIT_REPORT = "platform.submit_report"
MAJOR_HAZARD_RECORD = "hazards.record_major"
