"""``agencyflow restore``: an archive's state back into the data folder, all of it or none."""

import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from agencyflow.backup import archive
from agencyflow.backup.datadir import claimed, destinations, state_paths
from agencyflow.backup.errors import BackupError
from agencyflow.config.settings import Settings
from agencyflow.store.migrate import known_revisions


def restore(settings: Settings, source: Path, *, force: bool) -> archive.Manifest:
    """Bring back what ``source`` holds. Refused while the service runs, into a folder that
    holds state unless ``force``, and from an archive that is damaged or from a newer
    schema; nothing in the data folder changes until every member checks out."""
    if not source.is_file():
        raise BackupError(f"there is no archive at {source}")
    with claimed(settings.data_dir):
        try:
            with tarfile.open(source, "r:gz") as opened:
                return _restore_from(settings, opened, force=force)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise BackupError(f"{source} is damaged or not an archive: {error}") from None


def _restore_from(settings: Settings, opened: tarfile.TarFile, *, force: bool) -> archive.Manifest:
    manifest = archive.read_manifest(opened)
    newer = set(manifest.read_model_revisions) - known_revisions()
    if newer:
        raise BackupError(
            f"the archive's read model has schema revisions this agencyflow does not know "
            f"({', '.join(sorted(newer))}): restore it with agencyflow "
            f"{manifest.agencyflow_version}, which wrote it"
        )
    present = [path for path in state_paths(settings) if path.exists()]
    if present and not force:
        names = ", ".join(path.name for path in present)
        raise BackupError(
            f"{settings.data_dir} already holds state ({names}): `agencyflow restore --force` "
            "replaces it"
        )
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.data_dir))
    try:
        archive.extract_verified(opened, manifest, staging)
        for path in present:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        for name, destination in destinations(settings).items():
            if (staging / name).exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staging / name, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest
