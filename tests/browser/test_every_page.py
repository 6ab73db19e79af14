"""Every HTML page of the route table, as the role that can see it: no wider than a phone, no console errors.

At 375x812 the document may not be wider than the viewport (a table may scroll inside its own box, the page may not);
at 375x812 and 1280x800 the console shows no error and the page throws none. A GET route that is not in PAGES or
SKIPS fails the coverage test, so a new page is checked from the day it exists.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from hotpot import pg
from hotpot.deps import api_routes
from hotpot.main import create_app
from tests.auth.builders import link_in, mails_to
from tests.browser.conftest import log_in, register_and_verify, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

ACCOUNTS = {
    "admin": ("admin@hotpot.example", "Hotpot-Admin-2026"),
    "reviewer": ("reviewer@hotpot.example", "Hotpot-Review-2026"),
    "producer": ("producer@hotpot.example", "Hotpot-Maker-2026"),
    "buyer": ("buyer@hotpot.example", "Hotpot-Buyer-2026"),
    "expert": ("expert@hotpot.example", "Hotpot-Expert-2026"),
}

# GET routes that are not HTML pages, and why they are not walked.
SKIPS: dict[str, str] = {
    "/healthz": "JSON for monitors (the page for people is /status)",
    "/openapi.json": "JSON schema",
    "/my/enterprise/check": "htmx fragment: the instant check of one form field",
    "/search/suggest": "htmx fragment: the suggestion list under a search box",
    "/files/{file_id}": "a stored file, served as an attachment",
    "/certificates/{cert_id}/scan": "a certificate scan, served as an attachment",
    "/enterprises/{enterprise_id}/logo": "an image",
    "/brands/{brand_id}/logo": "an image",
    "/enterprises/{enterprise_id}/licence": "a business licence scan, served as an attachment",
    "/products/{product_id}/photos/{photo_id}": "an image",
    "/products/{product_id}/photos/{photo_id}/thumb": "an image",
    "/bases/{base_id}/photos/{photo_id}": "an image",
    "/bases/{base_id}/photos/{photo_id}/thumb": "an image",
    "/review/{rest:path}": "the desk's old address: a 301 to the same page under /verify/ (tests/verification)",
    # hitpool decisions
    "/pool/batches/{batch_id}/ranking.xlsx": "the ranking as an XLSX download (tests/hitpool/test_exports.py)",
    "/pool/batches/{batch_id}/decisions.xlsx": "the decision list as an XLSX download (tests/hitpool/test_exports.py)",
    # hitpool candidates
    "/pool/candidates/{candidate_id}/files/{file_id}": "a supporting file of an application, served as an attachment",
    # hitpool incubation
    "/pool/plans/{plan_id}/evidence/{update_id}": "a progress update's evidence file, served as an attachment",
}

# Route path -> (role that sees it, example path with {ids} from the demo data). "anonymous" is not logged in.
PAGES: dict[str, tuple[str, str]] = {
    "/": ("anonymous", "/"),
    "/register": ("anonymous", "/register"),
    "/login": ("anonymous", "/login"),
    "/status": ("anonymous", "/status"),
    "/privacy": ("anonymous", "/privacy"),
    "/terms": ("anonymous", "/terms"),
    "/contact": ("anonymous", "/contact"),
    "/docs": ("anonymous", "/docs"),
    "/verify-email": ("anonymous", "{verify_link}"),
    "/password/forgot": ("anonymous", "/password/forgot"),
    "/password/reset": ("anonymous", "{reset_link}"),
    "/account/password": ("buyer", "/account/password"),
    "/dev/outbox": ("anonymous", "/dev/outbox"),
    "/account": ("buyer", "/account"),
    "/admin/users": ("admin", "/admin/users"),
    "/admin/users/new": ("admin", "/admin/users/new"),
    "/admin/audit": ("admin", "/admin/audit"),
    "/admin/jobs": ("admin", "/admin/jobs"),
    "/admin/search": ("admin", "/admin/search"),
    "/admin/search/synonyms/{group_id}/edit": ("admin", "/admin/search/synonyms/{synonym}/edit"),
    "/my/enterprise": ("producer", "/my/enterprise"),
    "/my/enterprise/new": ("fresh_producer", "/my/enterprise/new"),
    "/my/enterprise/edit": ("producer", "/my/enterprise/edit"),
    "/enterprises": ("anonymous", "/enterprises"),
    "/enterprises/{enterprise_id}": ("anonymous", "/enterprises/{enterprise}"),
    "/verify/enterprises": ("reviewer", "/verify/enterprises"),
    "/verify/enterprises/{enterprise_id}": ("reviewer", "/verify/enterprises/{pending_enterprise}"),
    "/my/products/new": ("producer", "/my/products/new"),
    "/my/products/{product_id}/edit": ("producer", "/my/products/{product}/edit"),
    "/products": ("anonymous", "/products"),
    "/products/{product_id}": ("anonymous", "/products/{product}"),
    "/my/bases/new": ("producer", "/my/bases/new"),
    "/my/bases/{base_id}/edit": ("producer", "/my/bases/{base}/edit"),
    "/bases": ("anonymous", "/bases"),
    "/bases/{base_id}": ("anonymous", "/bases/{public_base}"),
    "/verify/bases": ("reviewer", "/verify/bases"),
    "/verify/bases/{base_id}": ("reviewer", "/verify/bases/{base}"),
    "/my/certificates/new": ("producer", "/my/certificates/new"),
    "/my/certificates/{cert_id}/edit": ("producer", "/my/certificates/{cert}/edit"),
    "/verify/certificates": ("reviewer", "/verify/certificates"),
    "/verify/certificates/{cert_id}": ("reviewer", "/verify/certificates/{cert}"),
    "/brands": ("anonymous", "/brands"),
    "/brands/new": ("producer", "/brands/new"),
    "/brands/{brand_id}": ("anonymous", "/brands/{regional_brand}"),
    "/brands/{brand_id}/edit": ("reviewer", "/brands/{regional_brand}/edit"),
    "/history/{entity_type}/{entity_id}": ("reviewer", "/history/product/{product}"),
    "/enterprises/{enterprise_id}/inquire": ("buyer", "/enterprises/{enterprise}/inquire"),
    "/inquiries": ("buyer", "/inquiries"),
    "/inquiries/{inquiry_id}": ("buyer", "/inquiries/{inquiry}"),
    "/search": ("anonymous", "/search?q=毛肚"),
    # hitpool batches
    "/pool": ("reviewer", "/pool"),
    "/pool/batches/new": ("reviewer", "/pool/batches/new"),
    "/pool/batches/{batch_id}": ("reviewer", "/pool/batches/{hit_batch}"),
    "/pool/batches/{batch_id}/edit": ("reviewer", "/pool/batches/{hit_batch}/edit"),
    # hitpool experts
    "/pool/experts": ("reviewer", "/pool/experts"),
    "/pool/experts/new": ("admin", "/pool/experts/new"),
    "/pool/experts/{expert_id}/edit": ("admin", "/pool/experts/{hit_expert}/edit"),
    "/pool/ties": ("reviewer", "/pool/ties?q=火锅"),
    "/expert/profile": ("expert", "/expert/profile"),
    "/expert/ties": ("expert", "/expert/ties?q=火锅"),
    # hitpool assignment
    "/pool/batches/{batch_id}/assignments": ("admin", "/pool/batches/{hit_past_batch}/assignments"),
    "/pool/draws/{draw_id}": ("reviewer", "/pool/draws/{hit_draw}"),
    # hitpool reviews
    "/expert": ("expert", "/expert"),
    "/expert/candidates/{candidate_id}": ("expert", "/expert/candidates/{hit_candidate}"),
    "/pool/candidates/{candidate_id}": ("reviewer", "/pool/candidates/{hit_candidate}"),
    # hitpool decisions
    "/pool/batches/{batch_id}/ranking": ("reviewer", "/pool/batches/{hit_batch}/ranking"),
    "/pool/batches/{batch_id}/objections": ("reviewer", "/pool/batches/{hit_past_batch}/objections"),
    "/pool/candidates/{candidate_id}/dossier": ("reviewer", "/pool/candidates/{hit_candidate}/dossier"),
    "/notices/{batch_id}": ("anonymous", "/notices/{hit_past_batch}"),
    # hitpool candidates
    "/my/pool": ("producer", "/my/pool"),
    "/my/pool/apply/{batch_id}": ("producer", "/my/pool/apply/{hit_batch}"),
    "/my/pool/candidates/{candidate_id}": ("producer", "/my/pool/candidates/{hit_my_candidate}"),
    "/pool/batches/{batch_id}/screening": ("reviewer", "/pool/batches/{hit_batch}/screening"),
    # hitpool incubation
    "/pool/plans": ("reviewer", "/pool/plans"),
    "/pool/plans/{plan_id}": ("reviewer", "/pool/plans/{hit_plan}"),
    "/my/pool/plans/{plan_id}": ("producer", "/my/pool/plans/{hit_plan}"),
    "/showcase": ("anonymous", "/showcase"),
    "/showcase/{plan_id}": ("anonymous", "/showcase/{hit_graduated_plan}"),
}

# The same pages seen by other roles too: the header and the page's actions differ per role.
EXTRA_VIEWS: list[tuple[str, str]] = [
    ("producer", "/"),
    ("reviewer", "/"),
    ("admin", "/"),
    ("buyer", "/products/{product}"),
    ("producer", "/products/{product}"),
    ("reviewer", "/enterprises/{enterprise}"),
    ("producer", "/enterprises/{enterprise}"),
    ("reviewer", "/brands/{regional_brand}"),
    ("producer", "/inquiries"),
    ("reviewer", "/verify/enterprises?status=verified"),
    ("reviewer", "/verify/certificates?status=verified"),
    ("admin", "/verify/bases?status=verified"),
    ("reviewer", "/products/{product}"),
    # hitpool batches: a published batch (read-only form, the whole timeline done)
    ("reviewer", "/pool/batches/{hit_past_batch}"),
    ("reviewer", "/pool/batches/{hit_past_batch}/edit"),
    # hitpool assignment: the matrix view of the same page
    ("admin", "/pool/batches/{hit_past_batch}/assignments?view=matrix"),
]


def _get_routes() -> set[str]:
    app = create_app(session_factory=lambda: None, engine=None)
    return {path for path, methods, _ in api_routes(app) if "GET" in methods and not path.startswith("/api/")}


def test_every_get_route_is_walked_or_skipped_with_a_reason():
    routes = _get_routes()
    unknown = routes - PAGES.keys() - SKIPS.keys()
    assert unknown == set(), f"add these GET routes to PAGES (role, example path) or SKIPS (why): {sorted(unknown)}"
    stale = (PAGES.keys() | SKIPS.keys()) - routes
    assert stale == set(), f"PAGES/SKIPS name routes that no longer exist: {sorted(stale)}"


def _browser_database_url(server_url: str) -> str:
    """The live server's database (tests/browser/conftest.py creates it with this name)."""
    name = "hotpot_browser"
    configured = os.environ.get("HOTPOT_TEST_DATABASE_URL")
    if configured:
        name = f"{pg.make_url(pg.normalize_url(configured)).database}_{name}"
    return pg.with_database(server_url, name)


