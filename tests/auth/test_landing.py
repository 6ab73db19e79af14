"""Where each role lands after logging in, and how signed-in devices are shown."""

from __future__ import annotations

import pytest

from hotpot.auth import devices
from tests.auth.builders import PASSWORD, make_user
from tests.enterprises.builders import make_enterprise, owner_of


def _login(client, email: str, **extra) -> str:
    client.get("/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD, **extra})
    assert response.status_code == 303
    return response.headers["location"]


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("buyer", "/search"),
        ("reviewer", "/verify/enterprises"),
        ("admin", "/admin/users"),
        ("producer", "/my/enterprise/new"),
    ],
)
def test_each_role_lands_where_its_work_is(client, db, role, landing):
    """Issue 9: everyone landed on /account after login or registration."""
    user = make_user(db, role=role)
    assert _login(client, user.email) == landing
    # Already logged in, the login page sends there too.
    assert client.get("/login").headers["location"] == landing


def test_producer_with_an_enterprise_lands_on_its_dashboard(client, db):
    owner = owner_of(db, make_enterprise(db))
    assert _login(client, owner.email) == "/my/enterprise"


def test_a_safe_next_wins_over_the_landing(client, db):
    user = make_user(db, role="buyer")
    assert _login(client, user.email, next="/inquiries") == "/inquiries"
    client.post("/logout")
    assert _login(client, user.email, next="https://evil.example/") == "/search"


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "Chrome · Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "Edge · Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 MicroMessenger/8.0.44",
            "微信 · iOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Safari/605.1.15",
            "Safari · macOS",
        ),
        ("Mozilla/5.0 (Android 14; Mobile; rv:120.0) Gecko/120.0 Firefox/120.0", "Firefox · Android"),
        (None, "未知设备"),
        ("", "未知设备"),
    ],
)
def test_devices_are_named_in_words(agent, label):
    assert devices.describe(agent) == label


def test_account_page_shows_devices_in_words_with_the_date(client, db):
    """Issue 9: /account showed a raw user-agent string."""
    user = make_user(db)
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
    client.headers["User-Agent"] = agent
    _login(client, user.email)
    html = client.get("/account").text
    assert "Chrome · Linux" in html
    assert "AppleWebKit" not in html
    assert "登录于" in html
    assert "年" in html.split("登录于")[1][:30]
