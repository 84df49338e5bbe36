"""The seriously-untrustworthy list (严重失信名单, R8) as pure rules.

A one-vote veto refers the agency to the city; the city lists it (with its decision number)
or declines. A listing runs for the policy's years and ends by itself; after the policy's
months the agency may ask for early removal with evidence of correction (信用修复), and the
city decides. While listed, the agency is graded D, starts no new project and may not sell
services bought with public money.
"""

import datetime as dt

from pydantic import BaseModel, ConfigDict

from .credit import add_months


class ListingRules(BaseModel):
    """The policy numbers a listing depends on; a slice of `Policy`."""

    model_config = ConfigDict(frozen=True)

    years: int
    removal_after_months: int


class Referral(BaseModel):
    """A veto that awaits the city's decision on listing."""

    source: str
    """The vetoing credit event."""
    kind: str
    reference: str
    referred_at: dt.datetime


class RemovalRequest(BaseModel):
    """The agency's request for early removal (信用修复), awaiting the city."""

    requested_at: dt.datetime
    reasons: list[str]
    files: list[str] = []


class Listing(BaseModel):
    decision_number: str
    """The city's decision (认定决定书文号)."""
    sources: list[str]
    """The vetoing credit events it rests on."""
    listed_at: dt.datetime
    ends_at: dt.datetime
    """The listing ends by itself here (its term)."""
    removal_from: dt.datetime
    """Early removal may be requested from here on."""
    reasons: list[str]
    removal: RemovalRequest | None = None


def listing(
    sources: list[str],
    decision_number: str,
    reasons: list[str],
    now: dt.datetime,
    rules: ListingRules,
) -> Listing:
    return Listing(
        decision_number=decision_number,
        sources=sources,
        listed_at=now,
        ends_at=add_months(now, 12 * rules.years),
        removal_from=add_months(now, rules.removal_after_months),
        reasons=reasons,
    )


def is_listed(found: Listing | None, now: dt.datetime) -> bool:
    return found is not None and found.listed_at <= now < found.ends_at


def may_request_removal(found: Listing, now: dt.datetime) -> bool:
    """From the policy's months after listing, one request at a time."""
    return found.removal is None and found.removal_from <= now < found.ends_at
