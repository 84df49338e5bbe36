"""The SQL read model: tables, engine and sessions, and the Alembic migrations that shape it."""
