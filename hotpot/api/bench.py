"""Baselines for bench/search.py, mounted only with HOTPOT_BENCH_ENDPOINTS=1: the same stack as the search API
(middleware, access rule, one transaction) doing nothing, or one indexed single-row SELECT."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import text

from hotpot.db import SessionDep
from hotpot.deps import PublicUser

router = APIRouter(prefix="/api/v1/bench", include_in_schema=False)


@router.get("/json")
def bare_json(user: PublicUser) -> Response:
    return Response('{"ok":true}', media_type="application/json")


@router.get("/select")
def single_select(session: SessionDep, user: PublicUser, id: int = 1) -> Response:
    row = session.execute(text("SELECT ref_id, kind FROM search_doc WHERE id = :id"), {"id": id}).first()
    body = f'{{"ref_id":{row[0]},"kind":"{row[1]}"}}' if row else '{"ref_id":null}'
    return Response(body, media_type="application/json")
