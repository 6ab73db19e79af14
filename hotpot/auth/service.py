"""Account use cases: register, log in and out, sessions, API tokens, rate limits, admin changes."""

from __future__ import annotations

import hashlib
import math
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from hotpot import changes, context
from hotpot.audit import service as audit
from hotpot.auth import passwords
from hotpot.auth.models import (
    ApiToken,
    KnownDevice,
    LoginAttempt,
    LoginCounter,
    OneTimeToken,
    Role,
    TokenPurpose,
    User,
    UserSession,
)
from hotpot.auth.schemas import PasswordChangeIn, PasswordResetIn, RegisterIn, StaffCreateIn
from hotpot.config import get_settings
from hotpot.db import utcnow
from hotpot.mail import service as mail
from hotpot.pagination import Page, paginate
from hotpot.validation import FieldErrors

SHANGHAI = ZoneInfo("Asia/Shanghai")
KNOWN_ADDRESS_DAYS = 30
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_user(session: Session, user_id: int) -> User | None:
    """The account with this id, or None."""
    return session.get(User, user_id)


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
    # A self-registered account is its own actor.
    return changes.created(session, user, actor=user if action == "user.register" else actor, action=action)


def register(session: Session, *, data: RegisterIn) -> None:
    """Self-registration of a producer or buyer account, answered the same way whether the address is free or
    taken (so the form does not tell who has an account): the mail to the address says the rest.

    A free address gets an unverified account and a verification link; it logs in only after following it.
    A verified account's address gets a mail saying it already has an account (log in or reset the password).
    An address with an account never verified gets the new registration's data and a new link (earlier links
    die): whoever controls the mailbox decides which registration becomes the account.
    """
    email = data.email.lower()
    _check_new_password(data.password, email)
    # Hashed for taken addresses too, so the answer takes as long either way.
    password_hash = passwords.hash_password(data.password)
    existing = get_by_email(session, email)
    if existing is not None and existing.is_verified:
        mail.send(
            session,
            to=email,
            kind="account_exists",
            subject="您的邮箱已注册合川火锅食材数字化平台",
            body=(
                f"您好！\n\n有人（可能是您本人）用此邮箱 {email} 在合川火锅食材数字化平台注册账号。"
                "该邮箱已经有账号，无需再次注册：\n\n"
                f"直接登录：{mail.public_url('/login')}\n"
                f"忘记密码：{mail.public_url('/password/forgot')}\n\n"
                "如果这不是您本人的操作，请忽略本邮件，您的账号不受影响。"
            ),
        )
        audit.record(session, actor=None, action="user.register_taken", entity_type="user", entity_id=existing.id)
        return
    fields = {
        "display_name": data.display_name,
        "organization": data.organization,
        "phone": data.phone,
        "role": data.role,
        "password_hash": password_hash,
    }
    if existing is not None:
        # The mailbox's owner decides which registration becomes the account; an open form of it is stale now.
        user = existing
        with changes.tracked(session, user, actor=user, action="user.register"):
            for key, value in fields.items():
                setattr(user, key, value)
    else:
        user = User(email=email, **fields)
        changes.created(session, user, actor=user, action="user.register")  # its own actor
    send_verification(session, user=user)


def send_verification(session: Session, *, user: User) -> None:
    """Mail a fresh e-mail verification link (earlier ones stop working)."""
    hours = get_settings().email_verification_hours
    raw = _new_link_token(session, user=user, purpose=TokenPurpose.verify_email, lifetime=timedelta(hours=hours))
    mail.send(
        session,
        to=user.email,
        kind="verify_email",
        subject="请验证您的邮箱 - 合川火锅食材数字化平台",
        body=(
            f"{user.display_name}，您好！\n\n"
            f"请打开下面的链接验证邮箱，完成注册（{hours} 小时内有效，只能使用一次）：\n\n"
            f"{mail.public_url('/verify-email?token=' + raw)}\n\n"
            "验证后即可登录。如果这不是您本人的操作，请忽略本邮件，账号不会生效。"
        ),
    )