@pytest.fixture(scope="module")
def ids(live_server, server_url) -> dict[str, int | str]:
    """Example ids from the demo data: the demo producer's own records, public ones, pending ones, an inquiry;
    and live links of the mails a person follows (opening one only shows its page; the form's POST uses it)."""
    from hotpot.auth import service as auth_service
    from hotpot.auth.models import User
    from hotpot.bases.models import RawBase
    from hotpot.brands.models import Brand
    from hotpot.certificates.models import Certificate
    from hotpot.enterprises.models import Enterprise
    from hotpot.hitpool import demo as pool_demo
    from hotpot.inquiries import service as inquiry_service
    from hotpot.inquiries.models import Inquiry
    from hotpot.inquiries.schemas import InquiryIn
    from hotpot.products.models import Product
    from hotpot.search.models import SynonymGroup

    engine = create_engine(_browser_database_url(server_url))
    with Session(engine) as s:
        producer = s.scalars(select(User).where(User.email == ACCOUNTS["producer"][0])).one()
        buyer = s.scalars(select(User).where(User.email == ACCOUNTS["buyer"][0])).one()
        own = s.get(Enterprise, producer.enterprise_id)
        # The longest public product name and spec of the producer: the hardest case for a phone.
        product = s.scalars(
            select(Product)
            .where(Product.enterprise_id == own.id, Product.is_public)
            .order_by((func_len(Product.name) + func_len(Product.spec)).desc())
        ).first()
        base = s.scalars(select(RawBase).where(RawBase.enterprise_id == own.id).order_by(RawBase.id)).first()
        if base is None:  # the demo producer's enterprise is a processor: give it a base to edit
            from hotpot.bases import service as base_service
            from hotpot.bases.schemas import BaseIn
            from tests.bases.builders import base_form

            base = base_service.create(s, user=producer, enterprise=own, data=BaseIn(**base_form()))
        public_base = s.scalars(select(RawBase).where(RawBase.status == "verified").order_by(RawBase.id)).first()
        cert = s.scalars(
            select(Certificate).where(Certificate.enterprise_id == own.id).order_by(Certificate.id)
        ).first()
        pending = s.scalars(select(Enterprise).where(Enterprise.status == "pending").order_by(Enterprise.id)).first()
        regional = s.scalars(select(Brand).where(Brand.name == "合川火锅食材")).one()
        synonym = s.scalars(select(SynonymGroup).order_by(SynonymGroup.id)).first()
        inquiry = s.scalars(select(Inquiry).where(Inquiry.buyer_id == buyer.id).order_by(Inquiry.id)).first()
        if inquiry is None:
            inquiry = inquiry_service.create(
                s,
                buyer=buyer,
                enterprise=own,
                data=InquiryIn(
                    quantity=200,
                    unit="箱",
                    delivery_city="重庆市渝中区",
                    needed_by=date.today() + timedelta(days=30),
                    message="请报价：每月稳定采购，需冷链配送到店，能否提供检测报告？",
                    product_id=product.id,
                ),
            )
        auth_service.send_verification(s, user=buyer)
        auth_service.request_password_reset(s, email=buyer.email)
        s.flush()
        mails = mails_to(s, buyer.email)
        verify_link = next(link_in(m, "/verify-email") for m in mails if "/verify-email?token=" in m.body)
        reset_link = next(link_in(m, "/password/reset") for m in mails if "/password/reset?token=" in m.body)
        s.commit()
        out = {
            "verify_link": verify_link,
            "reset_link": reset_link,
            "enterprise": own.id,
            "product": product.id,
            "base": base.id,
            "public_base": public_base.id,
            "cert": cert.id,
            "pending_enterprise": pending.id,
            "regional_brand": regional.id,
            "synonym": synonym.id,
            "inquiry": inquiry.id,
        }
        # The 爆品 pool's records (hotpot/hitpool/demo.py names them): hit_batch (the open batch), hit_past_batch,
        # hit_candidate (reviewed by the demo expert, the demo reviewer not conflicted), hit_my_candidate (the demo
        # producer's application), hit_expert, hit_draw, hit_plan (the demo producer's), hit_graduated_plan.
        out.update(pool_demo.walk_ids(s))
    engine.dispose()
    return out


