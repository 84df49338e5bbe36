"""What a workflow hands its record activity: a snapshot, a timeline entry, inbox changes.

All three are written in one transaction, keyed by the workflow's sequence number, so a
retried activity or a replayed workflow never writes twice and the read model never shows
a step without its timeline entry or inbox item.
"""

from pydantic import BaseModel

from .agency import AgencySnapshot
from .hazard import HazardEntry, HazardRecord
from .inbox import InboxChanges
from .project import CreditEvent, ProjectSnapshot
from .timeline import TimelineEntry


class AgencyRecord(BaseModel):
    workflow_id: str
    seq: int
    snapshot: AgencySnapshot | None = None
    event: TimelineEntry | None = None
    inbox: InboxChanges = InboxChanges()


class ProjectRecord(BaseModel):
    workflow_id: str
    seq: int
    snapshot: ProjectSnapshot
    event: TimelineEntry | None = None
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []
    hazards: list[HazardRecord] = []
    """General hazards (and major ones when first found) changed by this step."""
    hazard_entries: list[HazardEntry] = []


class MajorHazardRecord(BaseModel):
    """A step of a major hazard's own workflow, which writes its hazard after it is found."""

    hazard: HazardRecord
    entries: list[HazardEntry] = []
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []
