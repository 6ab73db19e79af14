"""create_app(): routers, static files, templates, middleware, error pages."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from hotpot import __version__, domains
from hotpot.config import get_settings
from hotpot.db import database_unavailable, make_engine, make_session_factory
from hotpot.deps import CsrfFailed, Forbidden, NotAuthenticated, PasswordChangeRequired, csrf_protect, is_api
from hotpot.errors import DomainError
from hotpot.middleware import PlatformMiddleware
from hotpot.resources import resource_dir
from hotpot.validation import StaleVersion, chinese_message, field_path
from hotpot.web import conflict, login_url, redirect, render, safe_next

ERROR_TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "没有访问权限",
    404: "页面不存在",
    405: "不支持的请求方式",
    409: "内容已被他人修改",
    413: "文件太大",
    422: "提交的内容有误",
    429: "操作太频繁",
    500: "服务器出错了",
    503: "服务暂时不可用",
}
ERROR_HINTS = {
    403: "您的账号没有权限访问此页面。如需开通权限，请联系区农业农村委平台管理员。",
    404: "您访问的页面不存在或已被移除，请检查网址，或返回首页继续浏览。",
    429: "请求过于频繁，请稍后再试。",
    500: "系统遇到了意外错误，我们已记录此问题。请稍后重试；如问题持续，请将下方的请求编号告知管理员。",
    503: "服务暂时不可用，请稍后再试。",
}
DATABASE_DOWN = "数据库暂时不可用，请稍后再试"
# Seconds a client should wait before trying again while the database is unreachable.
RETRY_AFTER = "10"


def error_response(request: Request, status: int, *, detail: str | None = None, headers=None) -> Response:
    """A friendly page (with the request id) for people, JSON for programs."""
    request_id = request.scope.get("state", {}).get("request_id")
    if is_api(request) or request.url.path in ("/healthz", "/openapi.json"):
        body = {"detail": detail or ERROR_TITLES.get(status, "error"), "request_id": request_id}
        return JSONResponse(body, status_code=status, headers=headers)
    title = ERROR_TITLES.get(status, "出错了")
    context = {
        "status": status,
        "title": title,
        "hint": detail or ERROR_HINTS.get(status, ""),
        "request_id": request_id,
    }
    response = render(request, "errors/error.html", context, status_code=status)
    if headers:
        response.headers.update(headers)
    return response


def unhandled_error(scope, exc: Exception) -> Response:
    """The answer to an exception nothing handled: 503 while the database is unreachable, else 500 (our bug)."""
    request = Request(scope)
    if database_unavailable(exc):
        hint = f"{DATABASE_DOWN}。" if not is_api(request) else DATABASE_DOWN
        return error_response(request, 503, detail=hint, headers={"Retry-After": RETRY_AFTER})
    return error_response(request, 500)


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def _record_title(exc: StaleVersion) -> str:
    """What the conflict page calls a record it knows nothing else about."""
    if exc.title:
        return exc.title
    try:
        return next(str(v) for k in ("name", "display_name", "number") if (v := getattr(exc.current, k, None)))
    except (StopIteration, SQLAlchemyError):  # nothing to call it by, or a record that cannot be reloaded
        return "该记录"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": "需要登录：请在 Authorization 头中提供 Bearer 令牌"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        flash = "session_expired" if getattr(request.state, "session_expired", False) else "login_required"
        target = login_url(request) if request.method == "GET" else "/login"
        return redirect(request, target, flash=flash)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
        if is_api(request):
            return JSONResponse({"detail": "请先登录网页，把一次性密码改为自己的密码"}, status_code=403)
        return redirect(request, "/account/password", flash="password_change_required")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        """A service refused (NotAllowed 403, NotFound 404, Conflict/InvalidState 409): the friendly page with the
        service's Chinese message and the request id, or {"detail": message} for the API. The transaction was
        rolled back by the session dependency before this runs, so nothing of the request was saved."""
        return error_response(request, exc.status, detail=exc.message)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return error_response(request, 403, detail="安全校验失败：页面可能已过期。请刷新页面后重新提交。")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found",) else None
        if exc.status_code in (404, 405):
            detail = None
        return error_response(request, exc.status_code, detail=detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(StaleVersion)
    async def stale_version(request: Request, exc: StaleVersion) -> Response:
        """A write that lost the race for a versioned record, where no route answered it with its own page: the
        conditioned UPDATE at commit time, or an API call (whose If-Match matched just before the other writer
        committed). 412 for the API, the 409 page for people; nothing of the request was saved."""
        if is_api(request):
            return JSONResponse(
                {"detail": "记录已被他人修改（ETag 不匹配），请重新获取后再提交", "request_id": _request_id(request)},
                status_code=412,
            )
        referer = urlsplit(request.headers.get("referer") or "")
        same_site = referer.netloc in ("", request.url.netloc)
        back = safe_next(referer.path + (f"?{referer.query}" if referer.query else "") if same_site else None)
        return conflict(request, title=_record_title(exc), back_url=back, changes=[])

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # An id in the path that cannot name a record (abc, 0, 2147483648) is a page that does not exist.
        if any(e["loc"][:1] == ("path",) for e in exc.errors()):
            return error_response(request, 404)
        if is_api(request):
            details = [{"loc": list(e["loc"]), "msg": chinese_message(e), "type": e["type"]} for e in exc.errors()]
            return JSONResponse({"detail": details}, status_code=422)
        fields = "；".join(f"{field_path(tuple(e['loc'])) or '请求'}：{chinese_message(e)}" for e in exc.errors())
        return error_response(request, 422, detail=f"请求参数不正确（{fields}）")


_frozen = False


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Before the first request: everything built at start-up (routes, models, the domains' modules) goes to the
    collector's permanent generation (gc.freeze). A full collection then walks only what requests made: without it,
    one request in some forty paid for a walk of the whole start-up heap (about 400 ms on the pool's pages, the p99 of
    bench.hitpool; bench.gcpause). Once per process: a process that makes many apps (the tests) must not freeze
    each one's garbage for good."""
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
    # The event loop's thread pool, per worker: HOTPOT_THREADS (hotpot.config) instead of anyio's 40.
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.threads
    yield
    for name in domains.app_resources():
        resource = getattr(app.state, name, None)
        if resource is not None:
            await resource.close()


