"""Dependencies routes declare: settings, database, Temporal, and who may call them.

Every route declares its callers with `allow(...)` (or is listed as public in
`PUBLIC_PATHS`); a test walks the app to keep it that way.
"""

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
from agencyflow.store.identity import actor_for_token

from .errors import Unauthenticated

PUBLIC_PATHS = frozenset({"/health", "/public/agencies"})

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


async def _authenticated(
    request: Request,
    engine: EngineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'")
    actor = await anyio.to_thread.run_sync(actor_for_token, engine, credentials.credentials)
    if actor is None:
        raise Unauthenticated("the bearer token is unknown or revoked")
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


AnyActor = Annotated[Actor, Depends(allow())]
Admin = Annotated[Actor, Depends(allow(Role.ADMIN))]
