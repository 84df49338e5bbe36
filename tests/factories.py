"""Small factories for test data."""

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import Engine

from agencyflow.domain.agency import AgencyFacts, AgencySnapshot, AgencyStatus
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.id_numbers import id_check_character
from agencyflow.domain.identity import Actor, Binding, Role
from agencyflow.domain.qualifications import CertificateKind, Specialty
from agencyflow.domain.uscc import complete_uscc
from agencyflow.store.identity import create_user


def uscc(number: int, *, county: str = "331102") -> str:
    """A valid unified social credit code, distinct for each number."""
    return complete_uscc(f"91{county}MA{number:07d}")


def user(engine: Engine, role: Role, name: str | None = None, **binding: str) -> tuple[Actor, str]:
    """A user with that role and binding; returns the actor and its bearer token."""
    return create_user(engine, name or f"test {role.value}", Binding(role=role, **binding))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def id_number(number: int, *, born: str = "19850615") -> str:
    """A valid resident ID number, distinct for each number (past 999, born a year earlier
    per thousand)."""
    thousands, serial = divmod(number, 1000)
    first17 = f"331102{int(born[:4]) - thousands:04d}{born[4:]}{serial:03d}"
    return first17 + id_check_character(first17)


TODAY = dt.date(2026, 11, 27)


def professional(
    number: int,
    *,
    full_time: bool = True,
    insured_since: dt.date | str = "2025-01",
    kind: CertificateKind = CertificateKind.REGISTERED_SAFETY_ENGINEER,
    specialty: Specialty | None = None,
    valid_until: dt.date = dt.date(2030, 12, 31),
) -> dict[str, Any]:
    """A professional as the API takes it: qualifying unless told otherwise."""
    return {
        "name": f"专业人员{number}",
        "id_number": id_number(number),
        "certificates": [
            {
                "kind": kind.value,
                "number": f"CERT-{number:04d}",
                "specialty": specialty.value if specialty else None,
                "valid_until": valid_until.isoformat(),
            }
        ],
        "full_time": full_time,
        "insured_since": str(insured_since)[:7],
    }


def facts(
    agency: int = 1, *, professionals: int = 5, first_professional: int = 1, **overrides: Any
) -> dict[str, Any]:
    """An application that passes every admission check unless told otherwise."""
    base: dict[str, Any] = {
        "legal_name": f"丽水安全技术服务有限公司{agency}",
        "uscc": uscc(agency),
        "organisation_kind": "enterprise",
        "registered_address": "丽水市莲都区中山街1号",
        "out_of_town": False,
        "registered_county_code": "331102",
        "workplace_area_m2": 120,
        "service_types": ["hazard_investigation", "safety_management_consulting"],
        "industries": ["machinery"],
        "professionals": [
            professional(n) for n in range(first_professional, first_professional + professionals)
        ],
    }
    base.update(overrides)
    return base


_agency_numbers = itertools.count(1000)


def fresh_agency() -> int:
    """An agency number no other test of this session uses.

    Temporal servers live for the whole session and workflow ids derive from the USCC,
    so each test needs agencies of its own.
    """
    return next(_agency_numbers)


def agency_snapshot(
    number: int, *, status: AgencyStatus = AgencyStatus.ACTIVE, **overrides: Any
) -> AgencySnapshot:
    """An admitted agency as the read model holds it, for tests that skip admission."""
    application = AgencyFacts.model_validate(facts(number, **overrides))
    now = dt.datetime.now(dt.UTC)
    return AgencySnapshot(
        uscc=application.uscc,
        status=status,
        facts=application,
        professional_ids={
            p.id_number: f"p{i}" for i, p in enumerate(application.professionals, start=1)
        },
        jurisdiction_code=application.jurisdiction_code,
        submitted_at=now,
        admitted_at=now,
        updated_at=now,
    )


def contract(
    number: str = "LS-2026-001", signed_on: dt.date | None = None, **overrides: Any
) -> dict[str, Any]:
    """A contract with every R3 item."""
    base: dict[str, Any] = {
        "number": number,
        "signed_on": (
            signed_on or dt.datetime.now(CHINA_TZ).date() - dt.timedelta(days=10)
        ).isoformat(),
        "client": {"name": "丽水某机械有限公司", "address": "丽水市莲都区南明山街道1号"},
        "agency": {"name": "丽水安全技术服务有限公司", "address": "丽水市莲都区中山街1号"},
        "content": "隐患排查与治理指导",
        "method": "现场检查",
        "frequency": "每季度一次",
        "requirements": "按照国家标准开展",
        "term_start": dt.date(2026, 11, 1).isoformat(),
        "term_end": dt.date(2027, 10, 31).isoformat(),
        "place": "委托方生产现场",
        "manner": "现场服务并出具报告",
        "acceptance_standard": "隐患排查治理标准",
        "acceptance_method": "委托方验收签字",
        "fee_yuan": 30000,
        "payment_method": "银行转账，分两期",
        "breach_liability": "按合同法承担违约责任",
    }
    base.update(overrides)
    return base


def project_request(
    enterprise: int = 900,
    *,
    service_type: str = "hazard_investigation",
    industry: str = "machinery",
    county: str = "331102",
    team: list[str] | None = None,
    contract_number: str = "LS-2026-001",
    **contract_overrides: Any,
) -> dict[str, Any]:
    return {
        "enterprise": {
            "uscc": uscc(enterprise, county=county),
            "name": f"丽水某机械有限公司{enterprise}",
            "address": "丽水市莲都区南明山街道1号",
            "county_code": county,
            "industry": industry,
        },
        "service_type": service_type,
        "contract": contract(contract_number, **contract_overrides),
        "team": team or ["p1", "p2"],
    }


PHOTO = "a" * 64
EXAMPLE = "b" * 64


def hazard(
    *,
    level: str = "general",
    kind: str = "on_site",
    deadline: dt.date | None = None,
    location: str = "二号车间冲压机",
    **overrides: Any,
) -> dict[str, Any]:
    """A hazard as a visit records it: complete for its kind and level unless told otherwise."""
    base: dict[str, Any] = {
        "location": location,
        "description": "冲压机光电保护装置失效",
        "kind": kind,
        "category": "machinery",
        "level": level,
        "responsible_person": "车间主任 王强",
        "rectification_deadline": (
            deadline or dt.datetime.now(CHINA_TZ).date() + dt.timedelta(days=15)
        ).isoformat(),
        "photos": [PHOTO],
        "suggestion": "修复光电保护装置并每班点检",
        "example_photos": [EXAMPLE],
    }
    if level == "major":
        base["discovered_at"] = dt.datetime.now(CHINA_TZ).isoformat()
        base["treatment_plan"] = {
            "goal": "消除重大事故隐患",
            "measures": "停产整改，更换防爆电气",
            "funds_yuan": 200000,
            "responsible_people": "总经理 李明",
            "time_limit": (dt.datetime.now(CHINA_TZ).date() + dt.timedelta(days=60)).isoformat(),
            "safety_measures": "整改期间停止作业，设置警戒区，制定应急预案",
        }
    base.update(overrides)
    return base