def func_len(column):
    from sqlalchemy import func

    return func.char_length(column)


@pytest.fixture(scope="module")
def sessions(browser, live_server):
    """One logged-in storage state per role, made once (the login form is rate-limited)."""
    states = {"anonymous": None}
    for role, (email, password) in ACCOUNTS.items():
        ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        pg_ = ctx.new_page()
        log_in(pg_, live_server, email, password)
        pg_.wait_for_load_state()
        states[role] = ctx.storage_state()
        ctx.close()
    # A producer without an enterprise sees the registration form of /my/enterprise/new.
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    pg_ = ctx.new_page()
    register_and_verify(
        pg_,
        live_server,
        role="producer",
        email="every.page@hotpot.example",
        name="新厂长",
        organization="重庆新厂食品有限公司",
        password="Beef-Tallow-2026",
    )
    pg_.wait_for_url(lambda url: "/my/enterprise/new" in url)
    states["fresh_producer"] = ctx.storage_state()
    ctx.close()
    return states


# The elements sticking out on the right, deepest first, as short selectors.
_OVERFLOW_JS = """() => {
  const limit = document.documentElement.clientWidth;
  const outside = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > limit + 0.5; };
  const name = (el) => {
    const cls = typeof el.className === 'string' ? el.className.trim() : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + cls.split(/\\s+/).join('.') : '');
  };
  const path = (el) => {
    const out = [];
    for (let e = el; e && e !== document.body && out.length < 4; e = e.parentElement) out.unshift(name(e));
    return out.join(' > ');
  };
  const at = (el) => path(el) + ' (right ' + Math.round(el.getBoundingClientRect().right) + 'px)';
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!outside(el)) continue;
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible' && !outside(p)) { clipped = true; break; }
    }
    if (!clipped && !Array.from(el.children).some(outside)) wide.push(at(el));
  }
  // Links, buttons and inputs in a table that scrolls sideways: out of sight, so out of reach.
  const hidden = [];
  for (const el of document.querySelectorAll('table a, table button, table input:not([type=hidden]), table select')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > limit + 0.5 || r.left < -0.5)) hidden.push(at(el));
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 12), hidden: hidden.slice(0, 12)};
}"""


