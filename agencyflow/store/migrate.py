"""Alembic, driven from code: the only way the schema changes."""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Handing over the engine (not its URL) keeps passwords and %-escapes out of configparser.
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


@cache
def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


@cache
def head_revisions() -> frozenset[str]:
    """The revisions the code expects; fixed for the life of the process."""
    return frozenset(_scripts().get_heads())


def current_revisions(engine: Engine) -> frozenset[str]:
    """The revisions the database is at; empty if it was never migrated."""
    # Read the version table directly: it is cheap enough for every health check, and
    # Alembic's MigrationContext would log a line each time.
    if not inspect(engine).has_table("alembic_version"):
        return frozenset()
    with engine.connect() as connection:
        return frozenset(
            connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        )


def is_up_to_date(engine: Engine) -> bool:
    return current_revisions(engine) == head_revisions()


@cache
def known_revisions() -> frozenset[str]:
    """Every revision the code has a migration for, past ones included."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(
        script.revision for script in ScriptDirectory.from_config(config).walk_revisions()
    )
