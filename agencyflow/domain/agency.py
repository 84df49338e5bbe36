"""An agency's facts as it declares them: the input of admission and monitoring (R2, R6, R9)."""

import datetime as dt
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .bounded import AsciiCode, Day
from .credit import CreditGrade, OpenObjection
from .errors import Violation
from .id_numbers import IdNumber, mask_id_number
from .industries import Industry
from .labels import LabelledEnum
from .qualifications import CertificateKind, Specialty
from .regions import JURISDICTIONS, CountyCode
from .service_types import ServiceType
from .untrustworthy import Listing, Referral
from .uscc import Uscc

Text = Annotated[str, Field(min_length=1, max_length=500)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


def _month(value: object) -> object:
    """Accept ``2026-08`` as well as a date; a month is kept as its first day."""
    if isinstance(value, str) and len(value) == 7:
        value = f"{value}-01"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    return value


Month = Annotated[Day, BeforeValidator(_month)]


class OrganisationKind(LabelledEnum):
    ENTERPRISE = ("enterprise", "企业法人")
    PUBLIC_INSTITUTION = ("public_institution", "事业单位")
    SOCIAL_ORGANISATION = ("social_organisation", "社会组织")
    INDIVIDUAL_BUSINESS = ("individual_business", "个体工商户")
    OTHER = ("other", "其他")

    @property
    def may_be_admitted(self) -> bool:
        """R2: a legally registered enterprise, public institution or social organisation."""
        return self in (
            OrganisationKind.ENTERPRISE,
            OrganisationKind.PUBLIC_INSTITUTION,
            OrganisationKind.SOCIAL_ORGANISATION,
        )


class Certificate(BaseModel):
    kind: CertificateKind
    number: Annotated[str, Field(min_length=1, max_length=64)]
    specialty: Specialty | None = None
    level: Annotated[str, Field(max_length=32)] | None = None
    """For titles, e.g. 中级 or 高级."""
    valid_until: Day
    """The last day the certificate is valid."""

    @model_validator(mode="after")
    def _titles_name_their_specialty(self) -> Self:
        if self.kind.needs_specialty and self.specialty is None:
            raise ValueError("an intermediate engineer's title must name its specialty")
        return self


class Professional(BaseModel):
    """A professional as the agency declares them."""

    name: Name
    id_number: IdNumber
    certificates: Annotated[list[Certificate], Field(max_length=20)] = []
    full_time: bool
    insured_since: Month | None = None
    """The month from which this agency has paid their pension insurance (养老保险)."""

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)


class LocalOffice(BaseModel):
    """An out-of-town agency's fixed office in Lishui (R6)."""

    address: Text
    county_code: CountyCode
    stationed_technicians: Annotated[list[IdNumber], Field(max_length=200)] = []
    """ID numbers of the professionals stationed there; each must be among the agency's."""


class ProvinceRegistration(BaseModel):
    """A safety evaluation agency's registration with the province, which admits and manages
    such agencies (R1, R9); the city records it so that the agency's projects here are
    filed, run and spot-checked here."""

    number: Annotated[str, Field(min_length=1, max_length=64)]
    valid_until: Day


