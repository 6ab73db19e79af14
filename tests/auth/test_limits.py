"""Login limits: atomic under concurrency, a growing delay for strangers, never a flat lockout of the owner."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import sessionmaker

from hotpot import migrate
from hotpot.auth import passwords, service
from hotpot.auth.models import LoginCounter
from hotpot.config import get_settings
from hotpot.db import transaction, utcnow
from tests.auth.builders import PASSWORD, log_in, mails_to, make_user
from tests.conftest import fresh_database

WRONG = "Wrong-Password-1"


@pytest.fixture(scope="module")
def race_engine(server_url):
    """A database of its own whose rows are committed: the racing logins run on real, separate connections."""
    url = fresh_database(server_url, "hotpot_login_race")
    migrate.upgrade(url)
    engine = create_engine(url, pool_size=45, max_overflow=5)
    yield engine
    engine.dispose()


def test_forty_simultaneous_attempts_check_at_most_the_limit(race_engine, monkeypatch):
    """Issue 8: 40 simultaneous attempts checked 20 passwords against a limit of 5 (the counter was not atomic)."""
    factory = sessionmaker(bind=race_engine, expire_on_commit=False)
    with transaction(factory) as session:
        user = make_user(session, email="race@hotpot.example")
        email = user.email
    checks = 0
    lock = threading.Lock()
    real_verify = passwords.verify_password

    def counting_verify(password_hash: str, password: str) -> bool:
        nonlocal checks
        with lock:
            checks += 1
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting_verify)
    n = 40
    barrier = threading.Barrier(n)
    results: list = []
    errors: list = []

    def attempt() -> None:
        try:
            barrier.wait(timeout=30)
            with transaction(factory) as session:
                results.append(service.authenticate(session, email=email, password=WRONG, ip="198.51.100.40"))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert len(results) == n
    limit = get_settings().login_max_failures_per_account_ip
    assert checks <= limit, f"{checks} passwords checked against a limit of {limit}"
    assert checks == limit  # and the limit itself was reached, not something lower
    assert sum(1 for r in results if r.retry_after) == n - limit


def _fail(client, email: str, times: int) -> None:
    for _ in range(times):
        assert client.post("/login", data={"email": email, "password": WRONG}).status_code == 401


def test_delay_grows_and_says_when_to_retry(client, db):
    user = make_user(db)
    limit = get_settings().login_max_failures_per_account_ip
    _fail(client, user.email, limit)
    first = client.post("/login", data={"email": user.email, "password": WRONG})
    assert first.status_code == 429
    wait = int(first.headers["Retry-After"])
    assert 20 <= wait <= 31
    assert re.search(r"请在 \d\d:\d\d:\d\d（约 \d+ 秒后）再试", first.text)
    # After the wait the next attempt is checked; when it fails too, the wait doubles.
    key = f"p:{user.email}|testclient"
    db.execute(
        update(LoginCounter)
        .where(LoginCounter.key == key)
        .values(last_attempt_at=utcnow() - timedelta(seconds=wait + 2))
    )
    assert client.post("/login", data={"email": user.email, "password": WRONG}).status_code == 401
    second = client.post("/login", data={"email": user.email, "password": WRONG})
    assert second.status_code == 429
    assert 50 <= int(second.headers["Retry-After"]) <= 61


def test_owner_on_a_known_device_passes_after_wrong_passwords(client, db):
    """Issue 8: five wrong passwords from one address also refused the right password from that address."""
    user = make_user(db)
    log_in(client, user.email)
    assert client.cookies.get("hotpot_device")
    client.post("/logout")
    _fail(client, user.email, get_settings().login_max_failures_per_account_ip + 3)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303


def test_many_failures_from_an_address_do_not_block_the_accounts_known_there(db):
    """Issue 8: 50 failures on any accounts blocked every login from that address."""
    owner = make_user(db)
    stranger = make_user(db)
    office = "203.0.113.50"
    assert service.authenticate(db, email=owner.email, password=PASSWORD, ip=office).user is not None
    for i in range(get_settings().login_max_failures_per_ip + 2):
        service.authenticate(db, email=f"guess{i}@hotpot.example", password=WRONG, ip=office)
    # The owner logged in from this office before: in, even without the device cookie.
    assert service.authenticate(db, email=owner.email, password=PASSWORD, ip=office).user is not None
    # An account never seen at this address is slowed (a delay, with a time to retry), not refused for good.
    slowed = service.authenticate(db, email=stranger.email, password=PASSWORD, ip=office)
    assert slowed.user is None
    assert 0 < slowed.retry_after <= get_settings().login_window_minutes * 60 + 1


def test_flooded_account_asks_a_new_browser_for_the_mailed_code(client, make_client, db):
    user = make_user(db)
    for i in range(get_settings().login_max_failures_per_account + 1):
        service.authenticate(db, email=user.email, password=WRONG, ip=f"198.51.100.{i}")
    owner = make_client()
    asked = owner.post("/login", data={"email": user.email, "password": PASSWORD})
    assert asked.status_code == 401
    assert 'id="id_code"' in asked.text
    assert "邮箱验证码" in asked.text
    # A stranger's flood sends at most one code every few minutes.
    owner.post("/login", data={"email": user.email, "password": PASSWORD})
    (mail,) = mails_to(db, user.email, "login_code")
    code = re.search(r"\b(\d{6})\b", mail.body).group(1)
    guess = "111111" if code != "111111" else "222222"
    wrong = owner.post("/login", data={"email": user.email, "password": PASSWORD, "code": guess})
    assert wrong.status_code == 401
    assert "验证码不正确" in wrong.text
    ok = owner.post("/login", data={"email": user.email, "password": PASSWORD, "code": code})
    assert ok.status_code == 303
    # The code is used up, and this browser is now known: no code next time.
    owner.post("/logout")
    assert owner.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303


def test_unknown_account_is_asked_for_a_code_like_a_known_one(client, db):
    """The challenge does not tell whether the account exists (no mail goes out for a missing one)."""
    user = make_user(db)
    for who in (user.email, "ghost@hotpot.example"):
        for i in range(get_settings().login_max_failures_per_account + 1):
            service.authenticate(db, email=who, password=WRONG, ip=f"192.0.2.{i}")
    real = client.post("/login", data={"email": user.email, "password": WRONG})
    ghost = client.post("/login", data={"email": "ghost@hotpot.example", "password": WRONG})
    assert real.status_code == ghost.status_code == 401
    assert real.text.replace(user.email, "X").count("一次性验证码") == ghost.text.count("一次性验证码") == 1
    assert mails_to(db, "ghost@hotpot.example") == []


def test_a_code_dies_after_a_few_wrong_guesses(db):
    user = make_user(db)
    for i in range(get_settings().login_max_failures_per_account + 1):
        service.authenticate(db, email=user.email, password=WRONG, ip=f"198.51.100.{i}")
    service.authenticate(db, email=user.email, password=PASSWORD, ip="192.0.2.99")
    (mail,) = mails_to(db, user.email, "login_code")
    code = re.search(r"\b(\d{6})\b", mail.body).group(1)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(service.LOGIN_CODE_MAX_GUESSES):
        assert service.authenticate(db, email=user.email, password=PASSWORD, ip="192.0.2.99", code=wrong).needs_code
    late = service.authenticate(db, email=user.email, password=PASSWORD, ip="192.0.2.99", code=code)
    assert late.user is None
    assert late.needs_code


def test_counters_are_one_row_per_key(db):
    user = make_user(db)
    for _ in range(3):
        service.authenticate(db, email=user.email, password=WRONG, ip="192.0.2.7")
    rows = db.execute(select(LoginCounter.key, LoginCounter.attempts).where(LoginCounter.key.like(f"%{user.email}%")))
    assert dict(rows.all()) == {f"a:{user.email}": 3, f"p:{user.email}|192.0.2.7": 3}


def test_prune_forgets_old_counters_and_keeps_current_ones(db):
    user = make_user(db)
    service.authenticate(db, email=user.email, password=WRONG, ip="192.0.2.8")
    old = utcnow() - timedelta(days=1)
    db.execute(update(LoginCounter).where(LoginCounter.key == f"a:{user.email}").values(window_started_at=old))
    service.prune_login_attempts(db)
    keys = set(db.scalars(select(LoginCounter.key).where(LoginCounter.key.like(f"%{user.email}%"))))
    assert keys == {f"p:{user.email}|192.0.2.8"}
