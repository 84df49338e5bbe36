"""People who use the console in tests: a login, a session cookie and its CSRF token, and
the same person's bearer token, to compare what the console and the API answer."""

import re
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine

from agencyflow.api.deps import CSRF_HEADER, SESSION_COOKIE
from agencyflow.console.signin import hash_password
from agencyflow.domain.identity import Actor, Role
from agencyflow.store import logins
from tests.factories import user

PASSWORD = "correct horse battery"
FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass(frozen=True)
class Person:
    actor: Actor
    login: str
    token: str
    session: str
    csrf: str

    def page(self) -> dict[str, str]:
        """Headers of a page the browser loads: its session cookie."""
        return {"Cookie": f"{SESSION_COOKIE}={self.session}"}

    def console(self) -> dict[str, str]:
        """Headers of a command a console form sends: the cookie and the page's token."""
        return {**self.page(), CSRF_HEADER: self.csrf}

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def console_login(engine: Engine, role: Role, login: str, **scope: str) -> tuple[Actor, str]:
    """A user with a console password; their bearer token too."""
    actor, token = user(engine, role, **scope)
    logins.set_password(engine, actor.user_id, login, hash_password(PASSWORD))
    return actor, token


async def signed_in(
    api: httpx.AsyncClient, engine: Engine, role: Role, login: str, **scope: str
) -> Person:
    """A person signed in to the console through its login page, as a browser does it."""
    actor, token = console_login(engine, role, login, **scope)
    form = await api.get("/console/login")
    found = FORM_CSRF.search(form.text)
    assert found is not None, form.text
    done = await api.post(
        "/console/login", data={"login": login, "password": PASSWORD, "csrf_token": found[1]}
    )
    assert done.status_code == 303, done.text
    session = api.cookies[SESSION_COOKIE]
    api.cookies.clear()  # each person keeps their own cookie; the shared client keeps none
    page = await api.get("/console/", headers={"Cookie": f"{SESSION_COOKIE}={session}"})
    csrf = PAGE_CSRF.search(page.text)
    assert csrf is not None, page.text
    return Person(actor=actor, login=login, token=token, session=session, csrf=csrf[1])
