"""Drawing a county's half-yearly spot-check sample, and drawing it again to check it.

The draw itself is the pure rule in `agencyflow.domain.sampling`; this module gathers its
inputs (the county's reports uploaded in the half year, each agency's grade now), records
the draw with its seed and inputs, and re-runs a recorded draw from what was recorded.
"""

import datetime as dt
import secrets

from sqlalchemy import Engine

from agencyflow.config.policy import Policy
from agencyflow.domain.credit import grade
from agencyflow.domain.regions import jurisdiction
from agencyflow.domain.sampling import Draw, draw, half_year
from agencyflow.store import spot_check_draws
from agencyflow.store.spot_check_draws import RecordedDraw


def new_seed(county_code: str, period: str) -> str:
    return f"{period}-{county_code}-{secrets.token_hex(8)}"


def draw_for(
    engine: Engine, policy: Policy, county_code: str, period: str, seed: str, drawn_by: str
) -> RecordedDraw:
    """Draw the county's half year and keep it; a half year already drawn stays as drawn."""
    county = jurisdiction(county_code).code
    kept = spot_check_draws.get(engine, county, period)
    if kept is not None:
        return kept
    start, end = half_year(period)
    credit = policy.credit_rules()
    rules = policy.sampling_rules()
    found = spot_check_draws.candidates(
        engine, county, start, end, grade(credit.initial_score, credit)
    )
    recorded = RecordedDraw(
        county_code=county,
        period=period,
        seed=seed,
        rules=rules,
        candidates=found,
        result=draw(found, rules, seed),
        drawn_by=drawn_by,
        created_at=dt.datetime.now(dt.UTC),
    )
    return spot_check_draws.record(engine, recorded)


def redraw(recorded: RecordedDraw) -> Draw:
    """The draw again, from its recorded seed, rules and inputs alone."""
    return draw(recorded.candidates, recorded.rules, recorded.seed)
