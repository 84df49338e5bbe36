import json
import subprocess
import sys

import httpx
from structlog.testing import capture_logs


async def test_every_request_logs_one_line_with_method_path_status_duration_and_id(
    api: httpx.AsyncClient,
) -> None:
    with capture_logs() as logs:
        response = await api.get("/inbox", headers={"X-Request-ID": "trace-42"})
    [line] = [entry for entry in logs if entry["event"] == "http.request"]
    assert line["method"] == "GET"
    assert line["path"] == "/inbox"
    assert line["status"] == response.status_code == 401
    assert line["request_id"] == "trace-42"
    assert isinstance(line["duration_ms"], float)


def _log_output(log_format: str) -> list[str]:
    program = (
        "import logging, structlog\n"
        "from agencyflow.config.logs import configure_logging\n"
        f"configure_logging({log_format!r})\n"
        "structlog.get_logger('agencyflow.test').info('hello', county='331102')\n"
        "logging.getLogger('temporalio').warning('from %s', 'stdlib')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    return result.stderr.strip().splitlines()


def test_logs_are_json_lines_off_a_terminal_including_the_standard_librarys() -> None:
    ours, theirs = (json.loads(line) for line in _log_output("auto"))
    assert ours["event"] == "hello" and ours["county"] == "331102" and ours["level"] == "info"
    assert ours["timestamp"].endswith("Z")
    assert theirs["event"] == "from stdlib" and theirs["logger"] == "temporalio"


def test_console_format_is_plain_text() -> None:
    [ours, _] = _log_output("console")
    assert "hello" in ours and not ours.startswith("{")
