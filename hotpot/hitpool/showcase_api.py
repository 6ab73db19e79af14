"""GET /api/v1/showcase: the graduated products (public), in the API's list shape."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hotpot.api.pages import ApiPage
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, PublicUser
from hotpot.hitpool import showcase
from hotpot.validation import Id

router = APIRouter(prefix="/api/v1/showcase", tags=["爆品展示"])


class TitleRead(BaseModel):
    code: str
    label: str


class ShowcaseRead(BaseModel):
    plan_id: int
    batch_id: int
    batch_name: str
    title: TitleRead
    graduated_on: date
    product_id: int
    product_name: str
    kind: str
    enterprise_id: int
    enterprise_name: str
    is_demo: bool

    @classmethod
    def of(cls, item: showcase.ShowcaseItem) -> ShowcaseRead:
        return cls(
            plan_id=item.plan.id,
            batch_id=item.batch.id,
            batch_name=item.batch.name,
            title=TitleRead(code=str(item.plan.title), label=item.title_label),
            graduated_on=item.plan.graduated_on,
            product_id=item.product.id,
            product_name=item.product.name,
            kind=item.kind_name,
            enterprise_id=item.enterprise.id,
            enterprise_name=item.enterprise.name,
            is_demo=bool(item.plan.is_demo),
        )


@router.get("", response_model=ApiPage[ShowcaseRead], summary="爆品展示：已认定的爆品与拳头产品")
def list_showcase(
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    batch: Annotated[Id | None, Query(description="批次 id")] = None,
    kind: Annotated[str | None, Query(max_length=20, description="产品大类代码")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="认定年份")] = None,
    title: Annotated[str | None, Query(pattern="^(hit|flagship)$", description="hit 爆品 / flagship 拳头产品")] = None,
) -> ApiPage[ShowcaseRead]:
    filters = showcase.ShowcaseFilters(batch=batch, kind=kind, year=year, title=title)
    page = showcase.graduated_page(session, filters=filters, page=params.page, page_size=params.page_size)
    return ApiPage.of(page, ShowcaseRead.of)
