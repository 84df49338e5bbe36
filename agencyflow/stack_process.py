"""``agencyflow dev`` as a process of its own, as the demo and the end-to-end tests start it:
free ports, an environment of its own, and the wait until it answers."""

import os
import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_environment(data_dir: str | os.PathLike[str], **extra: str) -> dict[str, str]:
    """This process's environment without its own ``AGENCYFLOW_`` settings: the child's are
    only its data folder, JSON logs and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENCYFLOW_")}
    env.update(AGENCYFLOW_DATA_DIR=str(data_dir), AGENCYFLOW_LOG_FORMAT="json", **extra)
    return env


def wait_healthy(
    base_url: str, process: subprocess.Popen[bytes], within: float, pause: float
) -> bool:
    """Whether ``GET /health`` answered 200 within ``within`` seconds; False as soon as the
    process exits, or when the time is up."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        # Waiting for another process to come up: there is nothing to wait on but time.
        time.sleep(pause)
    return False
