"""Small factories for test data."""

from sqlalchemy import Engine

from agencyflow.domain.identity import Actor, Binding, Role
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
