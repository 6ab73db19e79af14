"""One ASGI middleware: request id and context, the CSRF cookie, security and cache headers."""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotpot import context
from hotpot.config import get_settings
from hotpot.deps import CSRF_COOKIE

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# Swagger UI sets inline styles on its widgets; its scripts still come only from /static.
_CSP_DOCS = _CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
log = logging.getLogger("hotpot")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is the client's problem, not a 500
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


class PlatformMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        on_error: Callable[[Scope, Exception], Response] | None = None,
        expected: Callable[[Exception], bool] | None = None,
    ):
        self.app = app
        self.on_error = on_error
        # Errors that are not bugs (the database is down): one line in the log, not a traceback per request.
        self.expected = expected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        client = scope.get("client")
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["started"] = time.perf_counter()
        path: str = scope.get("path", "")
        is_static = path.startswith("/static/")
        is_api = path.startswith("/api/")
        secure = scope.get("scheme") == "https" or settings.force_secure_cookies

        new_csrf = None
        if not is_static and not is_api:
            existing = _cookie(scope, CSRF_COOKIE)
            if existing and 20 <= len(existing) <= 100:
                state["csrf_token"] = existing
            else:
                new_csrf = secrets.token_urlsafe(32)
                state["csrf_token"] = new_csrf

        token = context.set_current(
            context.RequestContext(
                request_id=request_id,
                ip=client[0] if client else None,
                user_agent=_header(scope, b"user-agent"),
            )
        )

        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers.setdefault("Content-Security-Policy", _CSP_DOCS if path == "/docs" else _CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if secure:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                if is_static:
                    headers.setdefault("Cache-Control", "public, max-age=86400")
                elif state.get("user") is not None or state.get("private"):
                    # Pages behind login must not be kept by browsers or shared caches.
                    headers["Cache-Control"] = "no-store"
                    headers["Pragma"] = "no-cache"
                else:
                    headers.setdefault("Cache-Control", "no-cache")
                if new_csrf and not state.get("csrf_rotated"):
                    flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                    headers.append("Set-Cookie", f"{CSRF_COOKIE}={new_csrf}{flags}")
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            # Inside this middleware so the error page gets the request id and the security headers too.
            if self.expected is not None and self.expected(exc):
                log.warning("request %s %s: %s", request_id, path, str(exc).splitlines()[0] if str(exc) else exc)
            else:
                log.exception("unhandled error (request %s)", request_id)
            if started or self.on_error is None:
                raise
            await self.on_error(scope, exc)(scope, receive, send_wrapper)
        finally:
            context.reset(token)
