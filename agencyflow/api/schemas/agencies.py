"""What the agency routes take and return. Professionals' ID numbers never leave masked."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.api.schemas.paging import Page
from agencyflow.domain.agency import (
    AgencySnapshot,
    AgencyStatus,
    Certificate,
    OrganisationKind,
)
from agencyflow.domain.bounded import Day
from agencyflow.domain.credit import CreditGrade
from agencyflow.domain.errors import Violation
from agencyflow.domain.id_numbers import mask_id_number
from agencyflow.domain.industries import Industry
from agencyflow.domain.service_types import ServiceType
from agencyflow.domain.timeline import TimelineEntry
from agencyflow.workflows.agency.models import InterviewKind

Reason = Annotated[str, Field(min_length=1, max_length=1000)]
Notes = Annotated[str, Field(min_length=1, max_length=4000)]


class ReasonsBody(BaseModel):
    """A return or a rejection: the agency must hear why."""

    reasons: Annotated[list[Reason], Field(min_length=1, max_length=50)]


class NotesBody(BaseModel):
    """An approval or a reinstatement, with optional notes."""

    notes: Annotated[str, Field(max_length=4000)] | None = None


class WorkplaceBody(BaseModel):
    workplace_area_m2: Annotated[float, Field(ge=0, le=1_000_000)]
    registered_address: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class VerificationBody(BaseModel):
    verified_on: Day
    conforming: bool
    findings: Notes


class InterviewBody(BaseModel):
    kind: InterviewKind
    held_on: Day
    notes: Notes


class ProfessionalPublic(BaseModel):
    professional_id: str
    name: str
    id_number: str
    """Masked: only the last four characters are shown."""
    certificates: list[Certificate]
    full_time: bool
    insured_since: dt.date | None


class LocalOfficePublic(BaseModel):
    address: str
    county_code: str
    stationed_technicians: list[str]
    """Professional ids (``p1``…) of those stationed there."""


class InboxItemSummary(BaseModel):
    kind: str
    title: str
    role: str
    scope_id: str
    due_at: dt.datetime | None


class AgencyPublic(BaseModel):
    uscc: str
    legal_name: str
    organisation_kind: OrganisationKind
    registered_address: str
    registered_county_code: str
    out_of_town: bool
    jurisdiction_code: str | None
    """The county whose regulator supervises the agency; null: the city's."""
    workplace_area_m2: float
    service_types: list[ServiceType]
    industries: list[Industry]
    local_office: LocalOfficePublic | None
    professionals: list[ProfessionalPublic]
    status: AgencyStatus
    status_label: str
    submitted_at: dt.datetime
    review_due_at: dt.datetime | None
    review_escalated: bool
    admitted_at: dt.datetime | None
    rectification_due_at: dt.datetime | None
    last_verified_on: dt.date | None
    """The last on-site verification (R9)."""
    violations: list[Violation]
    returned_reasons: list[str]
    updated_at: dt.datetime
    timeline: list[TimelineEntry]
    open_items: list[InboxItemSummary]
    temporal_ui_url: str


class AgencySummary(BaseModel):
    uscc: str
    legal_name: str
    status: AgencyStatus
    status_label: str
    jurisdiction_code: str | None
    out_of_town: bool
    service_types: list[ServiceType]
    rectification_due_at: dt.datetime | None
    updated_at: dt.datetime
    credit_grade: CreditGrade
    close_supervision: bool
    """C and D agencies are supervised closely (重点监管, R8)."""
    listed: bool
    """On the seriously-untrustworthy list (严重失信)."""


AgencyPage = Page[AgencySummary]


class PublicListing(BaseModel):
    decision_number: str
    listed_at: dt.datetime
    ends_at: dt.datetime


class PublicAgency(BaseModel):
    """What anyone may know of an admitted agency (R8: the list is public)."""

    uscc: str
    legal_name: str
    service_types: list[ServiceType]
    service_type_labels: list[str]
    status: AgencyStatus
    status_label: str
    credit_grade: CreditGrade
    """As the agency's workflow last computed it, from the events that count (R8)."""
    listing: PublicListing | None
    """Its place on the seriously-untrustworthy list (严重失信), while it is listed."""


PublicAgencyPage = Page[PublicAgency]


def professionals_public(snapshot: AgencySnapshot) -> list[ProfessionalPublic]:
    return [
        ProfessionalPublic(
            professional_id=snapshot.professional_ids[p.id_number],
            name=p.name,
            id_number=mask_id_number(p.id_number),
            certificates=p.certificates,
            full_time=p.full_time,
            insured_since=p.insured_since,
        )
        for p in snapshot.facts.professionals
    ]


def summary(snapshot: AgencySnapshot, credit_grade: CreditGrade) -> AgencySummary:
    return AgencySummary(
        uscc=snapshot.uscc,
        legal_name=snapshot.facts.legal_name,
        status=snapshot.status,
        status_label=snapshot.status.label,
        jurisdiction_code=snapshot.jurisdiction_code,
        out_of_town=snapshot.facts.out_of_town,
        service_types=snapshot.facts.service_types,
        rectification_due_at=snapshot.rectification_due_at,
        updated_at=snapshot.updated_at,
        credit_grade=credit_grade,
        close_supervision=credit_grade.needs_close_supervision,
        listed=snapshot.listing is not None,
    )


def public(snapshot: AgencySnapshot, credit_grade: CreditGrade) -> PublicAgency:
    return PublicAgency(
        uscc=snapshot.uscc,
        legal_name=snapshot.facts.legal_name,
        service_types=snapshot.facts.service_types,
        service_type_labels=[s.label for s in snapshot.facts.service_types],
        status=snapshot.status,
        status_label=snapshot.status.label,
        credit_grade=credit_grade,
        listing=PublicListing.model_validate(snapshot.listing, from_attributes=True)
        if snapshot.listing
        else None,
    )


def detail(
    snapshot: AgencySnapshot,
    *,
    timeline: list[TimelineEntry],
    open_items: list[InboxItemSummary],
    temporal_ui_url: str,
) -> AgencyPublic:
    facts = snapshot.facts
    office = facts.local_office
    return AgencyPublic(
        **facts.model_dump(
            include={
                "uscc",
                "legal_name",
                "organisation_kind",
                "registered_address",
                "registered_county_code",
                "out_of_town",
                "workplace_area_m2",
                "service_types",
                "industries",
            }
        ),
        local_office=LocalOfficePublic(
            address=office.address,
            county_code=office.county_code,
            stationed_technicians=[
                snapshot.professional_ids[i] for i in office.stationed_technicians
            ],
        )
        if office
        else None,
        professionals=professionals_public(snapshot),
        **snapshot.model_dump(
            include={
                "jurisdiction_code",
                "status",
                "submitted_at",
                "review_due_at",
                "review_escalated",
                "admitted_at",
                "rectification_due_at",
                "last_verified_on",
                "violations",
                "returned_reasons",
                "updated_at",
            }
        ),
        status_label=snapshot.status.label,
        timeline=timeline,
        open_items=open_items,
        temporal_ui_url=temporal_ui_url,
    )
