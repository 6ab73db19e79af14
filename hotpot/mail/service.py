"""Send mail: store it in the outbox in the caller's transaction; when SMTP is configured, deliver it once that
transaction has committed (a rolled-back change sends nothing)."""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hotpot.config import get_settings
from hotpot.db import transaction, utcnow
from hotpot.mail.models import OutboxMail
from hotpot.pagination import Page, paginate

log = logging.getLogger("hotpot.mail")
_PENDING = "hotpot_mail_pending"
_installed = False
_warned = False


def public_url(path: str) -> str:
    """An absolute link for a mail, built from HOTPOT_PUBLIC_URL (never from the request's Host header)."""
    s = get_settings()
    base = (s.public_url or f"http://{s.host}:{s.port}").rstrip("/")
    return base + path


def smtp_configured() -> bool:
    return bool(get_settings().smtp_host)


def startup_notice() -> None:
    """Say once, at start, where mail goes: SMTP, the demo outbox page, or nowhere (logged loudly)."""
    global _warned
    s = get_settings()
    if s.smtp_host:
        log.info("mail: SMTP %s:%s (STARTTLS %s)", s.smtp_host, s.smtp_port, "on" if s.smtp_starttls else "off")
    elif s.demo:
        log.info("mail: demo mode, messages are shown at /dev/outbox and not delivered")
    else:
        _warned = True
        log.warning(
            "HOTPOT_SMTP_HOST is not set: mail is NOT delivered (verification, password-reset and login-code "
            "messages stay in the mail_outbox table); set HOTPOT_SMTP_HOST/PORT/USER/PASSWORD/FROM"
        )


def send(session: Session, *, to: str, subject: str, body: str, kind: str) -> OutboxMail:
    """Queue one plain-text mail; it is delivered (SMTP) or shown (demo outbox) only if the transaction commits."""
    global _warned
    mail = OutboxMail(to_address=to, subject=subject[:200], body=body, kind=kind)
    session.add(mail)
    session.flush()
    if smtp_configured():
        _install()
        session.info.setdefault(_PENDING, []).append(mail.id)
    elif not get_settings().demo and not _warned:
        _warned = True
        log.warning(
            "HOTPOT_SMTP_HOST is not set: mail is NOT delivered; messages stay in the mail_outbox table "
            "(verification and password-reset links included)"
        )
    return mail


def _install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_rollback)


def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    if not ids:
        return
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    # Delivery takes a network round trip: do it beside the request, so the answer (and its timing) is the same
    # whether or not a mail went out.
    threading.Thread(target=deliver, args=(engine, ids), daemon=True, name="hotpot-mail").start()


def deliver(
    engine,
    ids: list[int] | None = None,
    *,
    max_attempts: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Send the outbox's unsent mails (these ids, or all; with max_attempts only those tried fewer times) by SMTP;
    returns how many went out. progress(done, total) is called before each mail and at the end.

    Work outside a request: each mail is its own unit of work (db.transaction), so a mail that went out is marked
    sent at once and never sent again after a later failure; a mail another sender holds is skipped."""
    with Session(engine) as session:
        stmt = select(OutboxMail.id).where(OutboxMail.sent_at.is_(None))
        if ids is not None:
            stmt = stmt.where(OutboxMail.id.in_(ids))
        if max_attempts is not None:
            stmt = stmt.where(OutboxMail.attempts < max_attempts)
        pending = list(session.scalars(stmt.order_by(OutboxMail.id).limit(500)))
    sent = 0
    for done, mail_id in enumerate(pending):
        if progress is not None:
            progress(done, len(pending))
        with transaction(lambda: Session(engine)) as session:
            mail = session.scalars(
                select(OutboxMail)
                .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None))
                .with_for_update(skip_locked=True)
            ).first()
            if mail is None:
                continue
            mail.attempts += 1
            try:
                _smtp_send(mail)
            except (OSError, smtplib.SMTPException) as exc:
                mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("mail %s to %s not delivered: %s", mail.id, mail.to_address, exc)
            else:
                mail.sent_at = utcnow()
                sent += 1
    if progress is not None:
        progress(len(pending), len(pending))
    return sent


def _smtp_send(mail: OutboxMail) -> None:
    s = get_settings()
    message = EmailMessage()
    message["From"] = s.smtp_from
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="hotpot")
    message.set_content(mail.body)
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
        if s.smtp_starttls:
            smtp.starttls()
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        smtp.send_message(message)


def outbox(session: Session, *, page: int, page_size: int, to: str | None = None) -> Page[OutboxMail]:
    """The newest stored mails first (the demo outbox page)."""
    stmt = select(OutboxMail)
    if to:
        stmt = stmt.where(OutboxMail.to_address == to.strip().lower())
    return paginate(session, stmt.order_by(OutboxMail.id.desc()), page=page, page_size=page_size)
