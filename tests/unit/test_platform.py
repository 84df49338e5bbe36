"""The provincial platform client over HTTP, against a fake transport (the real one is out of reach)."""

import datetime as dt
import json

import httpx
import pytest

from agencyflow.domain.platform import ReportSubmission
from agencyflow.domain.project import StoredFile
from agencyflow.domain.service_types import ServiceType
from agencyflow.platform import PlatformError
from agencyflow.platform.http import HttpPlatform

SUBMISSION = ReportSubmission(
    project_id="91331102MA0000001Q-abc",
    agency_uscc="91331102MA0000001Q",
    agency_name="丽水安评",
    enterprise_uscc="91331102MA0000900Q",
    enterprise_name="丽水机械",
    service_type=ServiceType.HAZARD_INVESTIGATION,
    service_ended_on=dt.date(2026, 11, 20),
    file=StoredFile(sha256="a" * 64, size=10, filename="报告.pdf", content_type="application/pdf"),
)


def test_a_report_is_posted_with_its_idempotency_key_and_the_receipt_returned() -> None:
    seen: list[httpx.Request] = []

    def platform(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201, json={"receipt_number": "ZJ-1", "accepted_at": "2026-11-27T06:00:00Z"}
        )

    client = httpx.Client(
        base_url="https://platform.example", transport=httpx.MockTransport(platform)
    )
    receipt = HttpPlatform(client, token="secret").submit(SUBMISSION, b"%PDF-1.7")

    assert receipt.receipt_number == "ZJ-1"
    [request] = seen
    assert request.url.path == "/reports"
    assert request.headers["Idempotency-Key"] == f"{SUBMISSION.project_id}:{'a' * 64}"
    assert request.headers["Authorization"] == "Bearer secret"
    body = request.read()
    assert b"%PDF-1.7" in body
    assert json.dumps(SUBMISSION.project_id).strip('"').encode() in body


@pytest.mark.parametrize("status", [400, 503])
def test_a_refusal_raises_so_the_activity_retries(status: int) -> None:
    client = httpx.Client(
        base_url="https://platform.example",
        transport=httpx.MockTransport(lambda _: httpx.Response(status, text="busy")),
    )
    with pytest.raises(PlatformError, match=str(status)):
        HttpPlatform(client).submit(SUBMISSION, b"%PDF-1.7")
