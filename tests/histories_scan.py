"""Whether anything Temporal keeps holds a resident ID number in clear."""

import re
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import History
from temporalio.client import Client

from agencyflow.domain.id_numbers import id_check_character, mask_id_number
from agencyflow.payload_codec import UnknownKey

_CANDIDATE = re.compile(rb"(?<![0-9A-Za-z])[0-9]{17}[0-9X](?![0-9A-Za-z])")
"""Eighteen characters standing alone: an ID number is a value of its own in a payload, while
the hex of update and request ids (kept in clear by Temporal) can hold an 18-digit run with
a valid check character by chance, between letters."""


def id_numbers_in(data: bytes) -> set[str]:
    """The valid ID numbers (by their check character) found in the bytes, masked."""
    found = set()
    for match in _CANDIDATE.finditer(data):
        number = match.group().decode()
        if id_check_character(number[:17]) == number[17]:
            found.add(mask_id_number(number))
    return found


async def id_numbers_in_histories(client: Client) -> dict[str, set[str]]:
    """Every workflow on the server whose history holds an ID number, with the numbers
    (masked), as the stored bytes are: the client must not hold the deployment's key."""
    leaks: dict[str, set[str]] = {}
    async for execution in client.list_workflows():
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        events = (await handle.fetch_history()).events
        found = id_numbers_in(History(events=events).SerializeToString())
        if found:
            leaks[execution.id] = found
    return leaks


def _payloads_in(message: Message) -> Iterator[Payload]:
    """Every payload a history event holds, however deep (inputs, results, memos, headers,
    search attributes, failures' encoded attributes)."""
    if isinstance(message, Payload):
        yield message
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:  # e.g. a memo's or header's fields
            items = [v for v in value.values() if isinstance(v, Message)]
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            yield from _payloads_in(item)


async def opened_histories(client: Client) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every history on the server: those the client's codec opens (its own deployment's),
    as their payloads read once opened, and the others as they are stored."""
    codec = client.data_converter.payload_codec
    assert codec is not None, "the deployment's client carries its codec"
    opened, sealed = {}, {}
    async for execution in client.list_workflows():
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        events = (await handle.fetch_history()).events
        stored = History(events=events).SerializeToString()
        key = f"{execution.id}/{execution.run_id}"
        try:
            payloads = [p for event in events for p in _payloads_in(event)]
            clear = await codec.decode(payloads)
        except (InvalidTag, UnknownKey):  # another test's deployment, with its own key
            sealed[key] = stored
            continue
        opened[key] = stored + b"".join(p.SerializeToString() for p in clear)
    return opened, sealed
