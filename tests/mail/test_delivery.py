"""SMTP delivery against a real local SMTP sink: only committed mail goes out, after the commit."""

from __future__ import annotations

import socketserver
import threading
import time
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from hotpot import migrate
from hotpot.config import get_settings
from hotpot.db import transaction
from hotpot.mail import service as mail
from hotpot.mail.models import OutboxMail
from tests.conftest import fresh_database


class _Sink(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[bytes] = []


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: greet, accept any envelope, store the DATA."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.strip().split(b" ")[0].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                body = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(chunk)
                self.server.messages.append(b"".join(body))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def sink(monkeypatch):
    server = _Sink()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HOTPOT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HOTPOT_SMTP_PORT", str(server.server_address[1]))
    monkeypatch.setenv("HOTPOT_SMTP_STARTTLS", "false")
    get_settings.cache_clear()
    yield server
    server.shutdown()
    server.server_close()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def mail_factory(server_url):
    url = fresh_database(server_url, "hotpot_mail")
    migrate.upgrade(url)
    engine = create_engine(url, pool_size=3)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def _subjects(sink) -> list[str]:
    return [str(make_header(decode_header(message_from_bytes(m)["Subject"]))) for m in sink.messages]


def test_committed_mail_is_delivered_and_rolled_back_mail_is_not(sink, mail_factory):
    def failing_change() -> None:
        with transaction(mail_factory) as session:
            mail.send(session, to="a@hotpot.example", subject="回滚的邮件", body="不应发出", kind="test")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    with transaction(mail_factory) as session:
        sent = mail.send(session, to="b@hotpot.example", subject="验证邮件", body="链接：http://x/verify", kind="test")
        # Nothing leaves before the commit.
        assert sink.messages == []
    deadline = time.monotonic() + 15
    while not sink.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert _subjects(sink) == ["验证邮件"]
    with mail_factory() as session:
        row = session.get(OutboxMail, sent.id)
        for _ in range(50):
            if row.sent_at is not None:
                break
            time.sleep(0.1)
            session.expire_all()
            row = session.get(OutboxMail, sent.id)
        assert row.sent_at is not None
        assert row.attempts == 1
        assert session.scalar(select(OutboxMail.id).where(OutboxMail.subject == "回滚的邮件")) is None


def test_an_unreachable_server_keeps_the_mail_for_later(mail_factory, monkeypatch):
    monkeypatch.setenv("HOTPOT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HOTPOT_SMTP_PORT", "9")  # discard port: nothing listens
    monkeypatch.setenv("HOTPOT_SMTP_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    try:
        with transaction(mail_factory) as session:
            queued = mail.send(session, to="c@hotpot.example", subject="稍后重试", body="…", kind="test")
            session.info.pop("hotpot_mail_pending", None)  # deliver below, in this thread
        assert mail.deliver(mail_factory.kw["bind"], [queued.id]) == 0
        with mail_factory() as session:
            row = session.get(OutboxMail, queued.id)
            assert row.sent_at is None
            assert row.attempts == 1
            assert row.last_error
    finally:
        get_settings.cache_clear()
