"""Pages for accounts: register and verify, log in and out, forgotten password, my account."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.auth import devices, service
from hotpot.auth.models import ROLE_LABELS, SELF_REGISTER_ROLES, Role, TokenPurpose
from hotpot.auth.schemas import ForgotIn, LoginIn, PasswordChangeIn, PasswordResetIn, parse_registration
from hotpot.config import get_settings
from hotpot.db import SessionDep
from hotpot.deps import CSRF_COOKIE, DEVICE_COOKIE, SESSION_COOKIE, AnyUser, FormDict, PublicUser
from hotpot.validation import FieldErrors, Id, parse_form
from hotpot.web import redirect, render, safe_next

router = APIRouter(tags=["账号"], include_in_schema=False)


# Where each role's work is; the verification desk's address lives in one place.
EXPERT_DESK_URL = "/expert"  # the 爆品 pool's review queue (hotpot/hitpool)
VERIFICATION_DESK_URL = "/verify/enterprises"
PASSWORD_PAGE = "/account/password"  # noqa: S105 - a field name, not a secret


def landing(user) -> str:
    """The page a role lands on after logging in or verifying its address."""
    if user.must_change_password:
        return PASSWORD_PAGE
    if user.role == Role.producer:
        return "/my/enterprise" if user.enterprise_id else "/my/enterprise/new"
    if user.role == Role.buyer:
        return "/search"
    if user.role == Role.reviewer:
        return VERIFICATION_DESK_URL
    if user.role == Role.expert:
        return EXPERT_DESK_URL
    return "/admin/users"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_settings().force_secure_cookies


def _log_in(request: Request, session, user, *, target: str, flash: str, device_token: str | None = None) -> Response:
    """Start a fresh session (new id), rotate the CSRF token, and go on (a forced password change first)."""
    token = service.start_session(session, user=user, previous_token=request.cookies.get(SESSION_COOKIE))
    if user.must_change_password:
        target, flash = PASSWORD_PAGE, "password_change_required"
    response = redirect(request, target, flash=flash)
    secure = _secure(request)
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="lax", secure=secure, path="/")
    if device_token:
        response.set_cookie(
            DEVICE_COOKIE,
            device_token,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
            max_age=settings.known_device_days * 86400,
        )
    request.state.csrf_rotated = True
    return response


def _register_context(values: dict | None = None, errors: dict | None = None) -> dict:
    return {
        "values": values or {},
        "errors": errors or {},
        "roles": [(r.value, ROLE_LABELS[r]) for r in SELF_REGISTER_ROLES],
    }


def _check_email(email: str, purpose: str) -> dict:
    s = get_settings()
    return {
        "email": email.lower(),
        "purpose": purpose,
        "demo": s.demo,
        "hours": s.email_verification_hours,
        "minutes": s.password_reset_minutes,
    }


@router.get("/register")
def register_form(request: Request, user: PublicUser, role: str | None = None) -> Response:
    if user:
        return redirect(request, landing(user))
    values = {"role": role if role in ("producer", "buyer") else ""}
    return render(request, "auth/register.html", _register_context(values))


@router.post("/register")
def register(request: Request, session: SessionDep, user: PublicUser, form: FormDict) -> Response:
    try:
        data = parse_registration(form)
        service.register(session, data=data)
    except FieldErrors as exc:
        values = {k: v for k, v in form.items() if "password" not in k}
        return render(request, "auth/register.html", _register_context(values, exc.errors), status_code=422)
    # The same answer whether the address was free or already had an account: the mail says which.
    return render(
        request,
        "auth/check_email.html",
        _check_email(data.email, "register"),
    )


@router.get("/verify-email")
def verify_email_form(request: Request, session: SessionDep, user: PublicUser, token: str = "") -> Response:
    # GET only shows the button: mail scanners open links, and a GET never changes anything.
    valid = service.link_token_valid(session, raw=token, purpose=TokenPurpose.verify_email)
    return render(
        request, "auth/verify_email.html", {"token": token, "valid": valid}, status_code=200 if valid else 410
    )


@router.post("/verify-email")
def verify_email(request: Request, session: SessionDep, user: PublicUser, form: FormDict) -> Response:
    token = form.get("token") if isinstance(form.get("token"), str) else ""
    verified = service.verify_email(session, raw=token)
    if verified is None:
        return render(request, "auth/verify_email.html", {"token": "", "valid": False}, status_code=410)
    return _log_in(request, session, verified, target=landing(verified), flash="email_verified")


def _login_page(request: Request, values: dict, errors: dict, *, status_code: int = 200, code: bool = False):
    return render(
        request, "auth/login.html", {"values": values, "errors": errors, "ask_code": code}, status_code=status_code
    )


@router.get("/login")
def login_form(request: Request, user: PublicUser, next: str | None = None) -> Response:
    if user:
        return redirect(request, safe_next(next, landing(user)))
    return _login_page(request, {"next": safe_next(next, "")}, {})


@router.post("/login")
def login(request: Request, session: SessionDep, user: PublicUser, form: FormDict) -> Response:
    values = {"email": form.get("email", ""), "next": safe_next(form.get("next"), "")}
    try:
        data = parse_form(LoginIn, form)
    except FieldErrors as exc:
        return _login_page(request, values, exc.errors, status_code=422, code=bool(form.get("code")))
    result = service.authenticate(
        session,
        email=data.email,
        password=data.password,
        ip=_client_ip(request),
        device_token=request.cookies.get(DEVICE_COOKIE),
        code=data.code,
    )
    if result.retry_after is not None:
        response = _login_page(request, values, {"__all__": result.error}, status_code=429, code=bool(data.code))
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if result.needs_code:
        return _login_page(request, values, {"code": result.error}, status_code=401, code=True)
    if result.user is None:
        return _login_page(request, values, {"__all__": result.error}, status_code=401, code=bool(data.code))
    target = safe_next(data.next, landing(result.user))
    return _log_in(request, session, result.user, target=target, flash="logged_in", device_token=result.device_token)


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: PublicUser) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session, token=token)
    response = redirect(request, "/", flash="logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- forgotten password ----------------------------------------------------------------------------------------


@router.get("/password/forgot")
def forgot_form(request: Request, user: PublicUser) -> Response:
    return render(request, "auth/forgot.html", {"values": {}, "errors": {}})


@router.post("/password/forgot")
def forgot(request: Request, session: SessionDep, user: PublicUser, form: FormDict) -> Response:
    try:
        data = parse_form(ForgotIn, form)
    except FieldErrors as exc:
        return render(request, "auth/forgot.html", {"values": form, "errors": exc.errors}, status_code=422)
    service.request_password_reset(session, email=data.email)
    # The same answer for known and unknown addresses.
    return render(request, "auth/check_email.html", _check_email(data.email, "reset"))


@router.get("/password/reset")
def reset_form(request: Request, session: SessionDep, user: PublicUser, token: str = "") -> Response:
    valid = service.link_token_valid(session, raw=token, purpose=TokenPurpose.reset_password)
    return render(
        request, "auth/reset.html", {"token": token, "valid": valid, "errors": {}}, status_code=200 if valid else 410
    )


@router.post("/password/reset")
def reset(request: Request, session: SessionDep, user: PublicUser, form: FormDict) -> Response:
    token = form.get("token") if isinstance(form.get("token"), str) else ""
    try:
        data = parse_form(PasswordResetIn, form)
        service.reset_password(session, raw=data.token, data=data)
    except FieldErrors as exc:
        valid = service.link_token_valid(session, raw=token, purpose=TokenPurpose.reset_password)
        context = {"token": token, "valid": valid, "errors": exc.errors}
        return render(request, "auth/reset.html", context, status_code=422 if valid else 410)
    response = redirect(request, "/login", flash="password_reset")
    # Whoever was logged in in this browser is not any more: the reset ended every session.
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- my account ------------------------------------------------------------------------------------------------


def _account_context(session, user, request: Request, errors: dict | None = None) -> dict:
    return {
        "errors": errors or {},
        "tokens": service.list_api_tokens(session, user=user),
        "sessions": [(s, devices.describe(s.user_agent)) for s in service.active_sessions(session, user_id=user.id)],
        "current_session_hash": service.token_digest(request.cookies.get(SESSION_COOKIE, "")),
    }


@router.get("/account")
def account(request: Request, session: SessionDep, user: AnyUser) -> Response:
    return render(request, "account/index.html", _account_context(session, user, request))


@router.get("/account/password")
def password_page(request: Request, user: AnyUser) -> Response:
    return render(request, "account/password.html", {"errors": {}, "forced": user.must_change_password})


@router.post("/account/password")
def change_password(request: Request, session: SessionDep, user: AnyUser, form: FormDict) -> Response:
    forced = user.must_change_password
    try:
        data = parse_form(PasswordChangeIn, form)
        service.change_password(
            session,
            user=user,
            data=data,
            keep_token=request.cookies.get(SESSION_COOKIE),
            keep_device=request.cookies.get(DEVICE_COOKIE),
        )
    except FieldErrors as exc:
        if request.headers.get("HX-Request") == "true":
            return render(
                request,
                "account/index.html",
                _account_context(session, user, request, exc.errors),
                block="password_form",
                target="password-card",
                status_code=422,
            )
        return render(request, "account/password.html", {"errors": exc.errors, "forced": forced}, status_code=422)
    return redirect(request, landing(user) if forced else "/account", flash="password_changed")


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, session: SessionDep, user: AnyUser, token_id: Id) -> Response:
    if not service.revoke_api_token(session, user=user, token_id=token_id):
        raise HTTPException(404)
    return redirect(request, "/account", flash="token_revoked")


@router.post("/account/sessions/end-others")
def end_other_sessions(request: Request, session: SessionDep, user: AnyUser) -> Response:
    service.end_other_devices(
        session,
        user=user,
        keep_token=request.cookies.get(SESSION_COOKIE),
        keep_device=request.cookies.get(DEVICE_COOKIE),
    )
    return redirect(request, "/account", flash="logged_out_others")
