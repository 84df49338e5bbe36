"""Path and query parameters, each with its bound (see `agencyflow.domain.bounded`)."""

from typing import Annotated

from fastapi import Path, Query

from agencyflow.domain.bounded import PAGE_LIMIT_MAX, PAGE_OFFSET_MAX

UsccPath = Annotated[str, Path(max_length=32, description="统一社会信用代码")]
ProjectIdPath = Annotated[str, Path(max_length=40)]
HazardIdPath = Annotated[str, Path(max_length=64)]
ProfessionalIdPath = Annotated[str, Path(max_length=32)]
FileIdPath = Annotated[str, Path(max_length=64)]

CountyQuery = Annotated[str | None, Query(max_length=6)]
UsccQuery = Annotated[str | None, Query(max_length=32)]
ResourceQuery = Annotated[str | None, Query(max_length=300)]
RequestIdQuery = Annotated[str | None, Query(max_length=64)]

Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]
"""How many items a page holds at most (each list has its own default)."""
Offset = Annotated[int, Query(ge=0, le=PAGE_OFFSET_MAX)]
"""How many items of a list to skip; deeper than `PAGE_OFFSET_MAX` is refused (422)."""
