"""A live server on loopback and a headless Chromium, for the browser journeys.

Without a browser these tests skip and say how to get one, unless HOTPOT_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import demo_database

HOW_TO_GET_ONE = (
    "no browser for Playwright: install Debian's Chromium and a CJK font "
    "(apt-get install chromium fonts-wqy-microhei), or run `playwright install chromium` where downloads work"
)


def _require() -> bool:
    return os.environ.get("HOTPOT_REQUIRE_BROWSER") == "1"


def _skip_or_fail(reason: str):
    if _require():
        pytest.fail(f"HOTPOT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _skip_or_fail("the playwright package is not installed (pip install -e '.[dev]')")
    executable = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
    )
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
    ]
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=executable, args=args) if executable else p.chromium.launch(args=args)
        except Error as exc:
            _skip_or_fail(f"{HOW_TO_GET_ONE} ({str(exc).splitlines()[0]})")
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(server_url, demo_template, tmp_path_factory):
    """The real app in its own process, on a database of its own with reference data and demo accounts."""
    url = demo_database(server_url, demo_template, "hotpot_browser")
    port = _free_port()
    # Demo mode, as `make demo` runs it: mail stays in the outbox and /dev/outbox shows it.
    env = {**os.environ, "HOTPOT_DATABASE_URL": url, "HOTPOT_PORT": str(port), "HOTPOT_DEMO": "1"}
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hotpot.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    # Generous: on a shared, loaded machine importing the app alone can take 15 s.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.2)
    else:
        proc.terminate()
        raise RuntimeError("live server did not start:\n" + log.read_text())
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(10000)
    yield pg
    context.close()


def screenshot(pg, name: str) -> None:
    """Keep a screenshot when HOTPOT_SCREENSHOTS names a folder (to look at the pages)."""
    folder = os.environ.get("HOTPOT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in(pg, base: str, email: str, password: str) -> None:
    """Log in through the login form (the header's search box has a submit button too: aim at the form)."""
    pg.goto(base + "/login")
    pg.fill("#id_email", email)
    pg.fill("#id_password", password)
    pg.click("form[action='/login'] button[type=submit]")


def open_mailed_link(pg, base: str, email: str, button: str | None = None) -> None:
    """Open the newest link mailed to `email`, through the demo outbox page (the mail is never mocked)."""
    pg.goto(base + "/dev/outbox?q=" + email)
    pg.locator(".outbox-mail").first.locator("a.outbox-link").first.click()
    if button:
        pg.click(f"button:has-text('{button}')")


def register_and_verify(pg, base: str, *, role: str, email: str, name: str, organization: str, password: str) -> None:
    """Register through the form, then follow the verification mail: the account is logged in and has landed."""
    pg.goto(base + f"/register?role={role}")
    pg.fill("#id_email", email)
    pg.fill("#id_display_name", name)
    pg.fill("#id_organization", organization)
    pg.fill("#id_password", password)
    pg.fill("#id_password_confirm", password)
    pg.check("input[name=agree]")
    pg.click("form[action='/register'] button[type=submit]")
    pg.locator("h1", has_text="请查收验证邮件").wait_for()
    open_mailed_link(pg, base, email, button="验证并登录")