def verify_email(session: Session, *, raw: str) -> User | None:
    """Follow a verification link: the address is proven and the account may log in; None when the link is
    unknown, used, expired or the account disabled."""
    token = _take_link_token(session, raw=raw, purpose=TokenPurpose.verify_email)
    if token is None or not token.user.is_active:
        return None
    user = token.user
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.flush()
        audit.record(session, actor=user, action="user.verify_email", entity_type="user", entity_id=user.id)
    return user


def link_token_valid(session: Session, *, raw: str, purpose: str) -> bool:
    """Whether a mailed link still works (the page before the button that uses it)."""
    return _find_link_token(session, raw=raw, purpose=purpose) is not None


def _new_link_token(session: Session, *, user: User, purpose: str, lifetime: timedelta) -> str:
    now = utcnow()
    session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose, OneTimeToken.used_at.is_(None))
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    session.add(OneTimeToken(user_id=user.id, purpose=purpose, token_hash=token_digest(raw), expires_at=now + lifetime))
    session.flush()
    return raw


def _find_link_token(session: Session, *, raw: str, purpose: str, lock: bool = False) -> OneTimeToken | None:
    if not raw or len(raw) > 100:
        return None
    stmt = select(OneTimeToken).where(
        OneTimeToken.token_hash == token_digest(raw),
        OneTimeToken.purpose == purpose,
        OneTimeToken.used_at.is_(None),
        OneTimeToken.expires_at > utcnow(),
    )
    if lock:
        stmt = stmt.with_for_update(of=OneTimeToken)
    return session.scalar(stmt)


def _take_link_token(session: Session, *, raw: str, purpose: str) -> OneTimeToken | None:
    """Use a link once: the row is locked, so two clicks at once cannot both use it."""
    token = _find_link_token(session, raw=raw, purpose=purpose, lock=True)
    if token is not None:
        token.used_at = utcnow()
        session.flush()
    return token


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
        # The admin (or the CLI's operator) vouches for the address; a one-time password must be replaced.
        email_verified_at=utcnow(),
        must_change_password=generated is not None,
    )
    return user, generated


# --- login and rate limits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    error: str | None = None
    # Seconds until the next attempt is taken (429 with Retry-After).
    retry_after: int | None = None
    # The account needs a one-time code mailed to its owner before this browser may try its password.
    needs_code: bool = False
    # On success from a browser the account did not know: the device cookie to set.
    device_token: str | None = None


LOGIN_CODE_MINUTES = 15
LOGIN_CODE_RESEND_MINUTES = 10
LOGIN_CODE_MAX_GUESSES = 5


def _counter(session: Session, key: str) -> tuple[int, datetime | None]:
    """Lock the key's counter row (creating it, or starting a new window) and return (attempts, last attempt).

    The row stays locked until the transaction ends, so concurrent attempts on one key take turns: each sees
    the attempts of those before it, and no more than the limit get to check a password.
    """
    window = timedelta(minutes=get_settings().login_window_minutes)
    # The wall clock, not the transaction's start (now()): waits are compared with the time the answer is given.
    now = func.clock_timestamp()
    expired = LoginCounter.window_started_at < now - window
    stmt = (
        pg_insert(LoginCounter)
        .values(key=key, attempts=0, window_started_at=now)
        .on_conflict_do_update(
            index_elements=[LoginCounter.key],
            set_={
                "attempts": case((expired, 0), else_=LoginCounter.attempts),
                "window_started_at": case((expired, now), else_=LoginCounter.window_started_at),
            },
        )
        .returning(LoginCounter.attempts, LoginCounter.last_attempt_at)
    )
    attempts, last = session.execute(stmt).one()
    return attempts, last


