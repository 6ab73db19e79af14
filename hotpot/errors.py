"""Domain errors: what a service raises when a request must be refused, and the answer it becomes.

A core module (it imports no domain). Services raise these; the handler in hotpot/main.py turns each into the
friendly error page (with the request id) for people and `{"detail": message}` JSON for `/api/`, so a refusal a
route did not foresee is a 403/404/409, never a 500. Every error carries a Chinese message a person can read.

- NotFound (404) subclasses LookupError and NotAllowed (403) subclasses PermissionError, so an existing
  `except LookupError` / `except PermissionError` keeps working. Services must not raise the bare built-ins:
  nothing handles them (a bare LookupError also covers KeyError/IndexError, and PermissionError is an OSError,
  so handling the built-ins would hide our own bugs behind a 403/404); tests/test_domain_errors.py checks.
- Conflict (409): the request clashes with what is stored now (a duplicate, a record taken by someone else).
- InvalidState (409, a Conflict): the action is not allowed in the record's current state (a closed inquiry, a
  decided application). 409 rather than 422, because the request itself is well formed and would succeed on a
  record in another state (RFC 9110 §15.5.10: "conflict with the current state of the target resource"); 422 is
  kept for content the user typed wrong (FieldErrors, next to the field).
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user should see as a page (or JSON), not as a server error."""

    status: int = 400
    default_message: str = "请求无法处理"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError, LookupError):
    status = 404
    default_message = "您要找的内容不存在或已被移除。"


class NotAllowed(DomainError, PermissionError):
    status = 403
    default_message = "您的账号没有权限进行此操作。"


class Conflict(DomainError):
    status = 409
    default_message = "操作与当前数据冲突，请刷新页面后重试。"


class InvalidState(Conflict):
    status = 409
    default_message = "当前状态下不能进行此操作，请刷新页面查看最新状态。"
