"""Resident identity card numbers (公民身份号码, GB 11643-1999), and how they are shown.

Professionals are identified by their ID number: it is what makes "full-time at only one
agency" checkable. Responses never show more than its last four characters.
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field

from .bounded import AsciiCode, ascii_code

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    return _CHECK[
        sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11
    ]


def normalise_id_number(text: str) -> str:
    """The 18-character number in canonical form, or `ValueError` saying what is wrong."""
    number = ascii_code(text).upper()
    if len(number) != 18:
        raise ValueError(f"身份证号 must have 18 characters, got {len(number)}")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValueError("身份证号 is 17 digits followed by a digit or X")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("身份证号 characters 7–14 must be a real date of birth") from None
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise ValueError(f"身份证号 check character is {number[17]}, expected {expected}")
    return number


def mask_id_number(number: str) -> str:
    """All but the last four characters hidden: ``**************123X``."""
    return "*" * (len(number) - 4) + number[-4:]


IdNumber = Annotated[str, AsciiCode, Field(max_length=32), AfterValidator(normalise_id_number)]
"""A pydantic field type: a valid, normalised resident ID number."""
