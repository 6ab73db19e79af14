"""JSON API: search over public products, enterprises, bases and brands, and suggestions as you type."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from hotpot.api.errors import raise_422
from hotpot.db import SessionDep
from hotpot.deps import PublicUser, nul_means_no_match
from hotpot.search import engine, schemas, service
from hotpot.validation import FieldErrors

router = APIRouter(prefix="/api/v1", tags=["搜索"])


def _json(data) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), media_type="application/json")


@router.get("/search", response_model=schemas.SearchResponse, summary="搜索（中文、拼音、首字母、错别字、同义词）")
@nul_means_no_match
async def search(
    request: Request,
    session: SessionDep,
    user: PublicUser,
    q: Annotated[str, Query(max_length=100, description="搜索词：毛肚、maod、md、千層毛肚、5斤 ……")] = "",
    type: Annotated[str, Query(description="product / enterprise / base / brand")] = "product",
    kind: Annotated[str | None, Query(description="大类代码")] = None,
    category: Annotated[str | None, Query(description="品类代码")] = None,
    storage: Annotated[str | None, Query(description="frozen / chilled / ambient")] = None,
    town: Annotated[str | None, Query(description="镇街代码，或 outside")] = None,
    park: Annotated[str | None, Query(description="nanxi / longshi / wuzun / none")] = None,
    cert: Annotated[str | None, Query(description="证书类型，如 sc、green_food")] = None,
    brand_level: Annotated[str | None, Query(description="regional_public / cluster / enterprise / product")] = None,
    verified: Annotated[bool, Query(description="只看有已核验证书的")] = False,
    strict: Annotated[bool, Query(description="严格按识别出的条件查询，无结果时不放宽")] = False,
    sort: Annotated[str, Query(description="relevance / newest / price / price_desc")] = "relevance",
    page: Annotated[int, Query(ge=1, le=engine.MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=engine.MAX_PAGE_SIZE)] = engine.PAGE_SIZE,
) -> Response:
    raw = {
        "q": q,
        "type": type,
        "kind": kind,
        "category": category,
        "storage": storage,
        "town": town,
        "park": park,
        "cert": cert,
        "brand_level": brand_level,
        "verified": "1" if verified else "",
        "strict": "1" if strict else "",
        "sort": sort,
        "page": page,
        "page_size": page_size,
    }
    # The whole answer is kept per process as its UTF-8 JSON, keyed by the request's parameters as given and the
    # index's state (hotpot.search.engine). Async: a kept answer is found with one read of that state on the event
    # loop (hotpot.search.versions), no thread-pool hand-off and no session (issue 12). Anything else, or when the
    # state could not be read so, is the thread pool's, on the request's session.
    key = tuple(raw.items())
    reader = request.app.state.state_reader
    versions = await reader.read() if reader is not None else None
    if versions is not None:
        body = engine.cached("api-search", key, versions)
        if body is not None:
            return Response(body, media_type="application/json")
    body = await run_in_threadpool(_answer, session, raw, key, versions)
    return Response(body, media_type="application/json")


def _answer(session: Session, raw: dict, key: tuple, versions: tuple[int, int] | None) -> bytes:
    try:
        params = schemas.read_params(session, raw, strict=True)
    except FieldErrors as exc:
        raise_422(exc)
    versions = versions or engine.state(session)
    body = engine.cached("api-search", key, versions)
    if body is None:
        # Not the result beside it: the JSON is a fifth of its memory.
        result = service.search(session, params, versions=versions, keep=False)
        answer = schemas.api_response(session, result)
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        engine.remember("api-search", key, versions, body)
    return body


@router.get("/suggest", response_model=schemas.SuggestResponse, summary="输入提示（前缀、拼音、首字母）")
@nul_means_no_match
def suggest(
    session: SessionDep,
    user: PublicUser,
    q: Annotated[str, Query(max_length=60, description="已输入的部分：maod、huog、底料 ……")] = "",
) -> Response:
    items = service.suggest(session, q) if q.strip() else []
    return _json({"query": q, "items": [s.__dict__ for s in items]})
