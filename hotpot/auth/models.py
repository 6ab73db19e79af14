"""Accounts and their credentials: users, browser sessions, API tokens, login attempts, one-time tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.db import Base, TimestampMixin, Versioned


class Role(StrEnum):
    admin = "admin"
    reviewer = "reviewer"
    producer = "producer"
    buyer = "buyer"
    expert = "expert"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.admin: "系统管理员",
    Role.reviewer: "审核人员（区农业农村委）",
    Role.producer: "生产企业",
    Role.buyer: "采购商",
    Role.expert: "评审专家",
}
SELF_REGISTER_ROLES = (Role.producer, Role.buyer)


class User(Versioned, TimestampMixin, Base):
    __tablename__ = "user_account"
    # What the audit log records of an account (hotpot/changes.py); never the password hash.
    audit_entity = "user"
    audit_fields = ("email", "display_name", "organization", "role", "is_active")
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'reviewer', 'producer', 'buyer', 'expert')", name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    organization: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    # A producer account belongs to one enterprise (NULL until it registers or joins one).
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL", use_alter=True), index=True
    )
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # NULL until the owner of the mailbox followed the verification link; an account logs in only once verified,
    # and only a verified address can take up an enterprise invitation.
    email_verified_at: Mapped[datetime | None]
    # Set by a one-time password (CLI, admin): every page sends the account to the change-password page until done.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default="false")
    # Bumped by administrative changes (role, status) only, so a login does not make an admin's form stale.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


class UserSession(Base):
    """A browser session; the cookie carries a random token, the table only its SHA-256."""

    __tablename__ = "user_session"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for programs; only its SHA-256 is stored, it can be revoked."""

    __tablename__ = "api_token"
    # What the audit log records of a token (hotpot/changes.py); never its hash.
    audit_entity = "api_token"
    audit_fields = ("name",)
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Login attempts: failures are counted per account, per address and per both in a sliding window;
    successes mark an address as known for the account, so an attacker cannot lock its owner out."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index(None, "email", "attempted_at"), Index(None, "ip", "attempted_at"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(server_default=func.now())


class LoginCounter(Base):
    """Login attempts in the current window per key (account, address, account at address); one row per key, so
    a check-and-count is one locked row (INSERT ... ON CONFLICT DO UPDATE) and concurrent attempts cannot all pass."""

    __tablename__ = "login_counter"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    window_started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_attempt_at: Mapped[datetime | None]


class KnownDevice(Base):
    """A browser that logged in to the account before: its long-lived cookie carries a random token (only the
    SHA-256 is stored); it passes the login limits that slow unknown browsers and addresses."""

    __tablename__ = "known_device"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_used_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]


class TokenPurpose(StrEnum):
    verify_email = "verify_email"
    reset_password = "reset_password"  # noqa: S105 - a field name, not a secret
    login_code = "login_code"


class OneTimeToken(Base):
    """A mailed secret that proves the mailbox: e-mail verification and password-reset links, login codes.
    Only its SHA-256 is stored; it expires and is used at most once."""

    __tablename__ = "one_time_token"
    __table_args__ = (
        Index(None, "user_id", "purpose"),
        CheckConstraint("purpose IN ('verify_email', 'reset_password', 'login_code')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    # Links carry 256 random bits; a login code is short, so its digest includes the account id and is looked up
    # by account (hence not unique).
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Wrong guesses of a short login code; the code dies after a few.
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(lazy="joined")
