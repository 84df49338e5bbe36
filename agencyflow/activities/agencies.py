"""Agency activities: the read model and the registry of full-time professionals."""

from sqlalchemy import Engine
from temporalio import activity

from agencyflow.domain.agency import ClaimConflict, FullTimeClaims
from agencyflow.domain.records import AgencyRecord
from agencyflow.store import agencies

from .names import AGENCY_CLAIM_FULL_TIME, AGENCY_RECORD


class AgencyActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name=AGENCY_RECORD)
    def record(self, entry: AgencyRecord) -> None:
        agencies.record(self._engine, entry)

    @activity.defn(name=AGENCY_CLAIM_FULL_TIME)
    def claim_full_time(self, claims: FullTimeClaims) -> list[ClaimConflict]:
        return agencies.claim_full_time(self._engine, claims)
