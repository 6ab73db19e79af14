"""Account use cases: register, log in and out, sessions, API tokens, rate limits, admin changes."""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from hotpot import context
from hotpot.audit import service as audit
from hotpot.auth import passwords
from hotpot.auth.models import ApiToken, LoginAttempt, Role, User, UserSession
from hotpot.auth.schemas import PasswordChangeIn, RegisterIn, StaffCreateIn
from hotpot.config import get_settings
from hotpot.db import utcnow
from hotpot.pagination import Page, paginate
from hotpot.validation import FieldErrors, check_version

KNOWN_ADDRESS_DAYS = 30
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "organization": user.organization,
        "role": user.role,
        "is_active": user.is_active,
    }


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def _check_new_password(password: str, email: str, field: str = "password") -> None:
    problem = passwords.password_problem(password, email=email)
    if problem:
        raise FieldErrors({field: problem})


def _add_user(
    session: Session, *, actor: User | None, action: str, password: str, taken_message: str, **fields
) -> User:
    """Check the password and the e-mail's uniqueness, insert the account, audit it."""
    fields["email"] = fields["email"].lower()
    _check_new_password(password, fields["email"])
    if get_by_email(session, fields["email"]):
        raise FieldErrors({"email": taken_message})
    user = User(password_hash=passwords.hash_password(password), **fields)
    session.add(user)
    session.flush()
    # A self-registered account is its own actor.
    audit.record(
        session,
        actor=user if action == "user.register" else actor,
        action=action,
        entity_type="user",
        entity_id=user.id,
        after=_snapshot(user),
    )
    return user


def register(session: Session, *, data: RegisterIn) -> User:
    """Self-registration of a producer or buyer account."""
    return _add_user(
        session,
        actor=None,
        action="user.register",
        password=data.password,
        taken_message="该邮箱已注册，请直接登录",
        email=data.email,
        display_name=data.display_name,
        organization=data.organization,
        phone=data.phone,
        role=data.role,
    )


def random_password(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if passwords.password_problem(pw) is None:
            return pw


def create_user(
    session: Session,
    *,
    actor: User | None,
    data: StaffCreateIn,
    password: str | None = None,
    is_demo: bool = False,
) -> tuple[User, str | None]:
    """Create an account of any role (admin UI and CLI); without a password, a one-time random one is returned."""
    generated = random_password() if password is None else None
    user = _add_user(
        session,
        actor=actor,
        action="user.create",
        password=password or generated,
        taken_message="该邮箱已注册",
        email=data.email,
        display_name=data.display_name,
        organization=data.organization,
        role=data.role,
        is_demo=is_demo,
    )
    return user, generated


# --- login and rate limits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    error: str | None = None
    retry_after: int | None = None


def _retry_after(session: Session, *conditions) -> int:
    settings = get_settings()
    oldest = session.scalar(select(func.min(LoginAttempt.attempted_at)).where(*conditions))
    if oldest is None:
        return 1
    free_at = oldest + timedelta(minutes=settings.login_window_minutes)
    return max(1, int((free_at - utcnow()).total_seconds()) + 1)


def login_blocked_for(session: Session, *, email: str, ip: str) -> int | None:
    """Seconds to wait when this account or address has failed too often recently, else None."""
    s = get_settings()
    since = utcnow() - timedelta(minutes=s.login_window_minutes)
    failed = [LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since]
    counts = session.execute(
        select(
            func.count().filter(LoginAttempt.email == email, LoginAttempt.ip == ip),
            func.count().filter(LoginAttempt.email == email),
            func.count().filter(LoginAttempt.ip == ip),
        ).where(*failed, or_(LoginAttempt.email == email, LoginAttempt.ip == ip))
    ).one()
    pair, account, address = counts
    if pair >= s.login_max_failures_per_account_ip:
        return _retry_after(session, *failed, LoginAttempt.email == email, LoginAttempt.ip == ip)
    if address >= s.login_max_failures_per_ip:
        return _retry_after(session, *failed, LoginAttempt.ip == ip)
    if account >= s.login_max_failures_per_account and not _is_known_address(session, email=email, ip=ip):
        # An address the owner logged in from recently is exempt, so a flood of failures from elsewhere
        # cannot lock the owner out of their own account.
        return _retry_after(session, *failed, LoginAttempt.email == email)
    return None


def _is_known_address(session: Session, *, email: str, ip: str) -> bool:
    since = utcnow() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return bool(
        session.scalar(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.ip == ip,
                LoginAttempt.succeeded.is_(True),
                LoginAttempt.attempted_at > since,
            )
            .limit(1)
        )
    )


def authenticate(session: Session, *, email: str, password: str, ip: str) -> LoginResult:
    """Check a login, counting failures; the caller commits even on failure so the count persists."""
    email = email.strip().lower()
    wait = login_blocked_for(session, email=email, ip=ip)
    if wait is not None:
        return LoginResult(error="登录失败次数过多，请稍后再试", retry_after=wait)
    user = get_by_email(session, email)
    ok = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if not (user and ok and user.is_active):
        session.add(LoginAttempt(email=email[:254], ip=ip, succeeded=False))
        session.flush()
        if user and ok and not user.is_active:
            return LoginResult(error="该账号已停用，请联系管理员")
        return LoginResult(error="邮箱或密码不正确")
    session.add(LoginAttempt(email=email, ip=ip, succeeded=True))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    return LoginResult(user=user)


