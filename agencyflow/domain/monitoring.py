"""When an admitted agency's certificates need attention (R9): pure timing rules."""

import datetime as dt
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from .agency import AgencyFacts, Certificate, Professional
from .calendar import CHINA_TZ


class CertificateDeadline(BaseModel):
    """A current certificate's reminder and expiry moments."""

    model_config = ConfigDict(frozen=True)

    key: str
    """Identifies this certificate *and* its validity, so a renewal starts afresh."""
    professional_id: str
    professional: Professional
    certificate: Certificate
    remind_at: dt.datetime
    expires_at: dt.datetime


def expiry_moment(certificate: Certificate) -> dt.datetime:
    """Certificates are valid through their last day, China time."""
    return dt.datetime.combine(certificate.valid_until + dt.timedelta(days=1), dt.time(), CHINA_TZ)


def current_certificates(professional: Professional) -> list[Certificate]:
    """Per kind and specialty, the certificate valid longest; older ones are superseded."""
    latest: dict[tuple[str, str | None], Certificate] = {}
    for certificate in professional.certificates:
        kind = (certificate.kind.value, certificate.specialty)
        if kind not in latest or certificate.valid_until > latest[kind].valid_until:
            latest[kind] = certificate
    return list(latest.values())


def certificate_deadlines(
    facts: AgencyFacts, professional_ids: dict[str, str], notice: dt.timedelta
) -> Iterator[CertificateDeadline]:
    for professional in facts.professionals:
        professional_id = professional_ids[professional.id_number]
        for certificate in current_certificates(professional):
            expires_at = expiry_moment(certificate)
            yield CertificateDeadline(
                key=f"{professional_id}/{certificate.number}/{certificate.valid_until}",
                professional_id=professional_id,
                professional=professional,
                certificate=certificate,
                remind_at=expires_at - notice,
                expires_at=expires_at,
            )
