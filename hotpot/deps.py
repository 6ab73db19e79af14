"""Request dependencies: who is calling, the access rule every route declares, CSRF, list parameters, and the
record a path names ("visible or 404", "owned by the caller or 403")."""

from __future__ import annotations

import hmac
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError

from hotpot.auth import service as auth_service
from hotpot.auth.models import Role, User
from hotpot.db import SessionDep
from hotpot.errors import NotAllowed, NotFound
from hotpot.validation import NUL_MESSAGE, Id, has_nul

SESSION_COOKIE = "hotpot_session"
# A long-lived random token that marks a browser the account logged in from before (hotpot/auth/models.py).
DEVICE_COOKIE = "hotpot_device"
# What an account with a one-time password may reach until it has chosen its own.
PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/logout"})
CSRF_COOKIE = "hotpot_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotAuthenticated(Exception):
    """The route needs a logged-in user and there is none."""


class Forbidden(Exception):
    """The user is logged in but the route's rule does not admit them."""


class PasswordChangeRequired(Exception):
    """The account logged in with a one-time password: it must choose its own before anything else."""


class CsrfFailed(Exception):
    """An unsafe browser request without a matching CSRF token."""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def bearer_token(request: Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _load_user(request: Request, session) -> User | None:
    """Identify the caller once per request: bearer token on /api, the session cookie on pages."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    if is_api(request):
        raw = bearer_token(request)
        found = auth_service.user_for_api_token(session, raw=raw) if raw else None
        user = found[0] if found else None
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            user = auth_service.user_for_session(session, token=token)
            if user is None:
                request.state.session_expired = True
    request.state.user = user
    request.state.principal = Principal.of(user) if user else None
    if user is not None and not is_api(request):
        badges = getattr(request.app.state, "badges", {})
        request.state.badges = {name: count(session, user=user) for name, count in badges.items()}
    return user


@dataclass(frozen=True)
class Principal:
    """Who is logged in, as plain values: pages (error pages too) render it after the session is gone."""

    id: int
    email: str
    display_name: str
    role: str
    organization: str | None
    phone: str | None
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            organization=user.organization,
            phone=user.phone,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


@dataclass(frozen=True)
class AccessRule:
    """What a route admits: everyone (public), any logged-in user, or the listed roles."""

    kind: str  # "public" | "authenticated" | "roles"
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles:" + ",".join(sorted(r.value for r in self.roles))
        return self.kind


def nul_means_no_match(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a search endpoint: a NUL byte in its query string finds nothing instead of being refused."""
    endpoint.nul_means_no_match = True  # type: ignore[attr-defined]
    return endpoint


def refuse_nul_query(request: Request) -> None:
    """A NUL byte in any query parameter is invalid input (422 naming the parameter), never a database error.

    Runs with every route's access rule, so no query parameter, declared or read by hand, can reach a query with one.
    """
    if getattr(request.scope.get("endpoint"), "nul_means_no_match", False):
        return
    refuse_nul("query", request.query_params.multi_items())


def refuse_nul(location: str, values: dict[str, Any] | Iterable[tuple[str, Any]]) -> None:
    """Raise a 422 naming each field (a dict's, or (name, value) pairs, repeated names too) that holds a NUL byte;
    location is where the fields came from ("query", "body" ...)."""
    pairs = values.items() if isinstance(values, dict) else values
    bad = sorted({str(k) for k, v in pairs if has_nul(k) or has_nul(v)})
    if bad:
        error = {"type": "value_error", "msg": NUL_MESSAGE, "ctx": {"error": NUL_MESSAGE}}
        raise RequestValidationError([{**error, "loc": (location, k)} for k in bad])


def _needs_lookup(request: Request) -> bool:
    """Whether identifying the caller reads the database: a bearer token on /api, a session cookie on pages."""
    if hasattr(request.state, "user"):
        return False
    if is_api(request):
        return bearer_token(request) is not None
    return bool(request.cookies.get(SESSION_COOKIE))


def _rule_dependency(rule: AccessRule) -> Callable[..., Any]:
    # Async: an anonymous caller (no token, no cookie) is known without I/O, so the rule costs no thread-pool
    # hand-off; a caller to look up is looked up in the thread pool (issue 12).
    async def dependency(request: Request, session: SessionDep) -> User | None:
        refuse_nul_query(request)
        if _needs_lookup(request):
            user = await run_in_threadpool(_load_user, request, session)
        else:
            user = _load_user(request, session)
        if user is not None and user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
            raise PasswordChangeRequired()
        if rule.kind == "public":
            return user
        if user is None:
            raise NotAuthenticated()
        if rule.kind == "roles" and user.role not in rule.roles:
            raise Forbidden()
        return user

    dependency.access_rule = rule  # type: ignore[attr-defined]  # read by the route-table test
    dependency.__name__ = f"access_{rule.describe().replace(':', '_').replace(',', '_')}"
    return dependency


def allow_roles(*roles: Role) -> Callable[..., Any]:
    return _rule_dependency(AccessRule("roles", frozenset(roles)))


allow_public = _rule_dependency(AccessRule("public"))
allow_authenticated = _rule_dependency(AccessRule("authenticated"))

# Annotated shortcuts: a route names exactly one of these (or allow_roles) and that is its access rule.
PublicUser = Annotated[User | None, Depends(allow_public)]
AnyUser = Annotated[User, Depends(allow_authenticated)]
AdminUser = Annotated[User, Depends(allow_roles(Role.admin))]
StaffUser = Annotated[User, Depends(allow_roles(Role.admin, Role.reviewer))]
ProducerUser = Annotated[User, Depends(allow_roles(Role.producer))]
Public = Depends(allow_public)


# --- the record a path names ------------------------------------------------------------------------------------

# What the 404 page says of a record that is missing or hidden from the caller: the same words for both, so the
# answer never tells that a hidden record exists.
NOT_FOUND_MESSAGE = "您访问的页面不存在或已被移除，请检查网址，或返回首页继续浏览。"

# A domain's rule over one record: may this caller (None when anonymous) see it / change it? It lives in the
# domain's service (products.service.can_see ...), next to the list queries that apply the same rule in SQL.
RecordRule = Callable[[Any, Any], bool]


def _record_dependency(
    model: type,
    *,
    param: str,
    user: Any,
    check: Callable[[Any, Any], None],
    kind: str,
    rule: RecordRule | None,
    options: tuple = (),
) -> Callable[..., Any]:
    """A dependency taking (session, user, <param>) that loads model by the path parameter and lets check refuse;
    `options` are loader options for that statement (what the page shows of the record's relationships)."""

    def load(**values: Any) -> Any:
        record = values["session"].get(model, values[param], options=options)
        check(values["user"], record)
        return record

    keyword = inspect.Parameter.KEYWORD_ONLY
    load.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # FastAPI reads the parameters from it
        [
            inspect.Parameter("session", keyword, annotation=SessionDep),
            inspect.Parameter("user", keyword, annotation=user),
            inspect.Parameter(param, keyword, annotation=Id),
        ]
    )
    load.__name__ = f"{kind}_{model.__name__.lower()}_by_{param}"
    # Read by tests/test_record_deps.py, which finds every route that loads a record this way.
    load.record_dependency = (kind, model, param, rule)  # type: ignore[attr-defined]
    return load


