"""Lishui's jurisdictions: the nine county-level divisions and the development zone.

Counties carry their GB/T 2260 administrative division codes. The Lishui Economic and
Technological Development Zone (丽水经济技术开发区) supervises its own enterprises but has
no GB/T 2260 code; it uses 331171, the 71-series that statistical division codes give
development zones. Confirm that code with the city before exchanging data with the
province.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .bounded import AsciiCode

CITY_CODE = "331100"
CITY_NAME = "丽水市"


class Jurisdiction(BaseModel):
    """A county-level area with its own regulator (县级应急管理部门)."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    is_development_zone: bool = False


JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction(code="331102", name="莲都区"),
    Jurisdiction(code="331121", name="青田县"),
    Jurisdiction(code="331122", name="缙云县"),
    Jurisdiction(code="331123", name="遂昌县"),
    Jurisdiction(code="331124", name="松阳县"),
    Jurisdiction(code="331125", name="云和县"),
    Jurisdiction(code="331126", name="庆元县"),
    Jurisdiction(code="331127", name="景宁畲族自治县"),
    Jurisdiction(code="331181", name="龙泉市"),
    Jurisdiction(code="331171", name="丽水经济技术开发区", is_development_zone=True),
)

_BY_CODE = {jurisdiction.code: jurisdiction for jurisdiction in JURISDICTIONS}


def jurisdiction(code: str) -> Jurisdiction:
    """The jurisdiction with that code, or `ValueError` naming the valid codes."""
    try:
        return _BY_CODE[code]
    except KeyError:
        valid = ", ".join(f"{j.code} {j.name}" for j in JURISDICTIONS)
        raise ValueError(f"{code!r} is not a Lishui county code; valid codes: {valid}") from None


def _check_county_code(code: str) -> str:
    return jurisdiction(code.strip()).code


CountyCode = Annotated[str, AsciiCode, Field(max_length=6), AfterValidator(_check_county_code)]
"""A pydantic field type: one of Lishui's county-level jurisdiction codes."""
