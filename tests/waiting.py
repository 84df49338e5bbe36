"""Waiting for what happens after an answer: timers' effects, signals between workflows."""

import asyncio
from collections.abc import Awaitable, Callable

import httpx


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 10.0) -> None:
    """Poll until ``check`` holds; for effects that nobody's answer waits for."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


async def until_answered(
    api: httpx.AsyncClient, path: str, headers: dict[str, str], body: object, tries: int = 20
) -> httpx.Response:
    """What a client does after a 503: the same request again (same Idempotency-Key or
    X-Request-ID) until it is answered; a worker that comes back may take a while to poll."""
    for _ in range(tries):
        response = await api.post(path, headers=headers, json=body)
        if response.status_code != 503:
            return response
    raise AssertionError(f"{path} still unanswered: {response.text}")
