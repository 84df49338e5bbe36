"""The ``agencyflow`` command."""

import asyncio
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

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
spot_checks = typer.Typer(
    help="Each county's half-yearly spot-check sample (R14).", no_args_is_help=True
)
app.add_typer(spot_checks, name="spot-checks")


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


@app.command()
def dev() -> None:
    """Run everything locally: Temporal dev server, migrations, one worker and the API."""
    from agencyflow.devstack import run_dev

    with _backup_errors_said():  # the data folder may be another process's
        asyncio.run(run_dev(_settings()))


@contextmanager
def _backup_errors_said() -> Iterator[None]:
    """A refused backup, restore or start as one line on stderr and exit status 1."""
    from agencyflow.backup.errors import BackupError

    try:
        yield
    except BackupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def backup(
    path: Annotated[
        Path, typer.Argument(help="The archive to write, e.g. agencyflow-2026-11-28.tar.gz.")
    ],
) -> None:
    """One archive of the embedded default's state: the read model, Temporal's store, the
    files and the keys. While ``agencyflow dev`` runs, its worker is held still for the
    seconds the databases take to copy; commands sent meanwhile wait for it."""
    from agencyflow.backup.snapshot import back_up

    with _backup_errors_said():
        manifest = back_up(_settings(), path)
    size = sum(member.size for member in manifest.members)
    how = "worker held while copying" if manifest.service_running else "service stopped"
    typer.echo(f"backed up {len(manifest.members)} files ({size:,} bytes; {how}) to {path}")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="An archive `agencyflow backup` wrote.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the state the data folder holds.")
    ] = False,
) -> None:
    """Bring an archive's state back into the data folder, with the service stopped; then
    ``make run`` carries on from it. Every member is checked before anything is replaced."""
    from agencyflow.backup.restore import restore as restore_archive

    settings = _settings()
    with _backup_errors_said():
        manifest = restore_archive(settings, path, force=force)
    taken = f"{manifest.created_at:%Y-%m-%d %H:%M:%S} UTC"
    typer.echo(
        f"restored {len(manifest.members)} files backed up at {taken} by agencyflow "
        f"{manifest.agencyflow_version} into {settings.data_dir}"
    )
    names = {member.name for member in manifest.members}
    if "temporal.db" in names and "payload.key" not in names and settings.payload_key is None:
        typer.echo(
            "note: the archive holds no payload.key (it was set in the environment): set "
            "AGENCYFLOW_PAYLOAD_KEY to that key, or Temporal's store cannot be read"
        )


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
    import httpx

    from agencyflow.notify.notifier import Notifier
    from agencyflow.schedules import ensure_schedules
    from agencyflow.store.engine import make_engine
    from agencyflow.temporal_client import (
        connect_when_ready,
        ensure_search_attributes,
        worker_runtime,
    )
    from agencyflow.tracing import trace_sql, tracer_provider
    from agencyflow.worker import build_worker

    engine = make_engine(settings.database_url)
    tracing = tracer_provider(settings, "worker")
    if tracing is not None:
        trace_sql(engine, tracing)
    client = await connect_when_ready(settings, runtime=worker_runtime(settings), tracing=tracing)
    await ensure_search_attributes(client)
    await ensure_schedules(client, settings)
    worker = build_worker(client, settings, engine)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with worker, httpx.AsyncClient() as http:
        # Beside the worker, never in a workflow: a mail server that is down delays a
        # message, not a step.
        await Notifier(settings, engine, http).run(stop)
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
    login: Annotated[
        str | None, typer.Option(help="A console login name (with --password-stdin).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the console password from stdin.")
    ] = False,
) -> None:
    """Create a user; prints its bearer token as the last line (it is shown only once).
    With ``--login`` and ``--password-stdin`` the person may also sign in to the console."""
    from pydantic import ValidationError

    from agencyflow.store import logins
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
    password_hash = _console_password(login, password_stdin)
    engine = make_engine(_settings().database_url)
    if not is_up_to_date(engine):
        typer.echo("error: the database is not migrated; run `agencyflow migrate`", err=True)
        raise typer.Exit(1)
    if login is not None and logins.login_named(engine, login) is not None:
        typer.echo(f"error: the login {login} is taken", err=True)
        raise typer.Exit(1)
    actor, token = create_user(engine, name.strip(), binding)
    if login is not None and password_hash is not None:
        _give_login(engine, actor.user_id, login, password_hash)
    scope = binding.agency_uscc or binding.county_code or binding.enterprise_uscc or "city"
    typer.echo(f"created user {actor.user_id}: {actor.label}, scope {scope}")
    typer.echo(token)


