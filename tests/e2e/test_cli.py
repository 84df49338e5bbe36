"""``agencyflow migrate`` and ``agencyflow users add`` against a real database."""

from pathlib import Path

import pytest
from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.console.signin import Refused, sign_in
from agencyflow.stack_process import child_environment
from tests.e2e.conftest import run_cli
from tests.factories import uscc


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = child_environment(tmp_path, AGENCYFLOW_DATABASE_URL=database_url)
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def test_users_add_prints_the_token_last(env: dict[str, str]) -> None:
    result = run_cli(
        "users", "add", "--role", "agency", "--name", "丽水安科", "--agency", uscc(9), env=env
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("af_") and len(lines[-1]) > 40
    assert uscc(9) in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "agency", "--name", "x"], "must be bound with agency_uscc"),
        (["--role", "agency", "--name", "x", "--agency", "9133"], "18 characters"),
        (
            ["--role", "county_regulator", "--name", "x", "--county", "110101"],
            "not a Lishui county",
        ),
        (["--role", "city_regulator", "--name", "x", "--county", "331102"], "cannot be bound"),
        (["--role", "admin", "--name", "  "], "--name must not be empty"),
    ],
)
def test_users_add_refuses_a_wrong_binding(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = run_cli("users", "add", *args, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "af_" not in result.stdout


def test_users_add_on_an_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    env = child_environment(tmp_path, AGENCYFLOW_DATABASE_URL=f"sqlite:///{tmp_path}/fresh.db")
    result = run_cli("users", "add", "--role", "admin", "--name", "root", env=env)
    assert result.returncode == 1
    assert "agencyflow migrate" in result.stderr


def test_a_console_login_is_set_from_stdin_and_changed_with_passwd(
    env: dict[str, str], engine: Engine, database_url: str
) -> None:
    add = ["users", "add", "--role", "city_regulator", "--name", "市局", "--login", "city.one"]
    short = run_cli(*add, "--password-stdin", env=env, stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    half = run_cli(*add, env=env)
    assert half.returncode == 2 and "both --login and --password-stdin" in half.stderr
    added = run_cli(*add, "--password-stdin", env=env, stdin="first password 1\n")
    assert added.returncode == 0, added.stderr
    taken = run_cli(*add, "--password-stdin", env=env, stdin="first password 1\n")
    assert taken.returncode == 1 and "taken" in taken.stderr

    settings = Settings(database_url=database_url)
    assert sign_in(engine, settings, "city.one", "first password 1").token
    changed = run_cli(
        "users",
        "passwd",
        "--login",
        "city.one",
        "--password-stdin",
        env=env,
        stdin="second one 22\n",
    )
    assert changed.returncode == 0, changed.stderr
    with pytest.raises(Refused):
        sign_in(engine, settings, "city.one", "first password 1")
    assert sign_in(engine, settings, "city.one", "second one 22").token
    nobody = run_cli(
        "users", "passwd", "--login", "nobody", "--password-stdin", env=env, stdin="whatever 123\n"
    )
    assert nobody.returncode == 1