def _views():
    out = [(role, path, route) for route, (role, path) in PAGES.items()]
    out += [(role, path, None) for role, path in EXTRA_VIEWS]
    return out


def _id(view) -> str:
    role, path, _ = view
    return f"{role} {path}"


@pytest.mark.parametrize("view", _views(), ids=_id)
def test_page_fits_a_phone_and_logs_no_errors(browser, live_server, sessions, ids, view):
    role, template, _ = view
    path = template.format(**ids)
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", storage_state=sessions[role])
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    try:
        response = page.goto(live_server + path)
        assert response is not None
        assert response.status == 200, f"{role} {path}: HTTP {response.status}"
        page.wait_for_load_state("networkidle")
        found = page.evaluate(_OVERFLOW_JS)
        name = f"every-{role}-{template.strip('/').replace('/', '_').replace('{', '').replace('}', '') or 'home'}"
        screenshot(page, name + "-375")
        assert found["scrollWidth"] <= PHONE["width"], (
            f"{role} {path} is {found['scrollWidth']}px wide at 375px; sticking out: {found['wide']}"
        )
        assert found["hidden"] == [], f"{role} {path}: table actions off-screen at 375px: {found['hidden']}"
        page.set_viewport_size(DESKTOP)
        page.reload()
        page.wait_for_load_state("networkidle")
        screenshot(page, name + "-1280")
        assert errors == [], f"{role} {path}: {errors}"
    finally:
        ctx.close()
