"""The name an uploaded file is sent with: kept, shown and handed to the provincial platform,
so it is checked like any other text a request carries, before anything is stored."""

import unicodedata

from agencyflow.domain.errors import RuleViolations

FILE_NAME_MAX = 255
"""Characters in an uploaded file's name: what file systems allow, and more than a name
anyone types."""


def upload_name(name: str | None, default: str) -> str:
    """The file's name as sent (``default`` when none was), or 422 on ``file``: a name with
    control characters (a NUL, which PostgreSQL's text refuses) or lone surrogates, or a
    name longer than `FILE_NAME_MAX`."""
    if not name:
        return default
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        raise RuleViolations.one(
            "file.name_invalid", "file", "the file's name contains control characters"
        )
    if len(name) > FILE_NAME_MAX:
        raise RuleViolations.one(
            "file.name_too_long", "file", f"the file's name is longer than {FILE_NAME_MAX}"
        )
    return name
