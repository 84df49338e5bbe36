"""What the embedded default keeps in its data folder, and the lock that says it is in use."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from agencyflow.backup.errors import BackupError
from agencyflow.config.settings import Settings

LOCK_NAME = "agencyflow.lock"
CONTROL_NAME = "control.sock"
KEYS = ("payload.key", "reporter.key")
DEMO_USERS = "demo-users.txt"
READ_MODEL = "agencyflow.db"
TEMPORAL_STORE = "temporal.db"
FILES = "files"
# SQLite's companions of a database file: a restored file beside a stale one is corrupt.
SIDECARS = ("-wal", "-shm", "-journal")


class InUse(BackupError):
    """Another process (``agencyflow dev``, a backup or a restore) has the data folder."""


@contextmanager
def claimed(data_dir: Path) -> Iterator[None]:
    """The data folder for this process alone, for as long as the block runs. The lock is
    the kernel's (flock): it goes with the process, however that ends."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InUse(
                f"{data_dir} is in use by a running `agencyflow dev` (or a backup or restore)"
            ) from None
        yield
    finally:
        os.close(handle)


def read_model_file(settings: Settings) -> Path:
    """The read model's SQLite file; a backup of any other database is that database's own."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            f"the read model is not an SQLite file ({url.render_as_string()}): back it up with "
            "its database's own tools (README: Production, Backups)"
        )
    return Path(url.database)


def destinations(settings: Settings) -> dict[str, Path]:
    """Where each part of the state lives, by its name in an archive (files: the folder)."""
    return {
        READ_MODEL: read_model_file(settings),
        TEMPORAL_STORE: settings.temporal_db_path,
        FILES: settings.files_dir,
        **{name: settings.data_dir / name for name in (*KEYS, DEMO_USERS)},
    }


def state_paths(settings: Settings) -> list[Path]:
    """Everything a restore replaces, whether or not it exists now."""
    places = destinations(settings)
    databases = [places[READ_MODEL], places[TEMPORAL_STORE]]
    return [
        *places.values(),
        *(
            database.with_name(database.name + suffix)
            for database in databases
            for suffix in SIDECARS
        ),
    ]
