"""``agencyflow migrate`` and ``agencyflow users add`` against a real database."""

from pathlib import Path

import pytest

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
