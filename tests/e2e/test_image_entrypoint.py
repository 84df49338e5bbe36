"""The image's entrypoint, run as the container would run it (issue 15, point 5), without a
Docker engine: the command, arguments and environment are read from ``docker/Dockerfile``;
`migrate`, then the default command (the API) and `worker`, against the test database
(PostgreSQL in CI) and a Temporal server; the image's own health check then passes and an
agency's application goes through both."""

import json
import re
import subprocess
import uuid
from pathlib import Path

import httpx

from agencyflow.domain.identity import Role
from agencyflow.stack_process import free_port, wait_healthy
from agencyflow.store.engine import make_engine
from tests.databases import fresh_database_url
from tests.e2e.conftest import AGENCYFLOW
from tests.factories import bearer, facts, fresh_agency, uscc, user

DOCKERFILE = (Path(__file__).parents[2] / "docker/Dockerfile").read_text(encoding="utf-8")


def _instruction(name: str) -> str:
    """The last ``name`` instruction's arguments, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found = re.findall(rf"^{name}\s+(.+)$", joined, re.M)
    assert found, f"the Dockerfile has no {name}"
    return str(found[-1])


def _image_env() -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", _instruction("ENV")))


def _command(*args: str) -> list[str]:
    """The entrypoint, with the installed ``agencyflow`` for the image's."""
    entrypoint = json.loads(_instruction("ENTRYPOINT"))
    assert entrypoint == ["agencyflow"], entrypoint
    return [str(AGENCYFLOW), *args]


def test_migrate_then_the_api_and_a_worker_as_the_image_runs_them(
    tmp_path: Path, dev_server_address: str
) -> None:
    with fresh_database_url(tmp_path) as database_url:
        image = _image_env()
        assert (
            image["AGENCYFLOW_API_HOST"] == "0.0.0.0" and image["AGENCYFLOW_LOG_FORMAT"] == "json"
        )
        port = free_port()
        key = subprocess.run(_command("keygen"), capture_output=True, text=True, check=True)
        env = {
            "PATH": f"{AGENCYFLOW.parent}:/usr/bin:/bin",  # the image's python is on its PATH
            **image,
            # What docker/compose.yml adds; the data folder is this test's, not /home/….
            "AGENCYFLOW_DATA_DIR": str(tmp_path),
            "AGENCYFLOW_DATABASE_URL": database_url,
            "AGENCYFLOW_TEMPORAL_ADDRESS": dev_server_address,
            "AGENCYFLOW_TEMPORAL_TASK_QUEUE": f"image-{uuid.uuid4().hex}",
            "AGENCYFLOW_PAYLOAD_KEY": key.stdout.strip(),
            "AGENCYFLOW_API_PORT": str(port),
        }
        migrated = subprocess.run(
            _command("migrate"), env=env, capture_output=True, text=True, timeout=120
        )
        assert migrated.returncode == 0, migrated.stderr
        engine = make_engine(database_url)
        number = fresh_agency()
        _, token = user(engine, Role.AGENCY, agency_uscc=uscc(number))
        default = json.loads(_instruction("CMD"))
        log = (tmp_path / "image.log").open("ab")
        api = subprocess.Popen(_command(*default), env=env, stdout=log, stderr=log)
        worker = subprocess.Popen(_command("worker"), env=env, stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            assert wait_healthy(url, api, within=60, pause=0.2), (
                tmp_path / "image.log"
            ).read_text()
            check = json.loads(_instruction("HEALTHCHECK .*CMD"))
            check = [part.replace(":8000/", f":{port}/") for part in check]
            assert subprocess.run(check, env=env, timeout=10).returncode == 0
            applied = httpx.post(
                f"{url}/agencies", headers=bearer(token), json=facts(number), timeout=30
            )
            assert applied.status_code == 201, applied.text
        finally:
            for child in (api, worker):
                child.terminate()
                child.wait(timeout=20)
            log.close()
            engine.dispose()
