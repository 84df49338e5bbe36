"""A stopped embedded data folder with something in each part: the read model (migrated,
one user), a stand-in for Temporal's store (any SQLite file: the end-to-end test uses the
dev server's own), a stored file and both keys."""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from agencyflow.config.settings import Settings
from agencyflow.domain.identity import Role
from agencyflow.files import FileStore
from agencyflow.store.engine import make_engine
from agencyflow.store.migrate import upgrade
from tests.factories import user

PDF = b"%PDF-1.7\n% a service report\n%%EOF\n"


def embedded(data_dir: Path) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir)


@pytest.fixture
def filled(tmp_path: Path) -> Settings:
    settings = embedded(tmp_path / "var")
    settings.data_dir.mkdir()
    settings.payload_codec()  # the key, made before Temporal's store as `agencyflow dev` does
    settings.reporter_sealer()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    user(engine, Role.CITY_REGULATOR, "丽水市应急管理局")
    engine.dispose()
    with closing(sqlite3.connect(settings.temporal_db_path)) as temporal:
        temporal.execute("CREATE TABLE executions (workflow_id TEXT, data BLOB)")
        temporal.execute("INSERT INTO executions VALUES ('project-1', x'00ff')")
        temporal.commit()
    FileStore(settings.files_dir).put(PDF, filename="报告.pdf", content_type="application/pdf")
    return settings


def contents(settings: Settings) -> dict[str, bytes]:
    """Every file of the data folder but the lock, by its path inside it."""
    return {
        str(path.relative_to(settings.data_dir)): path.read_bytes()
        for path in sorted(settings.data_dir.rglob("*"))
        if path.is_file() and path.name != "agencyflow.lock"
    }
