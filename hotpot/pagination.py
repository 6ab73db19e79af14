"""One paginate helper for every list, HTML and API alike."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_PAGE_SIZE = 100


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
    # True when total stopped at the count cap ("10,000+"): counting every row of a huge list costs more than
    # knowing the exact number is worth on a page.
    total_capped: bool = False

    @property
    def counted(self) -> int:
        """What the count statement answered (over the cap when capped): `paginate(counted=...)` takes it back."""
        return self.total + 1 if self.total_capped else self.total

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    session: Session,
    stmt: Select,
    *,
    page: int,
    page_size: int,
    count_where: tuple = (),
    count_cap: int | None = None,
    counted: int | None = None,
    rows: Callable[[Any], Any] | None = None,
    count_from: Select | None = None,
) -> Page:
    """One page of stmt and the total; count_where adds conditions that only speed up the count (an index
    pre-filter), count_cap stops counting at that many rows. `counted`: the count a caller kept from an earlier
    page of the same rows (`Page.counted`), so that it is not run again. `rows`: each row of a select of columns
    made into an item (without it, stmt selects the items); `count_from`: the rows to count when stmt joins more
    than it filters by (columns for display)."""
    page = max(1, page)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    if counted is not None:
        total = counted
    else:
        counting = (stmt if count_from is None else count_from).order_by(None).where(*count_where)
        if count_cap is not None:
            counting = counting.limit(count_cap + 1)
        total = session.scalar(select(func.count()).select_from(counting.subquery())) or 0
    capped = count_cap is not None and total > count_cap
    window = stmt.limit(page_size).offset((page - 1) * page_size)
    items = [rows(r) for r in session.execute(window)] if rows else list(session.scalars(window))
    return Page(
        items=items,
        total=min(total, count_cap) if capped else total,
        page=page,
        page_size=page_size,
        total_capped=capped,
    )
