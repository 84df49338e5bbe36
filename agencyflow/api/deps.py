"""Dependencies routes declare: settings, database, Temporal, and who may call them.

Every route declares its callers with `allow(...)` (or is listed as public in
`PUBLIC_PATHS`); a test walks the app to keep it that way.
"""

import datetime as dt
import secrets
import time
from collections.abc import Callable
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.domain.errors import Forbidden
from agencyflow.domain.identity import Actor, Role
from agencyflow.store import logins
from agencyflow.store.identity import actor_for_token, hash_token

from .errors import Unauthenticated

PUBLIC_PATHS = frozenset(
    {
        "/health",
        "/metrics",
        "/public/agencies",
        "/public/agencies/{uscc}/procurement",
        "/public/untrustworthy",
        "/public/complaints",
        "/public/complaints/{code}",
        "/public/complaints/attachments",
        "/public/warnings",
    }
)

SESSION_COOKIE = "af_session"
"""A person's console session (``/console/login``); the API takes it as it takes a token."""
CSRF_HEADER = "X-CSRF-Token"
"""What a console page sends with every command: the session's CSRF token, which another
site cannot read, so it cannot make a signed-in browser send a command."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="A token from `agencyflow users add`.")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[Engine, Depends(_engine)]
TemporalDep = Annotated[Client, Depends(_temporal)]


class TokenCache:
    """Who recent tokens belong to, for a few seconds: every request would otherwise read
    the database first. A revoked token stops working within ``ttl``."""

    def __init__(self, ttl: float = 10.0, size: int = 10_000) -> None:
        self._ttl, self._size = ttl, size
        self._actors: dict[str, tuple[float, Actor]] = {}

    def get(self, token: str) -> Actor | None:
        cached = self._actors.get(hash_token(token))
        if cached is None or cached[0] < time.monotonic():
            return None
        return cached[1]

    def put(self, token: str, actor: Actor) -> None:
        if len(self._actors) >= self._size:
            self._actors.clear()
        self._actors[hash_token(token)] = (time.monotonic() + self._ttl, actor)


async def _authenticated(
    request: Request,
    engine: EngineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            return await _console_person(request, engine, session)
        raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'")
    cache: TokenCache = request.app.state.tokens
    token = credentials.credentials
    actor = cache.get(token)
    if actor is None:
        actor = await anyio.to_thread.run_sync(actor_for_token, engine, token)
        if actor is None:
            raise Unauthenticated("the bearer token is unknown or revoked")
        cache.put(token, actor)
    request.state.actor = actor
    return actor


async def _console_person(request: Request, engine: Engine, session: str) -> Actor:
    """The signed-in person of a console page's request; a command must carry the session's
    CSRF token in its header, or it is refused before anything runs."""
    settings: Settings = request.app.state.settings
    idle = dt.timedelta(minutes=settings.console_idle_minutes)
    found = await anyio.to_thread.run_sync(logins.session_actor, engine, session, idle)
    if found is None:
        raise Unauthenticated("the console session has ended: sign in again")
    actor, csrf = found
    if request.method not in SAFE_METHODS and not secrets.compare_digest(
        request.headers.get(CSRF_HEADER, "").encode(), csrf.encode()
    ):
        raise Forbidden(
            f"a command from the console must carry its page's {CSRF_HEADER}",
            code="auth.csrf_missing",
        )
    request.state.actor = actor
    return actor


def allow(*roles: Role) -> Callable[..., object]:
    """A dependency admitting callers in these roles (any role if none given)."""
    allowed = frozenset(roles or Role)

    async def dependency(actor: Annotated[Actor, Depends(_authenticated)]) -> Actor:
        if actor.role not in allowed:
            labels = "、".join(role.label for role in Role if role in allowed)
            raise Forbidden(f"only {labels} may do this", code="auth.role_not_allowed")
        return actor

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency


def own_county(actor: Actor, county: str | None) -> str | None:
    """The county a regulators' list is narrowed to: a county regulator sees only its own
    (asking for another is 403); the city and admins see the one asked for, or all."""
    if actor.role is not Role.COUNTY_REGULATOR:
        return county
    if county is not None and county != actor.county_code:
        raise Forbidden("a county regulator sees only its own county", code="auth.out_of_scope")
    return actor.county_code


AnyActor = Annotated[Actor, Depends(allow())]
AgencyUser = Annotated[Actor, Depends(allow(Role.AGENCY))]
Regulator = Annotated[Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR))]
Admin = Annotated[Actor, Depends(allow(Role.ADMIN))]
