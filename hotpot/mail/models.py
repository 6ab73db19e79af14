"""The outbox: every message the platform sends, written in the same transaction as the change that caused it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from hotpot.db import Base


class OutboxMail(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index(None, "created_at"), Index(None, "to_address"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # What the mail is for (verify_email, account_exists, reset_password, login_code, invitation ...).
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
