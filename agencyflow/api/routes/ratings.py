"""``/agencies/{uscc}/professionals/{id}/rating``: a professional's stars (星级, R8, R12),
computed when asked by the pure rule of `agencyflow.domain.capability.stars`, shown with
the rule and the inputs it was applied to."""

import datetime as dt

import anyio.to_thread
from fastapi import APIRouter

from agencyflow.api.params import ProfessionalIdPath, UsccPath
from agencyflow.api.routes.agencies import Reader, Service
from agencyflow.api.schemas.capability import Rating
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.capability import in_expert_pool, stars, years_between
from agencyflow.domain.credit import VETO_KINDS, counts
from agencyflow.domain.errors import NotFound
from agencyflow.domain.project import CreditEvent
from agencyflow.store import capability, credit

router = APIRouter(prefix="/agencies", tags=["capability tests"])


def _named(event: CreditEvent) -> list[str]:
    """The professionals a credit event is attributed to (a recording names them; a failed
    spot check names the project's team, who signed the report)."""
    named = event.details.get("professionals", [])
    return named if isinstance(named, list) else []


@router.get("/{uscc}/professionals/{professional_id}/rating", name="agencies.rating")
async def rating(
    uscc: UsccPath, professional_id: ProfessionalIdPath, actor: Reader, service: Service
) -> Rating:
    snapshot = await service.visible(uscc, actor)
    person = next(
        (
            p
            for p in snapshot.facts.professionals
            if snapshot.professional_ids[p.id_number] == professional_id
        ),
        None,
    )
    if person is None:
        raise NotFound(
            f"the agency lists no professional {professional_id}",
            code="agency.unknown_professional",
        )
    engine = service.engine
    results, events = await anyio.to_thread.run_sync(
        lambda: (
            capability.results_of(engine, uscc).get(professional_id, []),
            credit.of_agency(engine, uscc),
        )
    )
    now = dt.datetime.now(dt.UTC)
    rules = service.settings.policy.credit_rules()
    attributed = [e for e in events if counts(e, now, rules) and professional_id in _named(e)]
    years = years_between(person.insured_since, now.astimezone(CHINA_TZ).date())
    vetoed = any(e.kind in VETO_KINDS for e in attributed)
    rated = stars(results, years, len(attributed), vetoed)
    return Rating(
        agency_uscc=uscc,
        professional_id=professional_id,
        name=person.name,
        stars=rated.stars,
        rule=" ".join((stars.__doc__ or "").split()),
        reasons=rated.reasons,
        years_of_service=years,
        attributed_events=[e.source for e in attributed],
        in_expert_pool=in_expert_pool(results),
        results=sorted(results, key=lambda r: r.held_on),
    )
