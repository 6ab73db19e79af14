"""Health check, the OpenAPI document, the offline Swagger UI, and /api/v1/me and /api/v1/users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from hotpot import __version__, db
from hotpot.api.pages import ApiPage
from hotpot.auth import service as auth_service
from hotpot.auth.schemas import UserRead
from hotpot.db import SessionDep
from hotpot.deps import AdminUser, AnyUser, ListParamsDep, Public
from hotpot.web import templates

router = APIRouter()


@router.get("/healthz", dependencies=[Public], include_in_schema=False)
def healthz(request: Request) -> Response:
    # Its own short connection, not the request session: a down database must answer 503, not 500.
    try:
        db.ping(request.app.state.engine)
    except SQLAlchemyError:
        return JSONResponse(
            {"status": "unavailable", "database": "down"}, status_code=503, headers={"Retry-After": "10"}
        )
    return JSONResponse({"status": "ok", "database": "up", "version": __version__})


@router.get("/openapi.json", dependencies=[Public], include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", dependencies=[Public], include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    html = templates().get_template("api/docs.html").render(request=request)
    return HTMLResponse(html)


@router.get("/api/v1/me", response_model=UserRead, tags=["账号"], summary="当前用户")
def me(user: AnyUser) -> UserRead:
    return UserRead.model_validate(user)


@router.get("/api/v1/users", response_model=ApiPage[UserRead], tags=["管理"], summary="账号列表（管理员）")
def users(
    session: SessionDep,
    admin: AdminUser,
    params: ListParamsDep,
    role: Annotated[str | None, Query(pattern="^(admin|reviewer|producer|buyer)$")] = None,
    active: bool | None = None,
) -> ApiPage[UserRead]:
    page = auth_service.list_users(
        session, q=params.q, role=role, active=active, page=params.page, page_size=params.page_size
    )
    return ApiPage.of(page, UserRead.model_validate)
