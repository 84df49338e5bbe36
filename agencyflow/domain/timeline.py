"""Timeline entries: what happened to a resource, when, by whom, and why."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel

from .labels import clipped


class TimelineEntry(BaseModel):
    """One event in a resource's timeline; ``seq`` orders it and makes recording idempotent."""

    resource: str
    seq: int
    at: dt.datetime
    kind: str
    """Stable and dotted: ``application.submitted``, ``status.suspended``…"""
    summary: Annotated[str, clipped(2000)]
    actor: str
    """Who, as people read it; "系统" (the system) for timers."""
    actor_user_id: int | None = None
    reasons: list[str] = []
    regulators_only: bool = False
    """Investigative entries (a suspected affiliation) are not shown to the agency itself."""


SYSTEM_ACTOR = "系统"
