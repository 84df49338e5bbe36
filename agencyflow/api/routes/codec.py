"""``/codec/decode``: the Temporal UI's codec server, so that an administrator can read the
encrypted payloads of a workflow's history in the UI; no one else can (see
`agencyflow.payload_codec`). The UI's codec endpoint setting points here, with the
administrator's bearer token."""

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payloads

from agencyflow.api.deps import Admin
from agencyflow.domain.errors import RuleViolations, Violation
from agencyflow.payload_codec import EncryptionCodec, UnknownKey

router = APIRouter(prefix="/codec", tags=["codec"])


@router.post("/decode", name="codec.decode")
async def decode(request: Request, _admin: Admin) -> Response:
    """Payloads as the Temporal UI sends them (``{"payloads": [...]}``), opened."""
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except json_format.ParseError:
        raise RuleViolations(
            [Violation(code="codec.invalid", field="", message='expected {"payloads": [...]}')]
        ) from None
    codec: EncryptionCodec = request.app.state.codec
    try:
        opened = await codec.decode(list(payloads.payloads))
    except (InvalidTag, UnknownKey, DecodeError):
        raise RuleViolations(
            [Violation(code="codec.cannot_open", field="", message="a payload does not open")]
        ) from None
    body = json_format.MessageToJson(Payloads(payloads=opened))
    return Response(body, media_type="application/json")