def _count_attempt(session: Session, keys: list[str]) -> None:
    session.execute(
        update(LoginCounter)
        .where(LoginCounter.key.in_(keys))
        .values(attempts=LoginCounter.attempts + 1, last_attempt_at=func.clock_timestamp())
    )


def _wait(attempts: int, limit: int, last: datetime | None) -> int:
    """Seconds to wait before the next attempt: none below the limit, then a delay that doubles per attempt."""
    if attempts < limit or last is None:
        return 0
    s = get_settings()
    delay = min(s.login_delay_base_seconds * 2 ** (attempts - limit), s.login_window_minutes * 60)
    remaining = (last + timedelta(seconds=delay) - utcnow()).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0


def _known_device(session: Session, *, user: User | None, raw: str | None) -> KnownDevice | None:
    if user is None or not raw or len(raw) > 100:
        return None
    return session.scalar(
        select(KnownDevice).where(
            KnownDevice.token_hash == token_digest(raw),
            KnownDevice.user_id == user.id,
            KnownDevice.expires_at > utcnow(),
        )
    )


def _remember_device(session: Session, *, user: User, device: KnownDevice | None) -> str | None:
    """Mark this browser as the account's (a new token), or refresh the one it has; returns a new token."""
    now = utcnow()
    expires = now + timedelta(days=get_settings().known_device_days)
    if device is not None:
        device.last_used_at = now
        device.expires_at = expires
        return None
    raw = secrets.token_urlsafe(32)
    session.add(KnownDevice(token_hash=token_digest(raw), user_id=user.id, expires_at=expires))
    return raw


def forget_devices(session: Session, *, user_id: int, keep_device: str | None = None) -> None:
    stmt = delete(KnownDevice).where(KnownDevice.user_id == user_id)
    if keep_device:
        stmt = stmt.where(KnownDevice.token_hash != token_digest(keep_device))
    session.execute(stmt)


def _code_digest(user: User, code: str) -> str:
    return token_digest(f"{user.id}:{code.strip()}")


def _open_code(session: Session, user: User) -> OneTimeToken | None:
    return session.scalar(
        select(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == TokenPurpose.login_code,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > utcnow(),
        )
        .order_by(OneTimeToken.id.desc())
        .limit(1)
        .with_for_update(of=OneTimeToken)
    )


def _check_code(session: Session, user: User | None, code: str) -> bool:
    """Use the account's mailed login code; a few wrong guesses end it."""
    row = _open_code(session, user) if user is not None else None
    if row is None:
        return False
    if secrets.compare_digest(row.token_hash, _code_digest(user, code)):
        row.used_at = utcnow()
        return True
    row.failed_attempts += 1
    if row.failed_attempts >= LOGIN_CODE_MAX_GUESSES:
        row.used_at = utcnow()
    return False


def _send_code(session: Session, user: User | None) -> None:
    """Mail the owner a login code (at most one every few minutes, so the owner's mailbox is not flooded)."""
    if user is None or not user.is_active:
        return
    row = _open_code(session, user)
    if row is not None and row.created_at > utcnow() - timedelta(minutes=LOGIN_CODE_RESEND_MINUTES):
        return
    code = f"{secrets.randbelow(10**6):06d}"
    if row is not None:
        row.used_at = utcnow()
    session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=TokenPurpose.login_code,
            token_hash=_code_digest(user, code),
            expires_at=utcnow() + timedelta(minutes=LOGIN_CODE_MINUTES),
        )
    )
    ip = context.current().ip or "未知"
    mail.send(
        session,
        to=user.email,
        kind="login_code",
        subject=f"登录验证码 {code} - 合川火锅食材数字化平台",
        body=(
            f"{user.display_name}，您好！\n\n您的账号近期有多次登录失败。从一个新的设备或网络登录时，"
            f"请在登录页输入这个一次性验证码（{LOGIN_CODE_MINUTES} 分钟内有效）：\n\n    {code}\n\n"
            f"本次登录来自 IP 地址 {ip}。如果不是您本人在登录，请不要把验证码告诉任何人，"
            f"并考虑修改密码：{mail.public_url('/password/forgot')}"
        ),
    )
    session.flush()


