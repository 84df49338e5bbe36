"""Who acts: roles, and the actor every command is attributed to."""

from typing import Protocol, Self

from pydantic import BaseModel, ConfigDict, model_validator

from .labels import LabelledEnum
from .regions import CountyCode
from .uscc import Uscc


class Role(LabelledEnum):
    AGENCY = ("agency", "中介机构")
    ENTERPRISE = ("enterprise", "委托单位")
    COUNTY_REGULATOR = ("county_regulator", "县级应急管理部门")
    CITY_REGULATOR = ("city_regulator", "市应急管理局")
    ADMIN = ("admin", "系统管理员")

    @property
    def is_regulator(self) -> bool:
        return self in (Role.COUNTY_REGULATOR, Role.CITY_REGULATOR)


_BINDING = {
    Role.AGENCY: "agency_uscc",
    Role.ENTERPRISE: "enterprise_uscc",
    Role.COUNTY_REGULATOR: "county_code",
}
"""The one scope field each bound role must carry; other roles carry none."""


class Binding(BaseModel):
    """The role of a user and the one agency, enterprise or county it is bound to."""

    model_config = ConfigDict(frozen=True)

    role: Role
    agency_uscc: Uscc | None = None
    enterprise_uscc: Uscc | None = None
    county_code: CountyCode | None = None

    @model_validator(mode="after")
    def _bound_to_exactly_its_scope(self) -> Self:
        required = _BINDING.get(self.role)
        for field in _BINDING.values():
            present = getattr(self, field) is not None
            if field == required and not present:
                raise ValueError(f"a {self.role.value} user must be bound with {field}")
            if field != required and present:
                raise ValueError(f"a {self.role.value} user cannot be bound with {field}")
        return self


class Actor(Binding):
    """An authenticated caller. Crosses into workflows so every step names who took it."""

    user_id: int
    name: str

    @property
    def label(self) -> str:
        """How the actor appears in timelines and the audit log."""
        return f"{self.name} ({self.role.label})"


def may_access(
    actor: Actor,
    *,
    county_code: str | None = None,
    agency_uscc: str | None = None,
    enterprise_uscc: str | None = None,
) -> bool:
    """Whether the actor's scope covers a resource located by these keys.

    City regulators and admins see the whole city; everyone else sees what carries
    their own county, agency or enterprise.
    """
    match actor.role:
        case Role.CITY_REGULATOR | Role.ADMIN:
            return True
        case Role.COUNTY_REGULATOR:
            return county_code is not None and county_code == actor.county_code
        case Role.AGENCY:
            return agency_uscc is not None and agency_uscc == actor.agency_uscc
        case Role.ENTERPRISE:
            return enterprise_uscc is not None and enterprise_uscc == actor.enterprise_uscc


class Located(Protocol):
    """A project or a hazard: at an enterprise, in its county, served by an agency."""

    @property
    def county_code(self) -> str: ...

    @property
    def agency_uscc(self) -> str: ...

    @property
    def enterprise_uscc(self) -> str: ...


def may_see(actor: Actor, located: Located) -> bool:
    """`may_access` for a project or a hazard, by where it is and whose it is."""
    return may_access(
        actor,
        county_code=located.county_code,
        agency_uscc=located.agency_uscc,
        enterprise_uscc=located.enterprise_uscc,
    )
