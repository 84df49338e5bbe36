"""What every request passes before anything parses it: its size, its pace, its characters.

A body larger than the limit is refused (413) before it is read into memory when it says
its length, and as soon as it passes the limit when it does not; a body that trickles in
is cut off (408). A JSON body is checked once for what JSON allows and nothing downstream
can store or send: NaN and Infinity, NUL characters (PostgreSQL refuses them in text) and
lone UTF-16 surrogates (no encoder takes them). So is the path and the query string.
Every refusal is in the one error shape.
"""

import json
import math
import re
import time
from collections.abc import Iterator
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agencyflow.config.settings import Settings

UPLOAD_OVERHEAD = 64 * 1024
"""What multipart framing and form fields may add to an uploaded file's own size."""
UPLOAD_ROUTES = re.compile(
    r"^/(files|projects/[^/]+/report|public/complaints/attachments|console/complaint)$"
)
"""The only routes that take a file; any other body is held to the smaller limit."""
MIN_BYTES_PER_SECOND = 16 * 1024
"""Past the first ``request_body_seconds``, a body must keep arriving at least this fast."""


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, loc: list[str | int]) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.loc = status, code, message, loc

    def response(self) -> JSONResponse:
        entry = {"type": self.code, "loc": self.loc, "msg": self.message}
        return JSONResponse({"detail": [entry]}, status_code=self.status)


def _bad_text(text: str) -> str | None:
    """Why the text cannot be kept, or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "must not contain unpaired UTF-16 surrogates"
    return None


def _leaves(value: Any, loc: list[str | int]) -> Iterator[tuple[Any, list[str | int]]]:
    """Every string (keys included) and number in the JSON value, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, loc
            yield from _leaves(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, [*loc, index])
    else:
        yield value, loc


def check_json(body: bytes) -> None:
    """`Refused` if the JSON body holds what we cannot keep; invalid JSON is left to the
    route's own parser, which names where it breaks."""
    try:
        value = json.loads(body)  # NaN and Infinity parse to floats, found below
    except ValueError:
        return
    except RecursionError:
        raise Refused(422, "request.too_deep", "the JSON is nested too deeply", ["body"]) from None
    for leaf, loc in _leaves(value, ["body"]):
        if isinstance(leaf, str) and (why := _bad_text(leaf)) is not None:
            raise Refused(422, "request.invalid_characters", why, loc)
        if isinstance(leaf, float) and not math.isfinite(leaf):
            raise Refused(422, "request.not_a_number", "must be a finite number", loc)


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check_target(scope)
            if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
                buffered = await self._buffered(scope, receive)
                if buffered is None:
                    return  # the client left mid-body: a partial command is no command
                receive = buffered
        except Refused as refused:
            await refused.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check_target(self, scope: Scope) -> None:
        if (why := _bad_text(scope["path"])) is not None:
            raise Refused(422, "request.invalid_characters", why, ["path"])
        query: bytes = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            raise Refused(422, "request.invalid_characters", "must not contain NUL", ["query"])

    def _limit(self, scope: Scope) -> int:
        if UPLOAD_ROUTES.match(scope["path"]):
            return self.settings.upload_max_bytes + UPLOAD_OVERHEAD
        return self.settings.request_max_bytes

    async def _buffered(self, scope: Scope, receive: Receive) -> Receive | None:
        """The whole body, read within the limits, handed on as if it arrived now; None if
        the client went away before sending all of it (nothing is acted on)."""
        headers = Headers(scope=scope)
        limit = self._limit(scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isascii() and declared.isdigit():
            if int(declared) > limit:
                raise _too_large(limit)
        grace = self.settings.request_body_seconds
        began = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        while True:
            # However large the body, it must keep coming: no wait longer than the grace,
            # and past it no slower than MIN_BYTES_PER_SECOND on the whole.
            with anyio.move_on_after(grace) as waited:
                message = await receive()
            if (
                waited.cancelled_caught
                or time.monotonic() - began > grace + size / MIN_BYTES_PER_SECOND
            ):
                raise Refused(
                    408, "request.too_slow", "the request body arrived too slowly", ["body"]
                )
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = headers.get("content-type", "").lower()
        if body and not content_type.startswith(("multipart/", "application/x-www-form")):
            check_json(body)  # whatever it claims to be: FastAPI reads any *json type as JSON
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay


def _too_large(limit: int) -> Refused:
    return Refused(
        413, "request.too_large", f"the request body is larger than {limit} bytes", ["body"]
    )