def _retry_message(seconds: int) -> str:
    at = (utcnow() + timedelta(seconds=seconds)).astimezone(SHANGHAI).strftime("%H:%M:%S")
    return f"登录失败次数过多，请在 {at}（约 {_duration(seconds)}后）再试"


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    return f"{round(seconds / 60)} 分钟"


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str,
    device_token: str | None = None,
    code: str | None = None,
) -> LoginResult:
    """Check a login under limits that slow a guesser without locking the owner out.

    A browser that logged in to the account before (device cookie) is never limited. Otherwise attempts are
    counted per account at this address (after the limit: a delay that doubles each time), per address over
    all accounts (the same, unless the account logged in from this address before) and per account (past its
    limit, or after many attempts at one address, a browser the account does not know also needs a one-time
    code that is mailed to the owner). Counting is atomic: one locked counter row per key. The caller commits
    even on failure, so the counts persist.
    """
    s = get_settings()
    email = email.strip().lower()[:254]
    user = get_by_email(session, email)
    device = _known_device(session, user=user, raw=device_token)
    if device is None:
        keys = [f"a:{email}", f"i:{ip}", f"p:{email}|{ip}"]
        # Always locked in this order, so two logins never wait for each other's rows in a cycle.
        account, address, pair = (_counter(session, k) for k in keys)
        known_address = user is not None and _is_known_address(session, email=email, ip=ip)
        code_ok = bool(code) and _check_code(session, user, code)
        if not code_ok:
            wait = _wait(pair[0], s.login_max_failures_per_account_ip, pair[1])
            if not known_address:
                wait = max(wait, _wait(address[0], s.login_max_failures_per_ip, address[1]))
            if wait:
                return LoginResult(error=_retry_message(wait), retry_after=wait)
            needs_code = not known_address and (
                account[0] >= s.login_max_failures_per_account or pair[0] >= s.login_code_after_failures
            )
            if needs_code:
                if not code:
                    _send_code(session, user)
                message = (
                    "验证码不正确或已过期，请查看最新的验证码邮件"
                    if code
                    else "为保护账号安全，从新设备登录需要验证码：我们已向该账号的邮箱发送了一次性验证码"
                    f"（{LOGIN_CODE_MINUTES} 分钟内有效），请输入验证码和密码"
                )
                return LoginResult(error=message, needs_code=True)
        _count_attempt(session, keys)
    ok = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if not (user and ok and user.is_active and user.is_verified):
        session.add(LoginAttempt(email=email, ip=ip, succeeded=False))
        session.flush()
        if user and ok and not user.is_active:
            return LoginResult(error="该账号已停用，请联系管理员")
        if user and ok and not user.is_verified:
            _resend_verification(session, user)
            return LoginResult(error="邮箱尚未验证：我们已重新发送验证邮件，请点击邮件中的链接完成验证后再登录")
        return LoginResult(error="邮箱或密码不正确")
    session.add(LoginAttempt(email=email, ip=ip, succeeded=True))
    # The owner got in: this address starts afresh (the account's and the address's counts stay).
    session.execute(update(LoginCounter).where(LoginCounter.key == f"p:{email}|{ip}").values(attempts=0))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    new_device = _remember_device(session, user=user, device=device)
    session.flush()
    return LoginResult(user=user, device_token=new_device)


def _is_known_address(session: Session, *, email: str, ip: str) -> bool:
    """The account logged in from this address within the last KNOWN_ADDRESS_DAYS."""
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


