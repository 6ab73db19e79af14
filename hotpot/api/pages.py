"""The one page model of the JSON API's lists: `ApiPage[XRead]`, built from a service's Page by `ApiPage.of`.

In the OpenAPI document each list's schema is named by pydantic from the item model (`ApiPage_ProductRead_`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from hotpot.pagination import Page

T = TypeVar("T")


class ApiPage(BaseModel, Generic[T]):
    """One page of a list: the items and where they sit in the whole (the shape every list endpoint answers)."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Page, item: Callable[[Any], T]) -> ApiPage[T]:
        """The API's page of a service's Page, each record turned into its read schema by item."""
        return cls(items=[item(x) for x in page.items], total=page.total, page=page.page, page_size=page.page_size)
