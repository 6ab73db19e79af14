"""A whole 爆品 batch in a browser (issue 13, "Done when"): staff creates a batch with a rubric; three producers apply
(one ineligible, with the reasons shown); screening returns one for a fix and it resubmits; the automatic draw avoids
a declared conflict; experts score (one revises); discussion; ranking; decisions; public notice with one objection
handled; publication; the producer sees the decision; incubation milestones; graduation; the showcase.

The scene (accounts, verified enterprises, published products, SC licences, experts) is written through the
registry's builders on the live server's database; every step of the batch itself goes through the pages. People
are signed in by a session opened for them (the login form itself is tested elsewhere and is rate-limited per
address). Screenshots at the key steps, at 1280 and 375 px, when HOTPOT_SCREENSHOTS names a folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from hotpot import pg
from hotpot.auth import service as auth_service
from hotpot.auth.models import User
from hotpot.deps import SESSION_COOKIE
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
STAFF = "reviewer@hotpot.example"
BUYER = "buyer@hotpot.example"


def _database_url(server_url: str) -> str:
    """The live server's database (tests/browser/conftest.py creates it with this name)."""
    name = "hotpot_browser"
    configured = os.environ.get("HOTPOT_TEST_DATABASE_URL")
    if configured:
        name = f"{pg.make_url(pg.normalize_url(configured)).database}_{name}"
    return pg.with_database(server_url, name)


@dataclass
class Maker:
    key: str
    email: str
    enterprise_id: int
    product_id: int
    product: str


@dataclass
class Scene:
    url: str
    makers: dict[str, Maker] = field(default_factory=dict)
    experts: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def scene(live_server, server_url) -> Scene:
    """Three producers (A and B eligible; C's SC licence has expired) and three experts of the walk's own."""
    from hotpot.hitpool.models import Expert
    from tests.auth.builders import make_user
    from tests.certificates.builders import make_certificate
    from tests.enterprises.builders import make_enterprise, make_product

    url = _database_url(server_url)
    out = Scene(url=url)
    engine = create_engine(url)
    today = date.today()
    plan = (
        ("A", "walk.maker.a@hotpot.example", "重庆走查毛肚食品有限公司", "走查毛肚", "maodu", "走查千层毛肚"),
        ("B", "walk.maker.b@hotpot.example", "重庆走查调味品有限公司", "走查调味", "niuyou-diliao", "走查牛油底料"),
        ("C", "walk.maker.c@hotpot.example", "重庆走查鸭肠食品有限公司", "走查鸭肠", "yachang", "走查鲜鸭肠"),
    )
    with Session(engine) as s:
        for key, email, name, short, category, product in plan:
            owner = make_user(s, role="producer", email=email, display_name=f"走查厂长{key}", organization=name)
            enterprise = make_enterprise(s, owner=owner, name=name, short_name=short)
            p = make_product(s, enterprise=enterprise, category=category, name=product)
            if key == "C":  # an expired licence: not eligible
                make_certificate(
                    s,
                    enterprise=enterprise,
                    issued_on=(today - timedelta(days=1500)).isoformat(),
                    valid_until=(today - timedelta(days=20)).isoformat(),
                )
            else:
                number = f"SC1{31 if key == 'A' else '03'}500117{ord(key):04d}1"
                make_certificate(s, enterprise=enterprise, number=number)
            out.makers[key] = Maker(key, email, enterprise.id, p.id, product)
        for n, fields in enumerate((["shuifa", "quality"], ["tiaoweiliao", "marketing"], ["shuifa", "rou"]), start=1):
            email = f"walk.expert{n}@hotpot.example"
            user = make_user(s, role="expert", email=email, display_name=f"走查专家{n}", organization="走查研究院")
            s.add(
                Expert(user_id=user.id, name=f"走查专家{n}", organization="走查研究院", title="研究员", fields=fields)
            )
            out.experts.append(email)
        s.commit()
    engine.dispose()
    return out


def signed_in(browser, live_server: str, scene: Scene, email: str, *, viewport=DESKTOP):
    """A page of a new browser context with a session opened for email (as a login would)."""
    engine = create_engine(scene.url)
    with Session(engine) as s:
        user = s.scalars(select(User).where(User.email == email)).one()
        token = auth_service.start_session(s, user=user)
        s.commit()
    engine.dispose()
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
    page = ctx.new_page()
    page.set_default_timeout(10000)
    return page


def both_widths(page, name: str) -> None:
    """Screenshots at 1280 and at 375 px; at 375 the page is no wider than the phone."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"walk-{name}-1280")
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, f"walk-{name}-375")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{name}: {width}px wide at 375px"


def _pool_is_there(live_server: str) -> bool:
    import httpx

    return httpx.get(live_server + "/showcase", timeout=10).status_code != 404


def test_a_whole_batch(browser, live_server, scene):
    if not _pool_is_there(live_server):
        pytest.skip("the pool's pages are not on this branch yet (the area branches are merged into main)")
    staff = signed_in(browser, live_server, scene, STAFF)
    base = live_server

    # 1. Staff creates a batch with a rubric (/pool/batches/new) and opens it.
    staff.goto(base + "/pool/batches/new")
    expect(staff.locator("h1")).to_contain_text(re.compile("批次"))
    pytest.skip("phase 2: the steps are filled in from the real templates once the areas are merged")
