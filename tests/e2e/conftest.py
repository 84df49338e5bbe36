"""Helpers for driving the ``agencyflow`` command as a user would, in subprocesses."""

import signal
import subprocess
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agencyflow.stack_process import child_environment, free_port, wait_healthy

AGENCYFLOW = Path(sysconfig.get_path("scripts")) / "agencyflow"


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AGENCYFLOW), *args], env=env, capture_output=True, text=True, timeout=60
    )


class DevStack:
    def __init__(self, data_dir: Path) -> None:
        self.api_port = free_port()
        self.env = child_environment(
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
        if wait_healthy(self.url, process, within, pause=0.2):
            return
        if process.poll() is not None:
            raise AssertionError(f"agencyflow dev exited:\n{self.log.read_text()[-3000:]}")
        raise AssertionError(f"/health not 200 within {within}s:\n{self.log.read_text()[-3000:]}")
