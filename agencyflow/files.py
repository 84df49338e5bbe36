"""Files (reports, photos) kept by content hash under ``<data_dir>/files``.

Workflows never carry file contents: the API stores the bytes here and hands the
workflow the hash. Writing is idempotent (same content, same place) and atomic (a
crash leaves either no file or the whole file, never a torn one).
"""

import hashlib
import os
import tempfile
from pathlib import Path

from agencyflow.domain.project import StoredFile

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (by their signature), whatever they are called."""
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def described(data: bytes, *, filename: str, content_type: str) -> StoredFile:
    """What the bytes will be kept as, before anything is written."""
    return StoredFile(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        filename=filename,
        content_type=content_type,
    )


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes, *, filename: str, content_type: str) -> StoredFile:
        self.write(data)
        return described(data, filename=filename, content_type=content_type)

    def write(self, data: bytes) -> None:
        """The bytes, under their hash, unless they are there already."""
        target = self.path(hashlib.sha256(data).hexdigest())
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, target)

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
