"""The public showcase: graduated products (爆品 / 拳头产品) by batch, category and year, and each one's story."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, PublicUser
from hotpot.hitpool import showcase
from hotpot.validation import Id
from hotpot.web import render

router = APIRouter(include_in_schema=False)


@router.get("/showcase")
def showcase_list(
    request: Request,
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    batch: Annotated[Id | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    title: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    filters = showcase.ShowcaseFilters(batch=batch, kind=kind or None, year=year, title=title or None)
    page = showcase.showcase(session, filters=filters, page=params.page, page_size=min(params.page_size, 24))
    return render(request, "hitpool/showcase/list.html", {"sc": page, "page": page.page}, block="results")


@router.get("/showcase/{plan_id}")
def showcase_entry(request: Request, session: SessionDep, user: PublicUser, plan_id: Id) -> Response:
    item = showcase.entry(session, plan_id=plan_id)
    return render(request, "hitpool/showcase/detail.html", {"item": item})
