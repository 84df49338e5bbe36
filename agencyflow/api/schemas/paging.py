"""The one shape of every paged list: how many there are in all, and this page of them."""

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    total: int
    """Everything the filters match, across all pages."""
    items: list[T]
    """This page: at most ``limit``, from ``offset``."""
