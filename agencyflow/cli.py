"""The ``agencyflow`` command."""

import asyncio
import signal
from typing import Annotated

import typer
import uvicorn

from agencyflow.config.logs import configure_logging
from agencyflow.config.settings import Settings, get_settings
from agencyflow.domain.identity import Binding, Role

app = typer.Typer(
    help="丽水市安全生产社会化服务机构监管: the agencyflow service.", no_args_is_help=True
)
users = typer.Typer(help="Manage users and their bearer tokens.", no_args_is_help=True)
app.add_typer(users, name="users")


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


@app.command()
def dev() -> None:
    """Run everything locally: Temporal dev server, migrations, one worker and the API."""
    from agencyflow.devstack import run_dev

    asyncio.run(run_dev(_settings()))


@app.command()
def demo() -> None:
    """One project from contract to closure on a private stack, with seconds for days."""
    from agencyflow.demo import run_demo

    run_demo()


@app.command()
def api() -> None:
    """Run the API (production), against AGENCYFLOW_TEMPORAL_ADDRESS and AGENCYFLOW_DATABASE_URL."""
    from agencyflow.api.app import create_app

    settings = _settings()
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


@app.command()
def worker() -> None:
    """Run a worker (production), against AGENCYFLOW_TEMPORAL_ADDRESS."""
    asyncio.run(_run_worker(_settings()))


async def _run_worker(settings: Settings) -> None:
    from agencyflow.schedules import ensure_schedules
    from agencyflow.store.engine import make_engine
    from agencyflow.temporal_client import connect_when_ready, ensure_search_attributes
    from agencyflow.worker import build_worker

    engine = make_engine(settings.database_url)
    client = await connect_when_ready(settings)
    await ensure_search_attributes(client)
    await ensure_schedules(client, settings)
    worker = build_worker(client, settings, engine)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with worker:
        await stop.wait()
    engine.dispose()


@app.command()
def keygen() -> None:
    """Print a new key for AGENCYFLOW_PAYLOAD_KEY (what crosses Temporal is encrypted)."""
    from agencyflow.payload_codec import new_key

    typer.echo(new_key())


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from agencyflow.store.engine import make_engine
    from agencyflow.store.migrate import upgrade

    upgrade(make_engine(_settings().database_url))
    typer.echo("database is up to date")


@users.command("add")
def users_add(
    role: Annotated[Role, typer.Option(help="The user's role.")],
    name: Annotated[str, typer.Option(help="The person or office, as it should appear.")],
    agency: Annotated[str | None, typer.Option(help="USCC of the agency (role agency).")] = None,
    county: Annotated[str | None, typer.Option(help="County code (role county_regulator).")] = None,
    enterprise: Annotated[
        str | None, typer.Option(help="USCC of the enterprise (role enterprise).")
    ] = None,
) -> None:
    """Create a user; prints its bearer token as the last line (it is shown only once)."""
    from pydantic import ValidationError

    from agencyflow.store.engine import make_engine
    from agencyflow.store.identity import create_user
    from agencyflow.store.migrate import is_up_to_date

    try:
        binding = Binding(
            role=role, agency_uscc=agency, county_code=county, enterprise_uscc=enterprise
        )
    except ValidationError as error:
        for entry in error.errors():
            typer.echo(f"error: {entry['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None
    if not name.strip():
        typer.echo("error: --name must not be empty", err=True)
        raise typer.Exit(2)
    engine = make_engine(_settings().database_url)
    if not is_up_to_date(engine):
        typer.echo("error: the database is not migrated; run `agencyflow migrate`", err=True)
        raise typer.Exit(1)
    actor, token = create_user(engine, name.strip(), binding)
    scope = binding.agency_uscc or binding.county_code or binding.enterprise_uscc or "city"
    typer.echo(f"created user {actor.user_id}: {actor.label}, scope {scope}")
    typer.echo(token)


if __name__ == "__main__":
    app()
