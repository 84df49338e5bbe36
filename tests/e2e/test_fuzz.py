"""A bounded fuzz run against the live API with a real worker: generated requests, each
operation a few times, as an administrator, a county regulator and an agency.

No answer may be a server error, nor have a status, content type or body the OpenAPI
document does not promise.
"""

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

# Imported here, at collection, rather than lazily inside the test: pytest rewrites this
# plugin's modules as they are imported, and CPython 3.11 can fail to parse its deeply
# nested schema module ("AST constructor recursion depth mismatch") when that happens deep
# in a running test's stack.
from schemathesis.specs.openapi import schemas as _openapi_schemas  # noqa: F401
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agencyflow.domain.identity import Role
from agencyflow.stack_process import child_environment, free_port, wait_healthy
from agencyflow.store.engine import make_engine
from agencyflow.store.migrate import upgrade
from tests.databases import fresh_database_url
from tests.e2e.conftest import AGENCYFLOW
from tests.factories import bearer, facts, fresh_agency, uscc, user

EXAMPLES = 5
"""Per operation, each sent as every role: bounded, so that CI stays quick."""
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


@dataclass
class Live:
    url: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, dev_server_address: str) -> Iterator[Live]:
    """`agencyflow api` and `agencyflow worker` in processes of their own, on a fresh
    database, with one admitted agency so that its token reaches past the scope checks."""
    folder = tmp_path_factory.mktemp("fuzz")
    with fresh_database_url(folder) as database_url:
        engine = make_engine(database_url)
        upgrade(engine)
        number = fresh_agency()
        tokens = {
            "admin": user(engine, Role.ADMIN)[1],
            "county": user(engine, Role.COUNTY_REGULATOR, county_code="331102")[1],
            "agency": user(engine, Role.AGENCY, agency_uscc=uscc(number))[1],
        }
        port = free_port()
        env = child_environment(
            folder,
            AGENCYFLOW_DATABASE_URL=database_url,
            AGENCYFLOW_TEMPORAL_ADDRESS=dev_server_address,
            AGENCYFLOW_TEMPORAL_TASK_QUEUE=f"fuzz-{uuid.uuid4().hex}",
            AGENCYFLOW_API_PORT=str(port),
        )
        url = f"http://127.0.0.1:{port}"
        with _process("worker", env, folder), _process("api", env, folder) as api:
            assert wait_healthy(url, api, within=60, pause=0.1), (folder / "api.log").read_text()
            applied = httpx.post(
                f"{url}/agencies", headers=bearer(tokens["agency"]), json=facts(number), timeout=30
            )
            assert applied.status_code == 201, applied.text
            yield Live(url, tokens)
        engine.dispose()


class _process:
    def __init__(self, command: str, env: dict[str, str], folder: Path) -> None:
        self.command, self.env, self.log = command, env, folder / f"{command}.log"

    def __enter__(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            self.child = subprocess.Popen(
                [str(AGENCYFLOW), self.command], env=self.env, stdout=out, stderr=out
            )
        return self.child

    def __exit__(self, *_: object) -> None:
        self.child.terminate()
        try:
            self.child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.child.kill()


def test_no_server_error_and_nothing_undocumented(live: Live) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def each(case: schemathesis.Case) -> None:
            for token in live.tokens.values():
                case.call_and_validate(
                    base_url=live.url, headers=bearer(token), checks=CHECKS, timeout=30
                )

        each()
