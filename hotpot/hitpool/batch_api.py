"""JSON API of 爆品 batches (staff): every batch with its state, windows, quota and candidates per state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hotpot.api.pages import ApiPage
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, StaffUser
from hotpot.hitpool import batches
from hotpot.hitpool.batch_schemas import BatchRead

router = APIRouter(prefix="/api/v1/batches", tags=["爆品培育"])

STATUS_PATTERN = "^(draft|open|screening|reviewing|deciding|notice|published|archived)$"


@router.get(
    "", response_model=ApiPage[BatchRead], summary="爆品培育批次（工作人员）：状态、申报与评审窗口、各状态申报数"
)
def list_batches(
    session: SessionDep,
    user: StaffUser,
    params: ListParamsDep,
    status: Annotated[str | None, Query(pattern=STATUS_PATTERN, description="批次状态，如 open、reviewing")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度")] = None,
) -> ApiPage[BatchRead]:
    page = batches.list_batches(session, status=status, year=year, page=params.page, page_size=params.page_size)
    return ApiPage.of(page, BatchRead.of)
