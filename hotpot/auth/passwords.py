"""Password hashing (Argon2id) and the password rules."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hotpot.config import get_settings

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(
        time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_cost, parallelism=s.argon2_parallelism
    )


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


# A hash of a random password: verifying against it when the account does not exist keeps the response time
# the same, so timing does not reveal which e-mail addresses have accounts.
@cache
def dummy_hash() -> str:
    return hash_password("dummy-password-for-timing")


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Return why a new password is not acceptable (in Chinese), or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符"
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) < 3:
        return "这个密码太常见，容易被猜到，请换一个"
    if email and lowered in (email.lower(), email.split("@")[0].lower()):
        return "密码不能与邮箱相同"
    return None