def _resend_verification(session: Session, user: User) -> None:
    """Resend the verification link to an account that tried to log in unverified (at most every 5 minutes)."""
    recent = session.scalar(
        select(OneTimeToken.id).where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == TokenPurpose.verify_email,
            OneTimeToken.created_at > utcnow() - timedelta(minutes=5),
        )
    )
    if recent is None:
        send_verification(session, user=user)


def prune_login_attempts(session: Session) -> int:
    """Forget attempts older than the known-address horizon, counters of past windows, dead one-time tokens and
    expired devices; returns how many attempts went."""
    now = utcnow()
    cutoff = now - timedelta(days=KNOWN_ADDRESS_DAYS)
    window = timedelta(minutes=get_settings().login_window_minutes)
    session.execute(delete(LoginCounter).where(LoginCounter.window_started_at < now - 2 * window))
    session.execute(delete(OneTimeToken).where(OneTimeToken.expires_at < cutoff))
    session.execute(delete(KnownDevice).where(KnownDevice.expires_at < now))
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


def end_other_devices(session: Session, *, user: User, keep_token: str | None, keep_device: str | None) -> int:
    """ "Log out other devices": every other session ends, every API token is revoked, and other browsers are no
    longer known to the login limits. Returns how many sessions ended."""
    ended = end_all_sessions(session, user_id=user.id, keep_token=keep_token)
    revoked = revoke_all_api_tokens(session, user_id=user.id)
    forget_devices(session, user_id=user.id, keep_device=keep_device)
    audit.record(
        session,
        actor=user,
        action="session.end_others",
        entity_type="user",
        entity_id=user.id,
        after={"sessions_ended": ended, "api_tokens_revoked": revoked},
    )
    return ended


def _new_password_errors(data, *, email: str, current: str | None = None) -> dict[str, str]:
    """Every problem of a new password and its confirmation at once, each under its own field."""
    errors: dict[str, str] = {}
    problem = passwords.password_problem(data.new_password, email=email)
    if problem:
        errors["new_password"] = problem
    elif current is not None and data.new_password == current:
        errors["new_password"] = "新密码不能与当前密码相同"  # noqa: S105 - a field name, not a secret
    if data.new_password != data.new_password_confirm:
        errors["new_password_confirm"] = "两次输入的新密码不一致"  # noqa: S105 - a field name, not a secret
    return errors


def _set_password(
    session: Session, *, user: User, password: str, keep_token: str | None = None, keep_device: str | None = None
) -> dict:
    """Store a new password: every other session ends, every API token is revoked (a program holding one must
    get a new one with the new password), other browsers are forgotten, a forced change is done."""
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    ended = end_all_sessions(session, user_id=user.id, keep_token=keep_token)
    revoked = revoke_all_api_tokens(session, user_id=user.id)
    forget_devices(session, user_id=user.id, keep_device=keep_device)
    session.flush()
    return {"sessions_ended": ended, "api_tokens_revoked": revoked}


def change_password(
    session: Session,
    *,
    user: User,
    data: PasswordChangeIn,
    keep_token: str | None,
    keep_device: str | None = None,
) -> None:
    """Change one's own password; every other session ends and every API token is revoked."""
    errors = {}
    if not passwords.verify_password(user.password_hash, data.current_password):
        errors["current_password"] = "当前密码不正确"  # noqa: S105 - a field name, not a secret
    errors.update(_new_password_errors(data, email=user.email, current=data.current_password))
    if errors:
        raise FieldErrors(errors)
    forced = user.must_change_password
    counts = _set_password(
        session, user=user, password=data.new_password, keep_token=keep_token, keep_device=keep_device
    )
    audit.record(
        session,
        actor=user,
        action="user.password_change",
        entity_type="user",
        entity_id=user.id,
        after={**counts, "forced": forced},
    )


# --- password reset --------------------------------------------------------------------------------------------


RESET_RESEND_SECONDS = 60


