"""String enums that carry the Chinese label users see beside their stable value."""

from enum import StrEnum
from typing import Self

from pydantic import AfterValidator


class LabelledEnum(StrEnum):
    """A `StrEnum` whose members are declared as ``NAME = ("value", "中文标签")``.

    The value is what crosses the API, Temporal and the database; the label is what
    officials read in the console, exports and messages.
    """

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> dict[str, str]:
        """Every value with its label, for documentation and the console."""
        return {member.value: member.label for member in cls}


def clipped(limit: int) -> AfterValidator:
    """Cut text to ``limit`` characters, the size of the column that stores it.

    Generated titles and summaries quote names and locations of any length; a title one
    character too long must not stop a workflow from recording its step.
    """
    return AfterValidator(lambda text: text if len(text) <= limit else text[: limit - 1] + "…")
