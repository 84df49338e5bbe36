"""How long a workflow's history may grow before it continues as new.

Temporal suggests continuing as new at its own thresholds; these are lower, so that a
project, a hazard or an agency that lives for years keeps every history small enough
to load and replay quickly. Like policy, they are copied into a workflow's input.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class HistoryLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_events: Annotated[int, Field(ge=10)] = 2_000
    max_bytes: Annotated[int, Field(ge=10_000)] = 1_000_000
