"""Signing in to the console (issue 11, point 2): a login and an argon2 password, a session
cookie, CSRF on every form, lock-out after five wrong passwords, sign-out, idle expiry."""

import datetime as dt
import re

import httpx
from sqlalchemy import Engine, update

from agencyflow.console.signin import hash_password
from agencyflow.domain.identity import Role
from agencyflow.store import logins
from agencyflow.store.engine import transaction
from tests.factories import bearer, facts, fresh_agency, uscc, user

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _person(engine: Engine, login: str, role: Role = Role.COUNTY_REGULATOR) -> int:
    scope = {"county_code": "331102"} if role is Role.COUNTY_REGULATOR else {}
    actor, _ = user(engine, role, **scope)
    logins.set_password(engine, actor.user_id, login, hash_password(PASSWORD))
    return actor.user_id


async def _form_token(api: httpx.AsyncClient, page: str = "/console/login") -> str:
    shown = await api.get(page)
    assert shown.status_code == 200, shown.text
    found = CSRF.search(shown.text)
    assert found is not None
    return found.group(1)


async def _sign_in(api: httpx.AsyncClient, login: str, password: str = PASSWORD) -> httpx.Response:
    token = await _form_token(api)
    return await api.post(
        "/console/login", data={"login": login, "password": password, "csrf_token": token}
    )


async def test_a_regulator_signs_in_sees_the_inbox_and_signs_out(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    number = fresh_agency()
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    applied = await api.post("/agencies", headers=bearer(agency), json=facts(number))
    assert applied.status_code == 201, applied.text
    _person(engine, f"county-{number}")

    signed = await _sign_in(api, f"county-{number}")
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"].endswith("/console/")
    (cookie,) = [c.lower() for c in signed.headers.get_list("set-cookie") if "af_session=" in c]
    # The whole site's path: the console's forms send their commands to the API's routes.
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/;" in cookie + ";"
    assert "secure" not in cookie  # plain HTTP here; see the HTTPS test below

    inbox = await api.get("/console/")
    assert inbox.status_code == 200
    assert "待办" in inbox.text and facts(number)["legal_name"] in inbox.text

    token = await _form_token(api, "/console/")
    forged = await api.post("/console/logout", data={})
    assert forged.status_code == 403
    assert (await api.get("/console/")).status_code == 200  # still signed in
    out = await api.post("/console/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"].endswith("/console/login")
    after = await api.get("/console/")
    assert after.status_code == 303 and after.headers["location"].endswith("/console/login")


async def test_a_form_without_its_csrf_token_signs_nobody_in(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    _person(engine, "city-csrf", Role.CITY_REGULATOR)
    await _form_token(api)  # the cookie is there; the form's token is not sent
    bare = await api.post("/console/login", data={"login": "city-csrf", "password": PASSWORD})
    assert bare.status_code == 403
    wrong = await api.post(
        "/console/login", data={"login": "city-csrf", "password": PASSWORD, "csrf_token": "x"}
    )
    assert wrong.status_code == 403
    assert "af_session" not in api.cookies
    assert (await api.get("/console/")).status_code == 303


async def test_the_fifth_wrong_password_locks_the_login(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    user_id = _person(engine, "county-lock")
    for attempt in range(1, 5):
        wrong = await _sign_in(api, "county-lock", "not the password")
        assert wrong.status_code == 401, attempt
        assert "登录名或密码不正确" in wrong.text
    unknown = await _sign_in(api, "nobody-at-all", PASSWORD)
    assert unknown.status_code == 401 and "登录名或密码不正确" in unknown.text  # no hint
    fifth = await _sign_in(api, "county-lock", "not the password")
    assert fifth.status_code == 429 and "已锁定" in fifth.text
    right = await _sign_in(api, "county-lock")
    assert right.status_code == 429  # locked whatever the password
    # A new password (agencyflow users passwd) unlocks it.
    logins.set_password(engine, user_id, "county-lock", hash_password("another good one"))
    assert (await _sign_in(api, "county-lock", "another good one")).status_code == 303


async def test_a_session_left_idle_ends(api: httpx.AsyncClient, engine: Engine) -> None:
    _person(engine, "county-idle")
    assert (await _sign_in(api, "county-idle")).status_code == 303
    assert (await api.get("/console/")).status_code == 200
    with transaction(engine) as session:  # 31 minutes pass without a request
        session.execute(
            update(logins.ConsoleSessionRow).values(
                last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
            )
        )
    assert (await api.get("/console/")).status_code == 303


async def test_over_https_the_cookies_are_secure(api: httpx.AsyncClient) -> None:
    page = await api.get("https://test/console/login")
    assert "secure" in page.headers["set-cookie"].lower()


async def test_the_console_serves_its_own_assets(api: httpx.AsyncClient) -> None:
    page = await api.get("/console/login")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/console/") for a in assets)
    for asset in assets:
        assert (await api.get(asset)).status_code == 200
