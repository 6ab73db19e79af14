"""CSRF, rate limits, security headers, disabled accounts."""

from __future__ import annotations

import re

from sqlalchemy import select

from hotpot.auth import service
from hotpot.auth.models import LoginAttempt
from hotpot.config import get_settings
from tests.auth.builders import PASSWORD, log_in, mails_to, make_user


def test_csrf_missing_token_refused(raw_client, db):
    user = make_user(db)
    raw_client.get("/login")
    response = raw_client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "安全校验失败" in response.text
    assert "hotpot_session" not in response.cookies


def test_csrf_wrong_token_refused(raw_client, db):
    user = make_user(db)
    raw_client.get("/login")
    response = raw_client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "x" * 43})
    assert response.status_code == 403
    header = raw_client.post("/logout", headers={"X-CSRF-Token": "wrong-token-wrong-token"})
    assert header.status_code == 403


def test_csrf_form_field_and_header_accepted(raw_client, db):
    user = make_user(db)
    raw_client.get("/login")
    token = raw_client.cookies.get("hotpot_csrf")
    ok = raw_client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 303
    new_token = raw_client.cookies.get("hotpot_csrf")
    assert new_token
    assert new_token != token
    assert raw_client.post("/logout", headers={"X-CSRF-Token": new_token}).status_code == 303


def test_csrf_cross_site_request_refused_even_with_token(raw_client, db):
    user = make_user(db)
    raw_client.get("/login")
    token = raw_client.cookies.get("hotpot_csrf")
    response = raw_client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403


def test_get_never_changes_state(client, db):
    user = make_user(db)
    log_in(client, user.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_login_rate_limited_per_account_and_address(client, db):
    user = make_user(db)
    limit = get_settings().login_max_failures_per_account_ip
    for _ in range(limit):
        r = client.post("/login", data={"email": user.email, "password": "Wrong-Password-1"})
        assert r.status_code == 401
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in blocked.text
    # Another account from the same address is not affected by this account's failures.
    other = make_user(db)
    log_in(client, other.email)


def test_api_token_endpoint_rate_limited(client, db):
    user = make_user(db)
    for _ in range(get_settings().login_max_failures_per_account_ip):
        r = client.post("/api/v1/auth/token", data={"username": user.email, "password": "nope-nope-1"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert "Retry-After" in r.headers


def test_attacker_cannot_lock_owner_out_from_a_known_address(db):
    user = make_user(db)
    assert service.authenticate(db, email=user.email, password=PASSWORD, ip="10.0.0.7").user is not None
    settings = get_settings()
    for i in range(settings.login_max_failures_per_account + 5):
        service.authenticate(db, email=user.email, password="guess-guess-1", ip=f"198.51.100.{i % 250}")
    # From a new address the account now needs the one-time code mailed to its owner (not a flat refusal)...
    blocked = service.authenticate(db, email=user.email, password=PASSWORD, ip="203.0.113.9")
    assert blocked.user is None
    assert blocked.needs_code
    (mail,) = mails_to(db, user.email, "login_code")
    code = re.search(r"\b(\d{6})\b", mail.body).group(1)
    with_code = service.authenticate(db, email=user.email, password=PASSWORD, ip="203.0.113.9", code=code)
    assert with_code.user is not None
    # ...and its owner, from an address they used before, still gets in without one.
    assert service.authenticate(db, email=user.email, password=PASSWORD, ip="10.0.0.7").user is not None


def test_failed_attempts_are_recorded_even_though_login_failed(client, db):
    user = make_user(db)
    client.post("/login", data={"email": user.email, "password": "Wrong-Password-1"})
    rows = db.scalars(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()
    assert [r.succeeded for r in rows] == [False]


def test_security_headers_on_every_response(client, db):
    for path in ("/", "/login", "/nope", "/healthz", "/api/v1/me", "/static/css/app.css"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, path
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src, path
        assert "unsafe-eval" not in script_src, path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert r.headers["x-request-id"], path


def test_pages_behind_login_are_not_cached(client, db):
    user = make_user(db)
    assert client.get("/").headers["cache-control"] != "no-store"
    log_in(client, user.email)
    assert client.get("/account").headers["cache-control"] == "no-store"
    assert client.get("/").headers["cache-control"] == "no-store"  # personalised header


def test_pages_have_no_inline_scripts(client, db):
    user = make_user(db, role="admin")
    log_in(client, user.email)
    for path in ("/", "/account", "/admin/users", "/admin/users/new", "/admin/audit"):
        html = client.get(path).text
        for inline in ("<script>", "onclick=", "style="):
            assert inline not in html, (path, inline)


def test_disabled_account_sessions_end_and_login_refused(client, make_client, db):
    admin = make_user(db, role="admin")
    victim = make_user(db, role="producer")
    victim_client = make_client()
    log_in(victim_client, victim.email)
    assert victim_client.get("/account").status_code == 200
    log_in(client, admin.email)
    r = client.post(f"/admin/users/{victim.id}/disable", data={"version": victim.version})
    assert r.status_code == 303
    assert victim_client.get("/account").status_code == 303
    again = victim_client.post("/login", data={"email": victim.email, "password": PASSWORD})
    assert again.status_code == 401
    assert "已停用" in again.text