def visible(model: type, rule: RecordRule | None = None, *, param: str, user: Any = None, options: tuple = ()) -> Any:
    """The record named by the path parameter `param`, as an Annotated route parameter; 404 when it does not exist
    or rule(user, record) hides it from the caller (the same 404 for both). No rule: every caller the route's access
    rule admits may see it (a staff desk). `user` is the route's access rule (PublicUser unless given); a route
    names the same one, so it still declares exactly one rule."""

    def check(who: Any, record: Any) -> None:
        if record is None or (rule is not None and not rule(who, record)):
            raise NotFound(NOT_FOUND_MESSAGE)

    caller = PublicUser if user is None else user
    dependency = _record_dependency(
        model, param=param, user=caller, check=check, kind="visible", rule=rule, options=options
    )
    return Annotated[model, Depends(dependency)]


def owned(model: type, rule: RecordRule, *, param: str, message: str, user: Any = None) -> Any:
    """The record named by the path parameter `param` that the caller may change, as an Annotated route parameter:
    404 when it does not exist, 403 with `message` when rule(user, record) says it is not the caller's. Resolved
    before the body is read, so another producer's record is refused before its input is looked at. `user` is the
    route's access rule (ProducerUser unless given)."""

    def check(who: Any, record: Any) -> None:
        if record is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        if not rule(who, record):
            raise NotAllowed(message)

    caller = ProducerUser if user is None else user
    dependency = _record_dependency(model, param=param, user=caller, check=check, kind="owned", rule=rule)
    return Annotated[model, Depends(dependency)]


def dependency_of(annotated: Any) -> Callable[..., Any]:
    """The dependency function inside an Annotated route parameter (for app.dependency_overrides in tests)."""
    return next(m.dependency for m in annotated.__metadata__ if hasattr(m, "dependency"))


def access_rules_of(route) -> list[AccessRule]:
    """The access rules a route declares (walks its dependency tree)."""
    found: list[AccessRule] = []

    def walk(dependant) -> None:
        rule = getattr(dependant.call, "access_rule", None)
        if rule is not None:
            found.append(rule)
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return found


async def csrf_protect(request: Request) -> None:
    """Refuse unsafe browser requests whose token (form field or header) does not match the CSRF cookie.

    The JSON API authenticates with bearer tokens only, never with cookies, so it needs no CSRF token.
    """
    if request.method not in UNSAFE_METHODS or is_api(request):
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise CsrfFailed()
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    # compare_digest refuses non-ASCII str (TypeError): compare bytes, so any garbage is a plain mismatch.
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfFailed()


@dataclass(frozen=True)
class ListParams:
    page: int
    page_size: int
    q: str | None
    sort: str | None


async def list_params(  # async: no I/O, so no thread-pool hand-off (tests/test_request_session.py)
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str | None, Query(max_length=30)] = None,
) -> ListParams:
    return ListParams(page=page, page_size=page_size, q=(q or "").strip() or None, sort=sort)


ListParamsDep = Annotated[ListParams, Depends(list_params)]


async def form_data(request: Request) -> dict[str, Any]:
    """The submitted form as a dict (repeated keys become lists), read before a sync route runs."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key in out:
            out[key] = [*out[key], value] if isinstance(out[key], list) else [out[key], value]
        else:
            out[key] = value
    return out


FormDict = Annotated[dict[str, Any], Depends(form_data)]


def api_routes(app) -> list[tuple[str, set[str], Any]]:
    """(path, methods, APIRoute) of every endpoint, across included routers and FastAPI versions."""
    from fastapi.routing import APIRoute

    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI flattens included routes into app.routes
        return [(r.path, set(r.methods), r) for r in app.routes if isinstance(r, APIRoute)]
    out = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute):
            out.append((ctx.path, set(ctx.methods or ()), route))
    return out
