from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from agencyflow.store.migrate import (
    alembic_config,
    current_revisions,
    head_revisions,
    is_up_to_date,
)
from agencyflow.store.schema import metadata


def test_the_migrations_build_exactly_the_tables_the_code_declares(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_migrations_go_down_and_up_again(engine: Engine) -> None:
    assert is_up_to_date(engine)
    command.downgrade(alembic_config(engine), "base")
    assert current_revisions(engine) == frozenset()
    assert not {"app_user", "inbox_item"} & set(inspect(engine).get_table_names())
    command.upgrade(alembic_config(engine), "head")
    assert current_revisions(engine) == head_revisions()
