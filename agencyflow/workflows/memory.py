"""What every long-lived workflow remembers besides its own facts.

Its step count (each recorded step takes the next number, which the read model uses to
refuse stale writes) and the answers to its recent updates. Temporal recognises a
repeated update id only within one run; remembering the answers in the state carries
that across continue-as-new, so a client's retry never acts twice.
"""

import copy
from typing import Self

from pydantic import BaseModel

REMEMBERED_REPLIES = 200
"""How many answers a workflow keeps; a client retries within minutes, not hundreds of steps."""


class Ack(BaseModel):
    """What an update answers: the step's number. The caller reads the rest from SQL."""

    seq: int
    visit_id: str | None = None
    found: list[str] = []
    """Hazards the step found."""
    notified: list[str] = []
    """Hazards told of the step's visit; their rows follow within moments."""


class Memory(BaseModel):
    seq: int = 0
    """The number of the last recorded step."""
    replies: dict[str, Ack] = {}
    """Answers to recent updates, by update id, oldest first."""

    def draft(self) -> Self:
        """A copy for a step to change, kept apart until the step is recorded. The answers
        are shared, not copied: a step never changes them (they are remembered on the state
        once it has answered), and copying up to `REMEMBERED_REPLIES` of them took about a
        millisecond per step and per timer wake."""
        return copy.deepcopy(self, {id(self.replies): self.replies})

    def replied(self, update_id: str | None) -> Ack | None:
        return self.replies.get(update_id) if update_id else None

    def remember(self, update_id: str | None, ack: Ack) -> None:
        if not update_id:
            return
        self.replies[update_id] = ack
        while len(self.replies) > REMEMBERED_REPLIES:
            del self.replies[next(iter(self.replies))]