def prune_login_attempts(session: Session) -> int:
    """Forget attempts older than the known-address horizon."""
    cutoff = utcnow() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < cutoff)).rowcount or 0


# --- browser sessions ------------------------------------------------------------------------------------------


def start_session(session: Session, *, user: User, previous_token: str | None = None) -> str:
    """Open a new session for user (a fresh id at every login) and end the one the browser had."""
    if previous_token:
        end_session(session, token=previous_token)
    s = get_settings()
    ctx = context.current()
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=s.session_absolute_hours),
            ip=ctx.ip,
            user_agent=(ctx.user_agent or "")[:300] or None,
        )
    )
    session.flush()
    audit.record(session, actor=user, action="session.login", entity_type="user", entity_id=user.id)
    return token


def user_for_session(session: Session, *, token: str) -> User | None:
    """The user of a live session (not ended, not expired, not idle too long, account active)."""
    s = get_settings()
    now = utcnow()
    row = session.scalar(
        select(UserSession).where(
            UserSession.token_hash == token_digest(token),
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at > now - timedelta(minutes=s.session_idle_minutes),
        )
    )
    if row is None or not row.user.is_active:
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        # Sliding idle timeout; written at most once a minute so reads stay cheap.
        session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    return row.user


def end_session(session: Session, *, token: str) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_digest(token), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_sessions(session: Session, *, user_id: int, keep_token: str | None = None) -> int:
    stmt = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep_token:
        stmt = stmt.where(UserSession.token_hash != token_digest(keep_token))
    return session.execute(stmt.values(ended_at=utcnow())).rowcount or 0


def active_sessions(session: Session, *, user_id: int) -> list[UserSession]:
    now = utcnow()
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None), UserSession.expires_at > now)
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def change_password(session: Session, *, user: User, data: PasswordChangeIn, keep_token: str | None) -> None:
    """Change one's own password; every other session of the account ends."""
    if not passwords.verify_password(user.password_hash, data.current_password):
        raise FieldErrors({"current_password": "当前密码不正确"})
    if data.new_password != data.new_password_confirm:
        raise FieldErrors({"new_password_confirm": "两次输入的新密码不一致"})
    _check_new_password(data.new_password, user.email, field="new_password")
    if data.new_password == data.current_password:
        raise FieldErrors({"new_password": "新密码不能与当前密码相同"})
    user.password_hash = passwords.hash_password(data.new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(session, user_id=user.id, keep_token=keep_token)
    session.flush()
    audit.record(session, actor=user, action="user.password_change", entity_type="user", entity_id=user.id)


# --- API tokens ------------------------------------------------------------------------------------------------


def issue_api_token(session: Session, *, user: User, name: str) -> tuple[str, ApiToken]:
    raw = "hp_" + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=token_digest(raw),
        user_id=user.id,
        name=name[:100],
        expires_at=utcnow() + timedelta(days=get_settings().api_token_days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="api_token.issue",
        entity_type="api_token",
        entity_id=token.id,
        after={"name": name},
    )
    return raw, token


def user_for_api_token(session: Session, *, raw: str) -> tuple[User, ApiToken] | None:
    now = utcnow()
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_digest(raw), ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
        )
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_SEEN_RESOLUTION:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return token.user, token


def list_api_tokens(session: Session, *, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_api_token(session: Session, *, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when it is not theirs or already gone."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.flush()
    audit.record(session, actor=user, action="api_token.revoke", entity_type="api_token", entity_id=token.id)
    return True


# --- administration --------------------------------------------------------------------------------------------


def list_users(
    session: Session, *, q: str | None, role: str | None, active: bool | None, page: int, page_size: int
) -> Page[User]:
    stmt = select(User)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(
                User.email.like(like),
                func.lower(User.display_name).like(like),
                func.lower(User.organization).like(like),
            )
        )
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    return paginate(session, stmt.order_by(User.created_at.desc(), User.id.desc()), page=page, page_size=page_size)


def count_by_role(session: Session) -> dict[str, int]:
    rows = session.execute(select(User.role, func.count()).where(User.is_active).group_by(User.role))
    return {role: n for role, n in rows}  # noqa: C416 - rows are Row objects


def _admin_change(
    session: Session, *, actor: User | None, user: User, version: int | None, action: str, change
) -> User:
    check_version(user, version)
    before = _snapshot(user)
    change(user)
    user.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="user",
        entity_id=user.id,
        before=before,
        after=_snapshot(user),
    )
    return user


def set_active(session: Session, *, actor: User | None, user: User, active: bool, version: int | None = None) -> User:
    """Disable (ending every session and token) or re-enable an account; actor None is the CLI."""
    if actor is not None and user.id == actor.id and not active:
        raise FieldErrors({"__all__": "不能停用自己的账号"})

    def change(u: User) -> None:
        u.is_active = active

    _admin_change(
        session,
        actor=actor,
        user=user,
        version=version,
        action="user.enable" if active else "user.disable",
        change=change,
    )
    if not active:
        end_all_sessions(session, user_id=user.id)
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return user


def change_role(session: Session, *, actor: User, user: User, role: str, version: int | None = None) -> User:
    if user.id == actor.id and role != Role.admin:
        raise FieldErrors({"role": "不能取消自己的管理员角色"})

    def change(u: User) -> None:
        u.role = role

    _admin_change(session, actor=actor, user=user, version=version, action="user.role_change", change=change)
    # A new role means new rights: sessions started under the old one end.
    end_all_sessions(session, user_id=user.id)
    return user
