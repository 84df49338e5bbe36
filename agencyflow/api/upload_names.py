"""The name an uploaded file is sent with: kept, shown and handed to the provincial platform,
so it is checked like any other text a request carries, before anything is stored. Every
route that takes a file calls `upload_name` first."""

import unicodedata

from agencyflow.domain.bounded import FILE_NAME_MAX
from agencyflow.domain.errors import RuleViolations


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
