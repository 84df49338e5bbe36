"""What the read model's searches share: filters that apply only when given, and pages."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

R = TypeVar("R")
Q = TypeVar("Q", bound=Select[Any])
"""A query of rows or of columns: either takes ``where``."""


def where_given(query: Q, *filters: tuple[Any, object]) -> Q:
    """The query narrowed by each ``(column, value)`` whose value is given (not None)."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


def page(
    session: Session, query: SelectOfScalar[R], order: Sequence[Any], offset: int, limit: int
) -> tuple[int, Sequence[R]]:
    """How many rows the query matches in all, and one page of them in this order."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(*order).offset(offset).limit(limit)).all()
    return total, rows