def request_password_reset(session: Session, *, email: str, actor: User | None = None) -> bool:
    """Mail a reset link to the account of this address; nothing for an unknown or disabled one (the page answers
    the same either way). actor is the admin who asked for it, None for 忘记密码. True when a mail was queued."""
    user = get_by_email(session, email[:254])
    if user is None or not user.is_active:
        return False
    recent = session.scalar(
        select(OneTimeToken.id).where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == TokenPurpose.reset_password,
            OneTimeToken.created_at > utcnow() - timedelta(seconds=RESET_RESEND_SECONDS),
        )
    )
    if recent is not None and actor is None:
        return False  # one a minute is enough; this keeps a stranger from filling the owner's mailbox
    minutes = get_settings().password_reset_minutes
    raw = _new_link_token(session, user=user, purpose=TokenPurpose.reset_password, lifetime=timedelta(minutes=minutes))
    who = "平台管理员为您的账号发起了密码重置。" if actor is not None else "有人（可能是您本人）申请重置此账号的密码。"
    mail.send(
        session,
        to=user.email,
        kind="reset_password",
        subject="重置密码 - 合川火锅食材数字化平台",
        body=(
            f"{user.display_name}，您好！\n\n{who}"
            f"请打开下面的链接设置新密码（{minutes} 分钟内有效，只能使用一次）：\n\n"
            f"{mail.public_url('/password/reset?token=' + raw)}\n\n"
            "设置新密码后，所有设备上的登录和 API 令牌都会失效。如果您没有申请，请忽略本邮件，原密码仍然有效。"
        ),
    )
    audit.record(
        session,
        actor=actor or user,
        action="user.password_reset_request",
        entity_type="user",
        entity_id=user.id,
        after={"by_admin": actor is not None},
    )
    return True


def reset_password(session: Session, *, raw: str, data: PasswordResetIn) -> User:
    """Set a new password with a mailed reset link; the link also proves the address."""
    token = _find_link_token(session, raw=raw, purpose=TokenPurpose.reset_password, lock=True)
    if token is None or not token.user.is_active:
        raise FieldErrors({"__all__": "重置链接无效或已过期，请重新申请"})
    user = token.user
    errors = _new_password_errors(data, email=user.email)
    if errors:
        raise FieldErrors(errors)
    token.used_at = utcnow()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    counts = _set_password(session, user=user, password=data.new_password)
    audit.record(session, actor=user, action="user.password_reset", entity_type="user", entity_id=user.id, after=counts)
    return user


def admin_reset_password(session: Session, *, actor: User | None, user: User, mode: str) -> str | None:
    """An admin (None: the CLI) resets someone's password: "link" mails a reset link; "password" sets a one-time
    password (shown once, returned) that must be changed at the next login, and ends every session and API token."""
    if actor is not None and user.id == actor.id:
        raise FieldErrors({"__all__": "请在“我的账号”中修改自己的密码"})
    if mode == "link":
        if not user.is_active:
            raise FieldErrors({"__all__": "该账号已停用，请先启用"})
        request_password_reset(session, email=user.email, actor=actor)
        return None
    password = random_password()
    counts = _set_password(session, user=user, password=password)
    user.must_change_password = True
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.password_reset_by_admin",
        entity_type="user",
        entity_id=user.id,
        after={**counts, "one_time_password": True},
    )
    return password


# --- API tokens ------------------------------------------------------------------------------------------------


def issue_api_token(session: Session, *, user: User, name: str) -> tuple[str, ApiToken]:
    raw = "hp_" + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=token_digest(raw),
        user_id=user.id,
        name=name[:100],
        expires_at=utcnow() + timedelta(days=get_settings().api_token_days),
    )
    changes.created(session, token, actor=user, action="api_token.issue")
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


def revoke_all_api_tokens(session: Session, *, user_id: int) -> int:
    stmt = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    return session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0


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
    with changes.tracked(session, user, actor=actor, action=action, version=version):
        change(user)
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
        revoke_all_api_tokens(session, user_id=user.id)
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
