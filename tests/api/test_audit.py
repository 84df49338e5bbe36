import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from agencyflow.domain.identity import Role
from agencyflow.store.audit import AuditEntry
from agencyflow.store.identity import count_users
from tests.factories import bearer, uscc, user


def _audit(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


async def test_an_accepted_command_is_audited_with_actor_resource_and_request_id(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    admin, token = user(engine, Role.ADMIN, "管理员甲")
    response = await api.post(
        "/users",
        headers=bearer(token),
        json={"name": "莲都区应急管理局", "role": "county_regulator", "county_code": "331102"},
    )
    assert response.status_code == 201
    created = response.json()
    assert created["token"].startswith("af_")

    [entry] = _audit(engine)
    assert entry.outcome == "accepted"
    assert entry.status_code == 201
    assert entry.actor_user_id == admin.user_id
    assert entry.actor == "管理员甲 (系统管理员)"
    assert entry.role == "admin"
    assert entry.action == "users.create"
    assert entry.resource == f"users/{created['user_id']}"
    assert entry.request_id == response.headers["X-Request-ID"]
    assert entry.detail is None
    # The new user's token works at once.
    assert (await api.get("/me", headers=bearer(created["token"]))).json()[
        "county_code"
    ] == "331102"


async def test_a_rejected_command_is_audited_with_the_reason_and_changes_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    admin, token = user(engine, Role.ADMIN)
    users_before = count_users(engine)
    response = await api.post(
        "/users",
        headers={**bearer(token), "X-Request-ID": "req-from-caller-1"},
        json={"name": "", "role": "agency", "agency_uscc": "91330100799655058C"},
    )
    assert response.status_code == 422
    wrong = {tuple(entry["loc"]) for entry in response.json()["detail"]}
    assert wrong == {("body", "name"), ("body", "agency_uscc")}
    assert response.headers["X-Request-ID"] == "req-from-caller-1"
    assert count_users(engine) == users_before

    [entry] = _audit(engine)
    assert entry.outcome == "rejected"
    assert entry.status_code == 422
    assert entry.actor_user_id == admin.user_id
    assert entry.request_id == "req-from-caller-1"
    assert entry.detail is not None
    assert "body.name" in entry.detail and "body.agency_uscc" in entry.detail


async def test_a_command_refused_for_its_role_is_audited_against_the_caller(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    agency, token = user(engine, Role.AGENCY, agency_uscc=uscc(3))
    response = await api.post("/users", headers=bearer(token), json={"name": "x", "role": "admin"})
    assert response.status_code == 403
    [entry] = _audit(engine)
    assert (entry.outcome, entry.actor_user_id, entry.role) == (
        "rejected",
        agency.user_id,
        "agency",
    )
    assert entry.detail == "auth.role_not_allowed"


async def test_an_anonymous_command_is_audited_as_anonymous(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    response = await api.post("/users", json={"name": "x", "role": "admin"})
    assert response.status_code == 401
    [entry] = _audit(engine)
    assert (entry.actor, entry.actor_user_id, entry.outcome) == ("anonymous", None, "rejected")


async def test_reads_are_not_audited_and_admins_can_read_the_log(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    _, token = user(engine, Role.ADMIN)
    await api.post("/users", headers=bearer(token), json={"name": "市局", "role": "city_regulator"})
    await api.get("/inbox", headers=bearer(token))
    listed = (await api.get("/audit", headers=bearer(token))).json()
    assert [entry["action"] for entry in listed["items"]] == ["users.create"]
    assert listed["total"] == 1


async def test_an_unusable_request_id_is_replaced(api: httpx.AsyncClient, engine: Engine) -> None:
    response = await api.get("/health", headers={"X-Request-ID": "bad id; drop table"})
    assert response.headers["X-Request-ID"] != "bad id; drop table"
    assert len(response.headers["X-Request-ID"]) == 32
