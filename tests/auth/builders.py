"""Typed builders for accounts, and a log-in helper for test clients."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hotpot.auth import service
from hotpot.auth.models import User
from hotpot.auth.schemas import StaffCreateIn

PASSWORD = "Correct-Horse-42"
_seq = itertools.count(1)


def make_user(
    session: Session,
    *,
    role: str = "buyer",
    email: str | None = None,
    password: str = PASSWORD,
    display_name: str = "测试用户",
    organization: str | None = "测试单位",
) -> User:
    email = email or f"user{next(_seq)}-{role}@hotpot.example"
    data = StaffCreateIn(email=email, display_name=display_name, organization=organization, role=role)
    user, _ = service.create_user(session, actor=None, data=data, password=password)
    session.flush()
    return user


def log_in(client: TestClient, email: str, password: str = PASSWORD):
    client.get("/login")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 303, response.text
    return response


def mails_to(session: Session, email: str, kind: str | None = None) -> list:
    """The outbox's mails to an address, newest first (tests read links from the outbox, never a mock SMTP)."""
    from sqlalchemy import select

    from hotpot.mail.models import OutboxMail

    stmt = select(OutboxMail).where(OutboxMail.to_address == email.lower())
    if kind:
        stmt = stmt.where(OutboxMail.kind == kind)
    return list(session.scalars(stmt.order_by(OutboxMail.id.desc())))


def link_in(mail, path: str) -> str:
    """The path and query of the link to `path` in a mail's body ("/verify-email?token=...")."""
    import re

    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\?token=[A-Za-z0-9_\-]+)", mail.body)
    assert match, mail.body
    return match.group(1)
