import datetime as dt

from agencyflow.domain.agency import AgencyFacts
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.monitoring import certificate_deadlines, current_certificates
from tests.factories import facts, id_number, professional


def test_a_certificate_expires_at_china_midnight_after_its_last_day_and_is_reminded_before() -> (
    None
):
    application = facts(1, professionals=1)
    application["professionals"][0] = professional(1, valid_until=dt.date(2027, 3, 31))
    parsed = AgencyFacts.model_validate(application)
    [deadline] = certificate_deadlines(parsed, {id_number(1): "p1"}, dt.timedelta(days=30))
    assert deadline.expires_at == dt.datetime(2027, 4, 1, tzinfo=CHINA_TZ)
    assert deadline.remind_at == dt.datetime(2027, 3, 2, tzinfo=CHINA_TZ)
    assert deadline.key == "p1/CERT-0001/2027-03-31"


def test_a_renewed_certificate_supersedes_the_old_one_of_the_same_kind() -> None:
    person = professional(1, valid_until=dt.date(2026, 1, 31))
    person["certificates"].append(
        {**person["certificates"][0], "number": "NEW", "valid_until": "2029-01-31"}
    )
    parsed = AgencyFacts.model_validate(facts(1, professionals=0) | {"professionals": [person]})
    assert [c.number for c in current_certificates(parsed.professionals[0])] == ["NEW"]