class AgencyFacts(BaseModel):
    """Everything admission is decided on. Submitted whole; amended piece by piece later."""

    legal_name: Annotated[str, Field(min_length=2, max_length=200)]
    uscc: Uscc
    organisation_kind: OrganisationKind
    registered_address: Text
    out_of_town: bool
    """Registered outside Lishui (外地机构, R6)."""
    registered_county_code: Annotated[
        str, AsciiCode, Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")
    ]
    """Administrative division of the registered address; a Lishui county unless out of town."""
    workplace_area_m2: Annotated[float, Field(ge=0, le=1_000_000)]
    service_types: Annotated[list[ServiceType], Field(min_length=1, max_length=len(ServiceType))]
    industries: Annotated[list[Industry], Field(max_length=len(Industry))] = []
    """The industries served: high-risk ones need a specialist (R2)."""
    professionals: Annotated[list[Professional], Field(max_length=500)] = []
    local_office: LocalOffice | None = None
    province_registration: ProvinceRegistration | None = None
    """Required for safety evaluation (安全评价): the province's registration of the agency."""

    @field_validator("registered_county_code")
    @classmethod
    def _county_fits_origin(cls, code: str, info: ValidationInfo) -> str:
        lishui = code in {j.code for j in JURISDICTIONS}
        out_of_town = info.data.get("out_of_town")
        if out_of_town is False and not lishui:
            raise ValueError("must be a Lishui county code for an agency registered in Lishui")
        if out_of_town is True and lishui:
            raise ValueError("is a Lishui county: an agency registered here is not out of town")
        return code

    @field_validator("service_types", "industries")
    @classmethod
    def _no_repeats(cls, values: list[ServiceType]) -> list[ServiceType]:
        if len(set(values)) != len(values):
            raise ValueError("lists the same value twice")
        return values

    @field_validator("professionals")
    @classmethod
    def _one_entry_per_person(cls, professionals: list[Professional]) -> list[Professional]:
        ids = [p.id_number for p in professionals]
        if len(set(ids)) != len(ids):
            raise ValueError("lists the same ID number twice")
        return professionals

    @field_validator("local_office")
    @classmethod
    def _stationed_are_listed(
        cls, office: LocalOffice | None, info: ValidationInfo
    ) -> LocalOffice | None:
        listed = {p.id_number for p in info.data.get("professionals", [])}
        if office and set(office.stationed_technicians) - listed:
            raise ValueError("every stationed technician must be one of the listed professionals")
        return office

    @property
    def jurisdiction_code(self) -> str | None:
        """The county whose regulator reviews and supervises the agency; None: the city's.

        A local agency answers to the county of its registered address; an out-of-town one
        to the county of its local office, or to the city if it keeps none.
        """
        if not self.out_of_town:
            return self.registered_county_code
        return self.local_office.county_code if self.local_office else None


class AgencyStatus(LabelledEnum):
    PENDING_REVIEW = ("pending_review", "待审核")
    RETURNED = ("returned", "退回补正")
    REJECTED = ("rejected", "不予准入")
    ACTIVE = ("active", "正常执业")
    RECTIFICATION_REQUIRED = ("rectification_required", "限期整改")
    SUSPENDED = ("suspended", "暂停执业")

    @property
    def is_admitted(self) -> bool:
        """Admitted once; it stays under monitoring whatever happens next."""
        return self in _ADMITTED

    @property
    def may_start_projects(self) -> bool:
        """A suspended agency starts nothing new until a regulator reinstates it."""
        return self in (AgencyStatus.ACTIVE, AgencyStatus.RECTIFICATION_REQUIRED)


_ADMITTED = frozenset(
    {AgencyStatus.ACTIVE, AgencyStatus.RECTIFICATION_REQUIRED, AgencyStatus.SUSPENDED}
)


class AgencyProgress(BaseModel):
    """Where an agency stands: small, and recorded whole with every step of its workflow."""

    uscc: str
    status: AgencyStatus
    jurisdiction_code: str | None
    submitted_at: dt.datetime
    review_due_at: dt.datetime | None = None
    review_escalated: bool = False
    admitted_at: dt.datetime | None = None
    rectification_due_at: dt.datetime | None = None
    violations: list[Violation] = []
    """Admission rules the agency currently fails (empty when it meets them all)."""
    returned_reasons: list[str] = []
    credit_score: int | None = None
    """Recomputed by its workflow at each credit event and when one stops counting; None
    until the first (the initial score)."""
    credit_grade: CreditGrade | None = None
    objections: list[OpenObjection] = []
    """Objections to its credit events that await the regulator's answer."""
    referrals: list[Referral] = []
    """One-vote vetoes that await the city's decision on listing."""
    listing: Listing | None = None
    """Its place on the seriously-untrustworthy list (严重失信), while it lasts."""
    last_verified_on: dt.date | None = None
    """The last on-site verification (现场核查, R9), conforming or not."""
    updated_at: dt.datetime


class AgencySnapshot(AgencyProgress):
    """The agency as the read model shows it: its facts, where it stands, its deadlines.

    The facts are recorded only by the steps that change them.
    """

    facts: AgencyFacts
    professional_ids: dict[str, str]
    """ID number → the stable reference (``p1``, ``p2``…) used in URLs instead of it."""

    def progress(self) -> AgencyProgress:
        return AgencyProgress(**{name: getattr(self, name) for name in AgencyProgress.model_fields})


class FullTimeClaims(BaseModel):
    """The people an agency lists as full-time; replaces its earlier claims."""

    uscc: str
    legal_name: str
    jurisdiction_code: str | None
    id_numbers: list[str]


class ClaimConflict(BaseModel):
    """A person already full-time at another agency (possible 挂靠)."""

    id_number: str
    other_uscc: str
    other_legal_name: str
    other_jurisdiction_code: str | None
