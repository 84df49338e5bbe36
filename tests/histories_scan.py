"""Whether anything Temporal keeps holds a resident ID number in clear."""

import re

from temporalio.api.history.v1 import History
from temporalio.client import Client

from agencyflow.domain.id_numbers import id_check_character, mask_id_number

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
