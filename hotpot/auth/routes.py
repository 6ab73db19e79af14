"""Pages for accounts: register, log in, log out, my account."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.auth import service
from hotpot.auth.models import ROLE_LABELS, SELF_REGISTER_ROLES
from hotpot.auth.schemas import LoginIn, PasswordChangeIn, RegisterIn
from hotpot.config import get_settings
from hotpot.db import SessionDep
from hotpot.deps import CSRF_COOKIE, SESSION_COOKIE, AnyUser, FormDict, PublicUser
from hotpot.validation import FieldErrors, parse_form
from hotpot.web import redirect, render, safe_next

router = APIRouter(tags=["账号"], include_in_schema=False)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_settings().force_secure_cookies


def _log_in(request: Request, session, user, *, target: str, flash: str) -> Response:
    """Start a fresh session (new id), rotate the CSRF token, and go on."""
    token = service.start_session(session, user=user, previous_token=request.cookies.get(SESSION_COOKIE))
    response = redirect(request, target, flash=flash)
    secure = _secure(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        max_age=get_settings().session_absolute_hours * 3600,
    )
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="lax", secure=secure, path="/")
    request.state.csrf_rotated = True
    return response


def _register_context(values: dict | None = None, errors: dict | None = None) -> dict:
    return {
        "values": values or {},
        "errors": errors or {},
        "roles": [(r.value, ROLE_LABELS[r]) for r in SELF_REGISTER_ROLES],
    }


@router.get("/register")
def register_form(request: Request, user: PublicUser, role: str | None = None) -> Response:
    if user:
        return redirect(request, "/account")
    values = {"role": role if role in ("producer", "buyer") else ""}
    return render(request, "auth/register.html", _register_context(values))


@router.post("/register")
def register(request: Request, session: SessionDep, user: PublicUser, form: FormDict) -> Response:
    try:
        data = parse_form(RegisterIn, form)
        new_user = service.register(session, data=data)
    except FieldErrors as exc:
        values = {k: v for k, v in form.items() if "password" not in k}
        return render(request, "auth/register.html", _register_context(values, exc.errors), status_code=422)
    return _log_in(request, session, new_user, target="/account", flash="registered")


@router.get("/login")
def login_form(request: Request, user: PublicUser, next: str | None = None) -> Response:
    if user:
        return redirect(request, safe_next(next, "/account"))
    return render(request, "auth/login.html", {"values": {"next": safe_next(next, "")}, "errors": {}})


@router.post("/login")
def login(request: Request, session: SessionDep, user: PublicUser, form: FormDict) -> Response:
    values = {"email": form.get("email", ""), "next": safe_next(form.get("next"), "")}
    try:
        data = parse_form(LoginIn, form)
    except FieldErrors as exc:
        return render(request, "auth/login.html", {"values": values, "errors": exc.errors}, status_code=422)
    result = service.authenticate(session, email=data.email, password=data.password, ip=_client_ip(request))
    if result.retry_after is not None:
        minutes = max(1, round(result.retry_after / 60))
        errors = {"__all__": f"{result.error}（约 {minutes} 分钟后可再次尝试）"}
        response = render(request, "auth/login.html", {"values": values, "errors": errors}, status_code=429)
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if result.user is None:
        return render(
            request,
            "auth/login.html",
            {"values": values, "errors": {"__all__": result.error}},
            status_code=401,
        )
    return _log_in(request, session, result.user, target=safe_next(data.next, "/account"), flash="logged_in")


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: PublicUser) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session, token=token)
    response = redirect(request, "/", flash="logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _account_context(session, user, request: Request, errors: dict | None = None) -> dict:
    return {
        "errors": errors or {},
        "tokens": service.list_api_tokens(session, user=user),
        "sessions": service.active_sessions(session, user_id=user.id),
        "current_session_hash": service.token_digest(request.cookies.get(SESSION_COOKIE, "")),
    }


@router.get("/account")
def account(request: Request, session: SessionDep, user: AnyUser) -> Response:
    return render(request, "account/index.html", _account_context(session, user, request))


@router.post("/account/password")
def change_password(request: Request, session: SessionDep, user: AnyUser, form: FormDict) -> Response:
    try:
        data = parse_form(PasswordChangeIn, form)
        service.change_password(session, user=user, data=data, keep_token=request.cookies.get(SESSION_COOKIE))
    except FieldErrors as exc:
        return render(
            request,
            "account/index.html",
            _account_context(session, user, request, exc.errors),
            block="password_form",
            target="password-card",
            status_code=422,
        )
    return redirect(request, "/account", flash="password_changed")


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, session: SessionDep, user: AnyUser, token_id: int) -> Response:
    if not service.revoke_api_token(session, user=user, token_id=token_id):
        raise HTTPException(404)
    return redirect(request, "/account", flash="token_revoked")


@router.post("/account/sessions/end-others")
def end_other_sessions(request: Request, session: SessionDep, user: AnyUser) -> Response:
    service.end_all_sessions(session, user_id=user.id, keep_token=request.cookies.get(SESSION_COOKIE))
    return redirect(request, "/account", flash="logged_out_others")
