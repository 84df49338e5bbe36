"""The provincial platform over HTTP.

The platform's API is not published to us; this client assumes the plain contract
below and is the one place to change when it is: ``POST {base}/reports`` (multipart:
``metadata`` JSON and ``file``), ``Authorization: Bearer``, ``Idempotency-Key``; the
answer is ``{"receipt_number": ..., "accepted_at": ...}``.
"""

import httpx

from agencyflow.domain.platform import PlatformReceipt, ReportSubmission

from . import PlatformError, PlatformRefused


class HttpPlatform:
    def __init__(self, client: httpx.Client, token: str | None = None) -> None:
        self._client = client
        self._token = token

    def submit(self, submission: ReportSubmission, content: bytes) -> PlatformReceipt:
        headers = {"Idempotency-Key": submission.idempotency_key}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        response = self._client.post(
            "/reports",
            headers=headers,
            data={"metadata": submission.model_dump_json()},
            files={"file": (submission.file.filename, content, submission.file.content_type)},
        )
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise PlatformRefused(
                f"platform refused the report ({response.status_code}): {response.text[:300]}"
            )
        if response.status_code >= 400:
            raise PlatformError(f"platform answered {response.status_code}: {response.text[:300]}")
        return PlatformReceipt.model_validate(response.json())
