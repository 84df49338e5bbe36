import socket

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.api.app import create_app
from agencyflow.config.settings import Settings
from agencyflow.store.engine import make_engine
from agencyflow.temporal_client import connect_temporal


async def test_health_is_200_when_database_and_temporal_answer(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["database"]["ok"] and body["temporal"]["ok"]
    assert response.headers["X-Request-ID"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _health(settings: Settings, engine: Engine, temporal: Client) -> httpx.Response:
    app = create_app(settings, temporal=temporal, engine=engine)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http,
    ):
        return await http.get("/health")


async def test_health_is_503_naming_temporal_when_it_is_down(
    settings: Settings, engine: Engine
) -> None:
    port = _closed_port()
    down = settings.model_copy(update={"temporal_address": f"127.0.0.1:{port}"})
    response = await _health(down, engine, await connect_temporal(down, lazy=True))
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["temporal"]
    assert body["database"]["ok"] is True
    # Anyone may ask: what to do, never the error itself (addresses, exception text).
    assert body["temporal"]["error"] == "unreachable; the service log says why"
    assert str(port) not in response.text and "Error" not in response.text


async def test_health_is_503_naming_the_database_when_it_is_not_migrated(
    api_settings: Settings, temporal: Client, tmp_path: object
) -> None:
    empty = make_engine(f"sqlite:///{tmp_path}/never-migrated.db")
    response = await _health(api_settings, empty, temporal)
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["database"]
    assert "agencyflow migrate" in body["database"]["error"]
    empty.dispose()


async def test_health_is_503_naming_the_database_when_it_is_unreachable(
    api_settings: Settings, temporal: Client
) -> None:
    unreachable = make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none")
    response = await _health(api_settings, unreachable, temporal)
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
