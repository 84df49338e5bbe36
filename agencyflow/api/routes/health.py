"""``GET /health``: whether the database and Temporal answer, and what is down if not."""

import asyncio
from typing import Literal

import anyio.to_thread
import structlog
from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import Engine, text

from agencyflow.api.deps import EngineDep, TemporalDep
from agencyflow.store.migrate import is_up_to_date

router = APIRouter(tags=["health"])
log = structlog.get_logger(__name__)

_CHECK_SECONDS = 3.0


class PartHealth(BaseModel):
    ok: bool
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    down: list[str]
    database: PartHealth
    temporal: PartHealth


def _check_database(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    if not is_up_to_date(engine):
        raise NotMigrated


class NotMigrated(Exception):
    """The database answers, but its schema is behind the code."""


async def _probe(name: str, check: object) -> PartHealth:
    """Whether the part answers. Anyone may ask, so the answer says what an operator must do,
    never the error itself: that goes to the log."""
    try:
        async with asyncio.timeout(_CHECK_SECONDS):
            await check  # type: ignore[misc]
    except TimeoutError:
        log.warning("health.timeout", part=name)
        return PartHealth(ok=False, error=f"did not answer within {_CHECK_SECONDS:.0f}s")
    except NotMigrated:
        return PartHealth(ok=False, error="not at the latest migration: run `agencyflow migrate`")
    except Exception as error:
        log.warning("health.down", part=name, error=f"{type(error).__name__}: {error}"[:500])
        return PartHealth(ok=False, error="unreachable; the service log says why")
    return PartHealth(ok=True)


@router.get(
    "/health",
    name="health",
    responses={503: {"model": Health, "description": "A part is down; `down` names it."}},
)
async def health(engine: EngineDep, temporal: TemporalDep, response: Response) -> Health:
    database, workflow_engine = await asyncio.gather(
        _probe("database", anyio.to_thread.run_sync(_check_database, engine)),
        _probe("temporal", temporal.service_client.check_health()),
    )
    down = [
        name
        for name, part in (("database", database), ("temporal", workflow_engine))
        if not part.ok
    ]
    if down:
        response.status_code = 503
    return Health(
        status="unavailable" if down else "ok",
        down=down,
        database=database,
        temporal=workflow_engine,
    )
