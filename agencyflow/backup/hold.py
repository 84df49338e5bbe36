"""Holding the running service's worker still while a backup copies its two databases.

``agencyflow dev`` listens on a Unix socket in its data folder (``control.sock``, its
owner's alone). A backup connects and asks ``hold``; the service stops its worker, which
finishes the workflow tasks it has begun, and answers ``held``. The backup copies, then
says ``release`` (or just goes: a closed connection releases too, so a backup that dies
never leaves the service without its worker). A hold lasts at most ``HOLD_LIMIT_SECONDS``;
a backup that took longer hears ``expired`` and fails, since its copies may disagree.
"""

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import structlog
from temporalio.worker import Worker

from agencyflow.backup.errors import BackupError

log = structlog.get_logger(__name__)

HOLD_LIMIT_SECONDS = 300.0
# Stopping the worker waits for its running workflow tasks and, at most its graceful
# shutdown timeout, for its activities.
HOLD_WAIT_SECONDS = 120.0
# A Unix socket's path is limited to 108 bytes, its terminating NUL included.
SOCKET_PATH_MAX = 107


class PausableWorker:
    """The service's worker, which a backup may hold still and then let go on: each run is
    a new ``Worker`` from ``build``, since a worker once shut down cannot start again."""

    def __init__(self, build: Callable[[], Worker]) -> None:
        self._build = build
        self._worker = build()
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._stopping = False
        self._one_hold = asyncio.Lock()

    async def run(self) -> None:
        """Until ``shutdown``; raises if a worker fails."""
        while True:
            await self._worker.run()
            await self._resumed.wait()
            if self._stopping:
                return
            self._worker = self._build()

    async def shutdown(self) -> None:
        self._stopping = True
        self._resumed.set()
        await self._worker.shutdown()

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """No workflow task or activity runs inside the block; one hold at a time."""
        async with self._one_hold:
            if self._stopping:
                raise BackupError("the service is stopping")
            self._resumed.clear()
            try:
                await self._worker.shutdown()
                log.info("worker held for a backup")
                yield
            finally:
                self._resumed.set()
                log.info("worker released")


async def serve_holds(path: Path, worker: PausableWorker) -> asyncio.Server | None:
    """Listen for backups at ``path``; None (and a warning) where the path is too long for
    a socket: a backup then refuses to run while the service does."""
    if not _free_socket_path(path):
        log.warning("no backups while running: the data folder's path is too long", path=str(path))
        return None

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if (await reader.readline()).strip() != b"hold":
                writer.write(b"unknown request\n")
                return
            async with worker.held():
                writer.write(b"held\n")
                await writer.drain()
                try:
                    async with asyncio.timeout(HOLD_LIMIT_SECONDS):
                        await reader.readline()  # "release", or the end of the connection
                    answer = b"released\n"
                except TimeoutError:
                    answer = b"expired\n"
            writer.write(answer)
            await writer.drain()
        except (BackupError, ConnectionError) as error:
            log.warning("a backup's hold failed", error=str(error))
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_unix_server(one, path=str(path))
    os.chmod(path, 0o600)
    return server


def _free_socket_path(path: Path) -> bool:
    """Whether a socket fits at ``path``; one left there by a service that died is removed."""
    if len(os.fsencode(path.resolve())) > SOCKET_PATH_MAX:
        return False
    path.unlink(missing_ok=True)
    return True


@contextmanager
def held(path: Path) -> Iterator[None]:
    """The running service's worker, held still for the block (the backup's side)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(HOLD_WAIT_SECONDS)
        try:
            connection.connect(str(path))
        except OSError:
            raise BackupError(
                f"the service using {path.parent} does not answer at {path} (is it starting "
                "or stopping?): back up again once it runs, or stop it (Ctrl-C) first"
            ) from None
        channel = connection.makefile("rwb")
        channel.write(b"hold\n")
        channel.flush()
        if channel.readline() != b"held\n":
            raise BackupError("the service did not hold its worker; nothing was backed up")
        yield
        channel.write(b"release\n")
        channel.flush()
        if channel.readline() != b"released\n":
            raise BackupError(
                f"the copy outlasted the {HOLD_LIMIT_SECONDS:.0f} s a worker may be held; "
                "nothing was backed up"
            )
