"""Helpers for driving the ``agencyflow`` command as a user would, in subprocesses."""

import os
import signal
import socket
import subprocess
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

AGENCYFLOW = Path(sysconfig.get_path("scripts")) / "agencyflow"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENCYFLOW_")}
    env.update(AGENCYFLOW_DATA_DIR=str(data_dir), AGENCYFLOW_LOG_FORMAT="json", **extra)
    return env


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AGENCYFLOW), *args], env=env, capture_output=True, text=True, timeout=60
    )


class DevStack:
    def __init__(self, data_dir: Path) -> None:
        self.api_port = free_port()
        self.env = environment(
            data_dir,
            AGENCYFLOW_API_PORT=str(self.api_port),
            AGENCYFLOW_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
            AGENCYFLOW_TEMPORAL_UI_PORT=str(free_port()),
        )
        self.url = f"http://127.0.0.1:{self.api_port}"
        self.log = data_dir / "dev.log"

    @contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        """``agencyflow dev`` until healthy; on exit, Ctrl-C and wait for a clean stop."""
        with self.log.open("ab") as log:
            process = subprocess.Popen(
                [str(AGENCYFLOW), "dev"], env=self.env, stdout=log, stderr=log
            )
        try:
            self.wait_healthy(process)
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    raise

    def wait_healthy(self, process: subprocess.Popen[bytes], within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"agencyflow dev exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            # Waiting for another process to come up: there is nothing to wait on but time.
            time.sleep(0.2)
        raise AssertionError(f"/health not 200 within {within}s:\n{self.log.read_text()[-3000:]}")
