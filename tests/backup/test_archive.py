"""``agencyflow backup`` and ``restore`` on a stopped data folder: the round trip, and each
refusal, which leaves the data folder as it was."""

import io
import os
import shutil
import sqlite3
import tarfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from agencyflow.backup.archive import MANIFEST, Manifest
from agencyflow.backup.datadir import InUse, claimed
from agencyflow.backup.errors import BackupError
from agencyflow.backup.restore import restore
from agencyflow.backup.snapshot import back_up
from agencyflow.config.settings import Settings
from agencyflow.domain.identity import Role
from agencyflow.store.engine import make_engine
from agencyflow.store.identity import count_users
from tests.backup.conftest import PDF, contents, embedded
from tests.factories import user


def test_a_restore_brings_back_every_part_as_it_was(filled: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    before = contents(filled)

    manifest = back_up(filled, archive)
    shutil.rmtree(filled.data_dir)
    restore(filled, archive, force=False)

    assert not manifest.service_running
    assert {m.name for m in manifest.members} == {
        "agencyflow.db",
        "temporal.db",
        "payload.key",
        "reporter.key",
        *(name for name in before if name.startswith("files/")),
    }
    after = contents(filled)
    assert after.keys() == before.keys()
    for name in ("payload.key", "reporter.key", *(n for n in before if n.startswith("files/"))):
        assert after[name] == before[name]
    assert PDF in after.values()
    engine = make_engine(filled.database_url)
    assert count_users(engine) == 1
    engine.dispose()
    with closing(sqlite3.connect(filled.temporal_db_path)) as temporal:
        assert temporal.execute("SELECT workflow_id FROM executions").fetchall() == [("project-1",)]
    assert os.stat(archive).st_mode & 0o077 == 0  # it holds the keys


def test_backup_refuses_to_overwrite_an_archive(filled: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"an earlier backup")

    with pytest.raises(BackupError, match="exists"):
        back_up(filled, archive)
    assert archive.read_bytes() == b"an earlier backup"


def test_backup_refuses_a_read_model_on_postgresql(filled: Settings, tmp_path: Path) -> None:
    elsewhere = filled.model_copy(
        update={"database_url": "postgresql+psycopg://agencyflow:secret@db/agencyflow"}
    )
    with pytest.raises(BackupError, match="its database's own tools") as refused:
        back_up(elsewhere, tmp_path / "backup.tar.gz")
    assert "secret" not in str(refused.value)
    assert not (tmp_path / "backup.tar.gz").exists()


def test_backup_refuses_a_data_folder_without_a_read_model(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no read model"):
        back_up(embedded(tmp_path / "empty"), tmp_path / "backup.tar.gz")


def test_backup_of_a_running_service_that_cannot_be_held_fails(
    filled: Settings, tmp_path: Path
) -> None:
    """Held by another process (as ``agencyflow dev`` holds it) but no one answers on its
    socket: copying regardless could disagree, so nothing is written."""
    with claimed(filled.data_dir), pytest.raises(BackupError, match="does not answer"):
        back_up(filled, tmp_path / "backup.tar.gz")
    assert list(tmp_path.iterdir()) == [filled.data_dir]


@pytest.fixture
def archive(filled: Settings, tmp_path: Path) -> Path:
    path = tmp_path / "backup.tar.gz"
    back_up(filled, path)
    return path


def test_restore_refuses_while_the_service_runs(filled: Settings, archive: Path) -> None:
    before = contents(filled)
    with claimed(filled.data_dir), pytest.raises(InUse, match="in use"):
        restore(filled, archive, force=True)
    assert contents(filled) == before


def test_restore_refuses_a_folder_that_holds_state_unless_forced(
    filled: Settings, archive: Path
) -> None:
    engine = make_engine(filled.database_url)
    user(engine, Role.ADMIN)  # made after the backup
    changed = contents(filled)

    with pytest.raises(BackupError, match="already holds state.*--force"):
        restore(filled, archive, force=False)
    assert contents(filled) == changed

    stale = filled.data_dir / "agencyflow.db-wal"
    engine.dispose()
    stale.write_bytes(b"not this database's log")
    restore(filled, archive, force=True)
    assert not stale.exists()
    engine = make_engine(filled.database_url)
    assert count_users(engine) == 1
    engine.dispose()


Change = Callable[[str, bytes], list[tuple[str, bytes]]]


def _rewritten(archive: Path, change: Change) -> Path:
    """The archive with its members passed through ``change`` (name, bytes) → members."""
    out = archive.with_name("tampered.tar.gz")
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for info in source:
            read = source.extractfile(info)
            assert read is not None
            for name, data in change(info.name, read.read()):
                entry = tarfile.TarInfo(name)
                entry.size = len(data)
                target.addfile(entry, io.BytesIO(data))
    return out


@pytest.mark.parametrize(
    ("what", "change", "message"),
    [
        (
            "a damaged member",
            lambda name, data: [(name, data + b"!" if name == "temporal.db" else data)],
            "temporal.db in the archive is damaged",
        ),
        (
            "a member the manifest does not list",
            lambda name, data: [(name, data)] + ([("../escape", b"x")] if name == MANIFEST else []),
            "does not list",
        ),
        (
            "a missing member",
            lambda name, data: [] if name == "payload.key" else [(name, data)],
            "lacks payload.key",
        ),
        (
            "a schema newer than this code",
            lambda name, data: [
                (
                    name,
                    Manifest.model_validate_json(data)
                    .model_copy(update={"read_model_revisions": ["9999_from_the_future"]})
                    .model_dump_json()
                    .encode()
                    if name == MANIFEST
                    else data,
                )
            ],
            "does not know.*9999_from_the_future",
        ),
        (
            "no manifest",
            lambda name, data: [] if name == MANIFEST else [(name, data)],
            "not an agencyflow backup",
        ),
        (
            "an unknown manifest format",
            lambda name, data: [(name, data.replace(b'"format": 1', b'"format": 2'))],
            "not one this version reads.*format",
        ),
    ],
)
def test_restore_refuses_an_archive_that_does_not_check_out_and_changes_nothing(
    filled: Settings, archive: Path, what: str, change: Change, message: str
) -> None:
    tampered = _rewritten(archive, change)
    before = contents(filled)

    with pytest.raises(BackupError, match=message):
        restore(filled, tampered, force=True)
    assert contents(filled) == before, what
    assert not (filled.data_dir.parent / "escape").exists()
    assert [p.name for p in filled.data_dir.iterdir() if p.name.startswith(".restore-")] == []


def test_restore_refuses_what_is_not_an_archive(filled: Settings, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"just some notes")
    before = contents(filled)

    with pytest.raises(BackupError, match="damaged or not an archive"):
        restore(filled, bogus, force=True)
    with pytest.raises(BackupError, match="no archive at"):
        restore(filled, tmp_path / "missing.tar.gz", force=True)
    assert contents(filled) == before
