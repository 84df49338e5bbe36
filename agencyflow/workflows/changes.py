"""Changes of behaviour that running workflows would see, each guarded by `workflow.patched`.

A workflow asks for the changes it knows when it starts (see `Recorder`'s ``taken``) and
hands the answer to its steps in their `Context`: a run started before a change replays,
and goes on, without it; a run started (or continued as new) after it takes it. Steps stay
pure: they read ``ctx.changes``, never Temporal. README: "Changing a running workflow".
"""

REPORT_LATE_ONCE = "report-late-once"
"""A late report is one credit event, settled at its upload or when it passes the serious
threshold still missing (a timer of its own); before, the overdue moment wrote one event
and the late upload another."""

CREDIT_TO_AGENCY = "credit-to-agency"
"""A project's credit events are signalled to its agency's workflow, which rescores it."""

AGENCY_CURRENT_POLICY = "agency-current-policy"
"""An agency is re-assessed under the policy in force at each assessment, fetched by a local
activity, instead of the policy of its first application."""

VERIFICATION_CONSEQUENCES = "verification-consequences"
"""A non-conforming on-site verification (R9) puts the agency under rectification, and under
suspension if its deadline passes unmet; a conforming one clears the finding. Before, a
verification was a timeline note with no consequence."""

SIGNALLED_VETO = "signalled-veto"
"""A veto credit event signalled to the agency (a county's quarterly inspection found
affiliation, subcontracting or a false report) refers it to the city for the
seriously-untrustworthy list, as a veto recorded on the agency does. Before, only vetoes
recorded on the agency were referred."""

COMPLAINT_REWARD_PAID = "complaint-reward-paid"
"""A complaint found true waits, after its outcome, for its reward to be approved and paid
(recorded), with an inbox item until then; before, it ended at its outcome."""

REPORT_DUE_END_OF_DAY = "report-due-end-of-day"
"""The report's 30 days run from the end of the day the service ended, China time, whenever
the end is declared; before, an end declared on its own day ran from the moment of declaring,
so the agency that declared promptly had up to a day less than one that declared later."""

RETRY_WITHOUT_DUE = "retry-without-due"
"""A step that could not be recorded (a timer's, or one a signal brought, such as a merged
complaint's) is tried again `TIMER_RETRY_AFTER` later, whatever else is due; before, it waited
for the next due time, and for ever when nothing was due. Unlike the others, `Recorder` asks
for it where it matters, in every workflow type, not at the start of a run."""

PROJECT = frozenset({REPORT_LATE_ONCE, CREDIT_TO_AGENCY, REPORT_DUE_END_OF_DAY})
AGENCY = frozenset({AGENCY_CURRENT_POLICY, VERIFICATION_CONSEQUENCES, SIGNALLED_VETO})
COMPLAINT = frozenset({COMPLAINT_REWARD_PAID})
ALL = PROJECT | AGENCY | COMPLAINT