@users.command("passwd")
def users_passwd(
    login: Annotated[str, typer.Option(help="The console login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from stdin.")
    ] = False,
) -> None:
    """Set a new console password (read from stdin); unlocks the login and ends its sessions."""
    from agencyflow.store import logins
    from agencyflow.store.engine import make_engine

    password_hash = _console_password(login, password_stdin)
    assert password_hash is not None
    engine = make_engine(_settings().database_url)
    found = logins.login_named(engine, login)
    if found is None:
        typer.echo(f"error: no console login {login}", err=True)
        raise typer.Exit(1)
    logins.set_password(engine, found.user_id, login, password_hash)
    typer.echo(f"password of {login} changed")


LOGIN_NAME = re.compile(r"[A-Za-z0-9._-]{3,64}")


def _console_password(login: str | None, password_stdin: bool) -> str | None:
    """The argon2 hash of the password on stdin, for ``login``; None without a login."""
    from agencyflow.console.signin import hash_password

    if login is None and not password_stdin:
        return None
    if login is None or not password_stdin:
        typer.echo("error: a console login needs both --login and --password-stdin", err=True)
        raise typer.Exit(2)
    if not LOGIN_NAME.fullmatch(login):
        typer.echo("error: a login is 3 to 64 ASCII letters, digits, '.', '_' or '-'", err=True)
        raise typer.Exit(2)
    try:
        return hash_password(sys.stdin.readline().rstrip("\r\n"))
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _give_login(engine: Any, user_id: int, login: str, password_hash: str) -> None:
    from sqlalchemy.exc import IntegrityError

    from agencyflow.store import logins

    try:
        logins.set_password(engine, user_id, login, password_hash)
    except IntegrityError:
        typer.echo(f"error: the login {login} is taken; the user has no console login", err=True)
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()


CountyOption = Annotated[str, typer.Option("--county", help="county code, e.g. 331102")]
PeriodOption = Annotated[str, typer.Option("--period", help="half year, e.g. 2026H2")]


@spot_checks.command("draw")
def draw_sample(
    county: CountyOption,
    period: PeriodOption,
    seed: Annotated[str | None, typer.Option(help="default: a new random seed")] = None,
) -> None:
    """Draw the county's sample of the half year's reports and keep it (once per half year:
    a half year already drawn is shown as it was drawn)."""
    from agencyflow.spot_check_sampling import draw_for, new_seed
    from agencyflow.store.engine import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    recorded = draw_for(
        engine,
        settings.policy,
        county,
        period,
        seed or new_seed(county, period),
        drawn_by="agencyflow spot-checks draw",
    )
    engine.dispose()
    _print_draw(recorded.seed, len(recorded.candidates), recorded.result)


@spot_checks.command("verify")
def verify_sample(county: CountyOption, period: PeriodOption) -> None:
    """Draw a kept sample again from its recorded seed and inputs; exit 1 if it differs."""
    from agencyflow.spot_check_sampling import redraw
    from agencyflow.store import spot_check_draws
    from agencyflow.store.engine import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    recorded = spot_check_draws.get(engine, county, period)
    engine.dispose()
    if recorded is None:
        typer.echo(f"no draw is kept for {county} {period}", err=True)
        raise typer.Exit(2)
    again = redraw(recorded)
    _print_draw(recorded.seed, len(recorded.candidates), again)
    same = again == recorded.result
    typer.echo("same as kept: yes" if same else "same as kept: NO")
    if not same:
        raise typer.Exit(1)


def _print_draw(seed: str, candidates: int, result: Any) -> None:
    typer.echo(
        f"seed {seed}: {len(result.drawn)} of {candidates} reports (share asks {result.target})"
    )
    for project_id in result.drawn:
        typer.echo(f"{project_id}\t{result.reasons[project_id]}")
