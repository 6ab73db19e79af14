"""JSON API of the pool's ranking (staff; a conflicted staff member's list leaves those candidates out)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from hotpot.api.pages import ApiPage
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, StaffUser
from hotpot.hitpool import decisions, ranking
from hotpot.hitpool.decision_schemas import RankRowRead
from hotpot.validation import Id

router = APIRouter(prefix="/api/v1/batches", tags=["爆品培育"])


@router.get(
    "/{batch_id}/ranking",
    response_model=ApiPage[RankRowRead],
    summary="批次排名（工作人员；有利益关联的申报不列出）",
)
def batch_ranking(
    session: SessionDep,
    user: StaffUser,
    batch_id: Id,
    params: ListParamsDep,
    order: Annotated[Literal["normalised", "raw"], Query(description="normalised 标准化得分 / raw 平均加权总分")] = (
        "normalised"
    ),
) -> ApiPage[RankRowRead]:
    batch = decisions.batch_or_404(session, batch_id)
    found = ranking.page(session, batch, user, sort=order, page=params.page, page_size=params.page_size)
    return ApiPage.of(found, RankRowRead.of)
