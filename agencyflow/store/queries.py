"""What the read model's searches share: filters that apply only when given, and pages."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, String, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
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


class china_month(FunctionElement[str]):  # noqa: N801  (read as an SQL function)
    """``YYYY-MM`` of a stored moment, in China time, computed by the database: China keeps
    UTC+8 all year (no summer time since 1991), so a fixed offset is exact."""

    type = String()
    inherit_cache = True


@compiles(china_month, "sqlite")
def _china_month_sqlite(element: china_month, compiler: SQLCompiler, **kw: Any) -> str:
    # UtcDateTime keeps UTC as text on SQLite.
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(china_month, "postgresql")
def _china_month_postgresql(element: china_month, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"to_char({moment} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


def by_month(
    session: Session, moment: Any, since: dt.datetime, *filters: tuple[Any, object]
) -> dict[str, int]:
    """How many rows' ``moment`` falls in each China-time month, from ``since`` on."""
    month: Any = china_month(moment)  # a column of text; SQLAlchemy types it no better
    query = where_given(
        sa_select(month, func.count()).where(moment >= since).group_by(month), *filters
    )
    return {str(key): int(number) for key, number in session.execute(query).all()}
