import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from agencyflow.api.app import ROUTERS
from agencyflow.api.deps import PUBLIC_PATHS
from agencyflow.domain.identity import Role
from agencyflow.store.identity import count_users
from tests.factories import bearer, uscc, user


async def test_no_token_is_401_with_a_bearer_challenge(api: httpx.AsyncClient) -> None:
    response = await api.get("/inbox")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"][0]["type"] == "auth.unauthenticated"


@pytest.mark.parametrize(
    "header", ["Bearer af_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "af_token-alone"]
)
async def test_unknown_or_malformed_credentials_are_401(
    api: httpx.AsyncClient, header: str
) -> None:
    response = await api.get("/me", headers={"Authorization": header})
    assert response.status_code == 401


async def test_a_valid_token_identifies_its_user_and_scope(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    actor, token = user(engine, Role.AGENCY, "丽水安评", agency_uscc=uscc(7))
    response = await api.get("/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {
        "user_id": actor.user_id,
        "name": "丽水安评",
        "role": "agency",
        "agency_uscc": uscc(7),
        "enterprise_uscc": None,
        "county_code": None,
    }


@pytest.mark.parametrize(
    ("role", "binding"),
    [
        (Role.AGENCY, {"agency_uscc": uscc(1)}),
        (Role.ENTERPRISE, {"enterprise_uscc": uscc(2)}),
        (Role.COUNTY_REGULATOR, {"county_code": "331102"}),
        (Role.CITY_REGULATOR, {}),
    ],
)
async def test_a_role_outside_the_route_is_403_and_nothing_happens(
    api: httpx.AsyncClient, engine: Engine, role: Role, binding: dict[str, str]
) -> None:
    _, token = user(engine, role, **binding)
    users_before = count_users(engine)
    response = await api.post(
        "/users", headers=bearer(token), json={"name": "intruder", "role": "admin"}
    )
    assert response.status_code == 403
    assert response.json()["detail"][0]["type"] == "auth.role_not_allowed"
    assert count_users(engine) == users_before
    assert (await api.get("/audit", headers=bearer(token))).status_code == 403


def test_every_route_declares_who_may_call_it() -> None:
    undeclared = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            declared = any(
                hasattr(dependency.call, "allowed_roles")
                for dependency in route.dependant.dependencies
            )
            if not declared and route.path not in PUBLIC_PATHS:
                undeclared.append(f"{sorted(route.methods)} {route.path}")
    assert undeclared == []
