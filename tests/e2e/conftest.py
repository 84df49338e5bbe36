"""Helpers for driving the ``agencyflow`` command as a user would, in subprocesses."""

import signal
import subprocess
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agencyflow.stack_process import child_environment, free_port, wait_healthy

AGENCYFLOW = Path(sysconfig.get_path("scripts")) / "agencyflow"


def run_cli(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AGENCYFLOW), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


class DevStack:
    def __init__(self, data_dir: Path, **settings: str) -> None:
        """``settings``: more of the stack's environment, e.g. a shorter policy."""
        self.data_dir = data_dir
        self.settings = settings
        self.log = data_dir / "dev.log"
        self._pick_ports()

    def _pick_ports(self) -> None:
        self.api_port = free_port()
        self.env = child_environment(
            self.data_dir,
            AGENCYFLOW_API_PORT=str(self.api_port),
            AGENCYFLOW_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
            AGENCYFLOW_TEMPORAL_UI_PORT=str(free_port()),
            **self.settings,
        )
        self.url = f"http://127.0.0.1:{self.api_port}"

    def _logged_since(self, sizes: dict[Path, int]) -> str:
        return "".join(
            path.read_bytes()[size:].decode(errors="replace")
            for path, size in sizes.items()
            if path.exists()
        )

    @contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        """``agencyflow dev`` until healthy; on exit, Ctrl-C and wait for a clean stop.

        A port picked free can be taken by the time a server binds it (the dev server
        picks random ports of its own meanwhile): then the stack is started again on
        other ports, as a person would."""
        logs = [self.log, self.data_dir / "temporal.log"]
        for _ in range(3):
            sizes = {path: path.stat().st_size if path.exists() else 0 for path in logs}
            with self.log.open("ab") as log:
                process = subprocess.Popen(
                    [str(AGENCYFLOW), "dev"], env=self.env, stdout=log, stderr=log
                )
            if wait_healthy(self.url, process, 60, pause=0.2):
                break
            exited = process.poll() is not None
            if not exited:
                process.kill()
                process.wait(timeout=10)
            if not exited or "address already in use" not in self._logged_since(sizes):
                state = "exited" if exited else "never became healthy"
                raise AssertionError(f"agencyflow dev {state}:\n{self.log.read_text()[-3000:]}")
            self._pick_ports()
        else:
            raise AssertionError(f"no free ports in three tries:\n{self.log.read_text()[-3000:]}")
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    raise
