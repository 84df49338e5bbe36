"""Bounded input types: what a request may hold, as types, so that no model can forget a bound.

A date past year 9999 overflows the deadline arithmetic of a workflow and wedges it; a
string of a megabyte passes Temporal's payload limits; a digit that is not an ASCII digit
(full-width ３, Arabic-Indic ٣) slips past ``isdigit()`` and makes the same person look
like two. Every field of a request body, every path and query parameter, takes one of
these types or states its own bound (``tests/unit/test_input_bounds.py`` walks the API
to keep it so).
"""

import datetime as dt
import unicodedata
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Field

DATE_MIN = dt.date(1950, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
"""Dates a person of this reform may mean: from the oldest insurance record a professional
can bring to the end of the century. Policy durations added to either stay far inside
what Python's dates can hold."""

_DATE_RANGE = {"formatMinimum": DATE_MIN.isoformat(), "formatMaximum": DATE_MAX.isoformat()}

Day = Annotated[dt.date, Field(ge=DATE_MIN, le=DATE_MAX, json_schema_extra=_DATE_RANGE)]
"""A calendar date a request may carry."""

_MOMENT_MIN = dt.datetime.combine(DATE_MIN, dt.time(), dt.UTC)
_MOMENT_MAX = dt.datetime.combine(DATE_MAX, dt.time(), dt.UTC)
Moment = Annotated[
    AwareDatetime,
    Field(
        ge=_MOMENT_MIN,
        le=_MOMENT_MAX,
        json_schema_extra={
            "formatMinimum": _MOMENT_MIN.isoformat(),
            "formatMaximum": _MOMENT_MAX.isoformat(),
        },
    ),
]
"""A moment a request may carry: with its offset (``2026-11-27T09:30:00+08:00``), since a
time without one means different moments to different readers."""

FILE_NAME_MAX = 255
"""Characters in an uploaded file's name (what file systems allow, and more than a name
anyone types); it has no control characters. Checked where a file is uploaded
(``agencyflow.api.upload_names``), as a multipart body's file name is no field of a model.
`StoredFile` does not repeat it: longer names were taken before, are in records and in
running workflows' histories, and must still read and replay."""

PAGE_OFFSET_MAX = 1_000_000
"""The deepest page a list serves: past it, filter instead of paging."""
PAGE_LIMIT_MAX = 500
"""The most items one page of a list holds."""


def ascii_code(text: str) -> str:
    """The code as plain ASCII: full-width characters (what a Chinese input method types)
    become their ASCII forms; any other non-ASCII character is refused, so that a code has
    one spelling and compares equal to itself."""
    code = unicodedata.normalize("NFKC", text).strip()
    if not code.isascii():
        raise ValueError("must contain only ASCII letters and digits")
    return code


def _ascii_before(value: object) -> object:
    return ascii_code(value) if isinstance(value, str) else value


AsciiCode = BeforeValidator(_ascii_before)
"""Put first in a code's ``Annotated``: the validators after it see ASCII only."""


def document_number(text: str) -> str:
    """A document's number (a penalty decision's 文号) in one spelling: full-width digits and
    letters as ASCII, runs of spaces as one, none at the ends; so the same decision typed
    twice, once with an input method's digits, is one reference and counts once."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _document_number_before(value: object) -> object:
    return document_number(value) if isinstance(value, str) else value


DocumentNumber = Annotated[
    str, BeforeValidator(_document_number_before), Field(min_length=1, max_length=100)
]
"""A decision's or other document's number, or the reference a record rests on."""

Label = Annotated[str, AsciiCode, Field(min_length=1, max_length=32)]
"""A short identifier the API hands out, such as a professional's ``p1``."""

FileId = Annotated[str, Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]
"""A stored file, by the SHA-256 of its content."""

Reason = Annotated[str, Field(min_length=1, max_length=500)]
"""One reason given for a decision."""

Reasons = Annotated[list[Reason], Field(max_length=20)]
RequiredReasons = Annotated[list[Reason], Field(min_length=1, max_length=20)]
"""Reasons a decision must give (an objection, a listing, a removal)."""
