"""The database a test (or a benchmark) runs on: a fresh SQLite file, or a fresh schema on the
PostgreSQL server named by ``AGENCYFLOW_TEST_DATABASE_URL``."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url, text

from agencyflow.store.engine import make_engine

TEST_DATABASE_URL = os.environ.get("AGENCYFLOW_TEST_DATABASE_URL", "")


@contextmanager
def fresh_database_url(folder: object, server_url: str = TEST_DATABASE_URL) -> Iterator[str]:
    """An empty database: a SQLite file in ``folder``, or a schema of its own on the
    PostgreSQL server at ``server_url``, dropped afterwards."""
    if not server_url:
        yield f"sqlite:///{folder}/agencyflow.db"
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
