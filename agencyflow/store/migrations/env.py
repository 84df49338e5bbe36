"""Alembic environment: migrates the engine handed over by `agencyflow.store.migrate`."""

from alembic import context
from sqlalchemy import Engine

from agencyflow.store.schema import metadata

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations with `agencyflow migrate`, which supplies the engine")

with engine.begin() as connection:
    if connection.dialect.name == "sqlite":
        # Python's sqlite3 runs DDL outside any transaction unless one is open: without this,
        # a migration refused halfway (see 0005's downgrade) would keep what it had dropped.
        connection.exec_driver_sql("BEGIN")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
