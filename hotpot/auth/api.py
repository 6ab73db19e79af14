"""API authentication: exchange a password for a bearer token, and revoke it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

from hotpot.auth import service
from hotpot.auth.schemas import TokenOut
from hotpot.config import get_settings
from hotpot.db import SessionDep
from hotpot.deps import AnyUser, Public, bearer_token, refuse_nul

router = APIRouter(prefix="/api/v1/auth", tags=["账号"])
# Declared for OpenAPI only ("Authorize" button in /docs); the access rules do the checking.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@router.post("/token", response_model=TokenOut, dependencies=[Public], summary="用邮箱和密码换取 Bearer 令牌")
def issue_token(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> Response:
    refuse_nul("body", {"username": form.username, "password": form.password})
    ip = request.client.host if request.client else "unknown"
    result = service.authenticate(session, email=form.username, password=form.password, ip=ip)
    # Failures answer without raising so the failed attempt is committed and counts toward the limit.
    if result.retry_after is not None:
        return JSONResponse({"detail": result.error}, status_code=429, headers={"Retry-After": str(result.retry_after)})
    if result.needs_code:
        detail = "该账号近期多次登录失败：请先在网页上用邮箱验证码登录一次（之后该地址的程序可以再获取令牌）"
        return JSONResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    if result.user is None:
        return JSONResponse({"detail": result.error}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    if result.user.must_change_password:
        return JSONResponse({"detail": "请先登录网页，把一次性密码改为自己的密码"}, status_code=403)
    raw, _token = service.issue_api_token(session, user=result.user, name=f"API ({ip})")
    body = TokenOut(access_token=raw, expires_in=get_settings().api_token_days * 86400)
    return JSONResponse(body.model_dump())


@router.delete("/token", status_code=204, summary="吊销当前使用的令牌")
def revoke_current(
    request: Request,
    session: SessionDep,
    user: AnyUser,
    _scheme: Annotated[str | None, Depends(oauth2_scheme)],
) -> Response:
    raw = bearer_token(request)
    found = service.user_for_api_token(session, raw=raw) if raw else None
    if found:
        service.revoke_api_token(session, user=user, token_id=found[1].id)
    return Response(status_code=204)