def create_app(*, engine: Engine | None = None, session_factory=None) -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="合川火锅食材数字化平台 API",
        version=__version__,
        description="合川区火锅食材产业集群数字化平台的开放接口。认证：`POST /api/v1/auth/token` 获取 Bearer 令牌。",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    # What the domains keep beside an engine of the app's own (Domain.app_resources); none beside a given factory.
    resources = domains.app_resources()
    for name in resources:
        setattr(app.state, name, None)
    if session_factory is None:
        if engine is None:
            from hotpot.pg import resolve_database_url

            url, server = resolve_database_url(database_url=settings.database_url, data_dir=settings.data_dir)
            app.state.embedded_server = server
            engine = make_engine(url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
        session_factory = make_session_factory(engine)
        for name, target in resources.items():
            setattr(app.state, name, domains.resolve(target)(engine))
    # Every session of the app keeps the search index in step with its writes (a given sessionmaker too: tests');
    # a plain callable (tests that only list the routes) is its maker's to index.
    if isinstance(session_factory, sessionmaker):
        domains.prepare_session_factory(session_factory)
    app.state.engine = engine
    app.state.threads = settings.threads
    # Counts shown next to the navigation (the bell): name -> function(session, user) -> int.
    app.state.badges = domains.badges()
    app.state.session_factory = session_factory
    for hook in (hook for domain in domains.installed() for hook in domain.on_startup):
        domains.resolve(hook)()

    # A request walks the routes in the order they were added until one matches, at some 10 µs a route (FastAPI's
    # bookkeeping for each; 215 routes: bench/README.md, "what a bare request costs"). So the static files and the
    # API (programs and the search box's suggestions, the most frequent requests) come first: no page path starts
    # with /static/ or /api/ (tests/test_route_order.py), so neither can take a page's request.
    app.mount("/static", StaticFiles(directory=str(resource_dir("static"))), name="static")
    # Every domain's API routers (programs send no CSRF token), then its page routers (with the CSRF check).
    for domain in domains.installed():
        for router in domain.api_routers:
            app.include_router(domains.resolve(router))
    if settings.bench_endpoints:
        from hotpot.api import bench

        app.include_router(bench.router)
    csrf = [Depends(csrf_protect)]
    for domain in domains.installed():
        for router in domain.routers:
            app.include_router(domains.resolve(router), dependencies=csrf)
    app.add_middleware(PlatformMiddleware, on_error=unhandled_error, expected=database_unavailable)
    _install_error_handlers(app)
    return app
