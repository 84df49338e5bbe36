"""``/codec/decode``: the Temporal UI's codec server, so that an administrator can read the
encrypted payloads of a workflow's history in the UI; no one else can (see
`agencyflow.payload_codec`). The UI's codec endpoint setting points here, with the
administrator's bearer token."""

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from agencyflow.api.deps import Admin, SettingsDep
from agencyflow.domain.errors import RuleViolations, Violation

router = APIRouter(prefix="/codec", tags=["codec"])


@router.post("/decode", name="codec.decode")
async def decode(request: Request, _admin: Admin, settings: SettingsDep) -> Response:
    """Payloads as the Temporal UI sends them (``{"payloads": [...]}``), opened."""
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except json_format.ParseError:
        raise RuleViolations(
            [Violation(code="codec.invalid", field="", message='expected {"payloads": [...]}')]
        ) from None
    opened = await settings.payload_codec().decode(list(payloads.payloads))
    body = json_format.MessageToJson(Payloads(payloads=opened))
    return Response(body, media_type="application/json")
