"""Two writers, one version: exactly one wins, the other gets the 409 page (HTML) or 412 (API), nothing is lost.

Issue 8 measured 16-20 silent overwrites in 20 pairs on the enterprise and product edits: the version was compared
in Python and the UPDATE did not say which version it replaced. Every versioned record is raced here, 50 pairs per
form and per API route, with real threads on real connections; the figures are printed (`pytest -s`).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotpot.auth.models import User
from hotpot.bases.models import ProductSource, RawBase
from hotpot.brands import service as brand_service
from hotpot.brands.models import Brand, BrandLicence
from hotpot.brands.schemas import BrandIn
from hotpot.certificates.models import Certificate
from hotpot.enterprises.models import Enterprise
from hotpot.products.models import Product
from hotpot.search import service as search_service
from hotpot.search.models import SynonymGroup
from tests.auth.builders import make_user
from tests.bases.builders import base_form, make_base
from tests.brands.builders import brand_form
from tests.certificates.builders import cert_form, make_certificate
from tests.concurrency.conftest import Lane, LiveApp, assert_clean, race
from tests.enterprises.builders import enterprise_form, make_enterprise, make_product, owner_of, product_form

PAIRS = 50
LANES = 5
CHAIN_SETS = (["raw_material"], ["primary_processing", "cold_chain"], ["deep_processing", "wholesale", "seasoning"])


@dataclass
class Holding:
    """One producer's records and its two browsers and two API clients."""

    enterprise_id: int
    uscc: str
    name: str
    product_id: int
    base_id: int
    extra_base_id: int
    certificate_id: int
    browsers: tuple[httpx.Client, httpx.Client]
    apis: tuple[httpx.Client, httpx.Client]


@dataclass
class Admin:
    user_id: int
    browsers: list[tuple[httpx.Client, httpx.Client]]
    brand_ids: list[int]
    brand_names: list[str]
    target_ids: list[int]
    group_ids: list[int]
    group_terms: list[str]


@pytest.fixture(scope="module")
def holdings(live: LiveApp) -> list[Holding]:
    out = []
    for n in range(LANES):
        with live.write() as s:
            enterprise = make_enterprise(s, name=f"重庆并发{n}号火锅食品有限公司")
            product = make_product(s, enterprise=enterprise, name=f"并发毛肚{n}")
            base = make_base(s, enterprise=enterprise, name=f"并发{n}号辣椒种植基地")
            extra = make_base(s, enterprise=enterprise, name=f"并发{n}号花椒种植基地", verified=False)
            cert = make_certificate(s, enterprise=enterprise)
            owner = owner_of(s, enterprise)
            ids = (enterprise.id, enterprise.uscc, enterprise.name, product.id, base.id, extra.id, cert.id)
        out.append(
            Holding(
                *ids,
                browsers=(live.browser(owner), live.browser(owner)),
                apis=(live.api(owner), live.api(owner)),
            )
        )
    return out


@pytest.fixture(scope="module")
def admin(live: LiveApp) -> Admin:
    with live.write() as s:
        admin = make_user(s, role="admin")
        brands = [
            brand_service.create(s, user=admin, data=BrandIn(**brand_form(name=f"并发品牌{n}"))) for n in range(LANES)
        ]
        targets = [make_user(s, role="buyer") for _ in range(LANES)]
        terms = [f"并发甲{n}词，并发乙{n}词" for n in range(LANES)]
        groups = [search_service.add_group(s, user=admin, raw_terms=t, note=None) for t in terms]
        found = Admin(
            user_id=admin.id,
            browsers=[],
            brand_ids=[b.id for b in brands],
            brand_names=[b.name for b in brands],
            target_ids=[u.id for u in targets],
            group_ids=[g.id for g in groups],
            group_terms=terms,
        )
    found.browsers = [(live.browser(admin), live.browser(admin)) for _ in range(LANES)]
    return found


def _note(i: int, writer: int, before=None) -> str:
    return f"并发写入第{i}对，写入方{writer}"


def _state(model, column: str, row_id: int):
    def read(s: Session):
        version, value = s.execute(select(model.version, getattr(model, column)).where(model.id == row_id)).one()
        return version, value

    return read


def test_enterprise_form(live, holdings):
    def lane(h: Holding) -> Lane:
        def send(w, client, i, version, before):
            form = enterprise_form(uscc=h.uscc, name=h.name, description=_note(i, w), version=version)
            return client.post("/my/enterprise/edit", data=form).status_code

        return Lane(h.browsers, send, _state(Enterprise, "description", h.enterprise_id), _note)

    assert_clean(race(live, "enterprise form", [lane(h) for h in holdings], pairs=PAIRS, loser=409))


def test_enterprise_form_changing_chain_links(live, holdings):
    """Issue 8: two edits that change the chain links gave a 500 (StaleDataError on the association rows)."""

    def lane(h: Holding) -> Lane:
        def links(i, w, before=None):
            return sorted(CHAIN_SETS[(i + w) % 3])

        def send(w, client, i, version, before):
            form = enterprise_form(uscc=h.uscc, name=h.name, chain_links=links(i, w), version=version)
            return client.post("/my/enterprise/edit", data=form).status_code

        def state(s: Session):
            e = s.get(Enterprise, h.enterprise_id)
            return e.version, sorted(c.code for c in e.chain_links)

        return Lane(h.browsers, send, state, links)

    assert_clean(race(live, "enterprise form, chain links", [lane(h) for h in holdings], pairs=PAIRS, loser=409))


def test_enterprise_api(live, holdings):
    def lane(h: Holding) -> Lane:
        def send(w, client, i, version, before):
            body = enterprise_form(uscc=h.uscc, name=h.name, description=_note(i, w))
            etag = f'"enterprise-{h.enterprise_id}-v{version}"'
            url = f"/api/v1/enterprises/{h.enterprise_id}"
            return client.put(url, json=body, headers={"If-Match": etag}).status_code

        return Lane(h.apis, send, _state(Enterprise, "description", h.enterprise_id), _note)

    assert_clean(race(live, "enterprise API", [lane(h) for h in holdings], pairs=PAIRS, loser=412))


def test_product_form(live, holdings):
    def lane(h: Holding) -> Lane:
        def send(w, client, i, version, before):
            form = product_form(name=f"并发毛肚{i}", description=_note(i, w), version=version)
            return client.post(f"/my/products/{h.product_id}/edit", data=form).status_code

        return Lane(h.browsers, send, _state(Product, "description", h.product_id), _note)

    assert_clean(race(live, "product form", [lane(h) for h in holdings], pairs=PAIRS, loser=409))


def test_product_api(live, holdings):
    def lane(h: Holding) -> Lane:
        def send(w, client, i, version, before):
            body = product_form(description=_note(i, w))
            etag = f'"product-{h.product_id}-v{version}"'
            return client.put(f"/api/v1/products/{h.product_id}", json=body, headers={"If-Match": etag}).status_code

        return Lane(h.apis, send, _state(Product, "description", h.product_id), _note)

    assert_clean(race(live, "product API", [lane(h) for h in holdings], pairs=PAIRS, loser=412))


def test_product_sources(live, holdings):
    """A relationship-only change: two saves used to rewrite the association rows together (both sets kept, or a
    duplicate key 500); now the product's conditioned UPDATE comes first."""

    def lane(h: Holding) -> Lane:
        def chosen(i, w, before=None):
            return [(h.base_id, 60.0)] if w == 0 else [(h.extra_base_id, 30.0), (h.base_id, 20.0 + i % 7)]

        def send(w, client, i, version, before):
            rows = chosen(i, w)
            form = {"base_id": [str(b) for b, _ in rows], "share_pct": [str(p) for _, p in rows], "version": version}
            return client.post(f"/my/products/{h.product_id}/sources", data=form).status_code

        def state(s: Session):
            version = s.scalar(select(Product.version).where(Product.id == h.product_id))
            rows = s.execute(
                select(ProductSource.base_id, ProductSource.share_pct).where(ProductSource.product_id == h.product_id)
            )
            return version, sorted((b, float(p)) for b, p in rows)

        return Lane(h.browsers, send, state, lambda i, w, before: sorted(chosen(i, w)))

    assert_clean(race(live, "product sources", [lane(h) for h in holdings], pairs=PAIRS, loser=409))


def test_base_form(live, holdings):
    def lane(h: Holding) -> Lane:
        def send(w, client, i, version, before):
            form = base_form(name=f"并发{holdings.index(h)}号辣椒种植基地", description=_note(i, w), version=version)
            return client.post(f"/my/bases/{h.base_id}/edit", data=form).status_code

        return Lane(h.browsers, send, _state(RawBase, "description", h.base_id), _note)

    assert_clean(race(live, "base form", [lane(h) for h in holdings], pairs=PAIRS, loser=409))


def test_certificate_form(live, holdings):
    def lane(h: Holding) -> Lane:
        def send(w, client, i, version, before):
            form = cert_form(issuer=_note(i, w), version=version)
            return client.post(f"/my/certificates/{h.certificate_id}/edit", data=form).status_code

        return Lane(h.browsers, send, _state(Certificate, "issuer", h.certificate_id), _note)

    assert_clean(race(live, "certificate form", [lane(h) for h in holdings], pairs=PAIRS, loser=409))


def test_brand_form(live, admin):
    def lane(n: int) -> Lane:
        def send(w, client, i, version, before):
            form = brand_form(name=admin.brand_names[n], description=_note(i, w), version=version)
            return client.post(f"/brands/{admin.brand_ids[n]}/edit", data=form).status_code

        return Lane(admin.browsers[n], send, _state(Brand, "description", admin.brand_ids[n]), _note)

    assert_clean(race(live, "brand form", [lane(n) for n in range(LANES)], pairs=PAIRS, loser=409))


def test_user_role_by_admins(live, admin):
    roles = ("reviewer", "buyer")

    def lane(n: int) -> Lane:
        def send(w, client, i, version, before):
            form = {"role": roles[w], "version": version}
            return client.post(f"/admin/users/{admin.target_ids[n]}/role", data=form).status_code

        return Lane(admin.browsers[n], send, _state(User, "role", admin.target_ids[n]), lambda i, w, before: roles[w])

    assert_clean(race(live, "user role (admin)", [lane(n) for n in range(LANES)], pairs=PAIRS, loser=409))


def test_synonym_group(live, admin):
    def lane(n: int) -> Lane:
        def send(w, client, i, version, before):
            form = {"terms": admin.group_terms[n], "note": _note(i, w), "version": version}
            return client.post(f"/admin/search/synonyms/{admin.group_ids[n]}", data=form).status_code

        return Lane(admin.browsers[n], send, _state(SynonymGroup, "note", admin.group_ids[n]), _note)

    assert_clean(race(live, "synonym group", [lane(n) for n in range(LANES)], pairs=PAIRS, loser=409))


@pytest.fixture(scope="module")
def reviewers(live: LiveApp) -> list[httpx.Client]:
    with live.write() as s:
        people = [make_user(s, role="reviewer") for _ in range(LANES)]
    return [live.browser(p) for p in people]


def test_enterprise_edit_against_status_change(live, holdings, reviewers):
    """The producer edits while a reviewer suspends or reinstates: the reviewer never decides on a record that
    changed under them, and the producer's edit never undoes the decision."""

    def lane(n: int, h: Holding) -> Lane:
        def send(w, client, i, version, before):
            if w == 0:
                form = enterprise_form(uscc=h.uscc, name=h.name, description=_note(i, w), version=version)
                return client.post("/my/enterprise/edit", data=form).status_code
            form = {"action": "suspend" if before[1] == "verified" else "reinstate", "version": version}
            form["reason"] = "并发测试：许可证待复核"
            return client.post(f"/verify/enterprises/{h.enterprise_id}/status", data=form).status_code

        def state(s: Session):
            e = s.get(Enterprise, h.enterprise_id)
            return e.version, (e.description, e.status)

        def expect(i, w, before):
            if w == 0:
                return (_note(i, 0), before[1])
            return (before[0], "suspended" if before[1] == "verified" else "verified")

        return Lane((h.browsers[0], reviewers[n]), send, state, expect)

    lanes = [lane(n, h) for n, h in enumerate(holdings)]
    assert_clean(race(live, "enterprise edit vs status change", lanes, pairs=PAIRS, loser=409))


def test_certificate_edit_against_decision(live, holdings, reviewers):
    def lane(n: int, h: Holding) -> Lane:
        def send(w, client, i, version, before):
            if w == 0:
                form = cert_form(issuer=_note(i, w), version=version)
                return client.post(f"/my/certificates/{h.certificate_id}/edit", data=form).status_code
            form = {"action": "reject", "reason": "并发测试：扫描件不清晰"} if before[1] == "verified" else {}
            form = {"action": "verify", **form, "version": version}
            return client.post(f"/verify/certificates/{h.certificate_id}/decision", data=form).status_code

        def state(s: Session):
            c = s.get(Certificate, h.certificate_id)
            return c.version, (c.issuer, c.verification)

        def expect(i, w, before):
            if w == 0:
                return (_note(i, 0), "unverified")
            return (before[0], "rejected" if before[1] == "verified" else "verified")

        return Lane((h.browsers[0], reviewers[n]), send, state, expect)

    lanes = [lane(n, h) for n, h in enumerate(holdings)]
    assert_clean(race(live, "certificate edit vs decision", lanes, pairs=PAIRS, loser=409))


def test_synonym_group_edit_against_delete(live, admin):
    """One admin edits a group while another deletes it: either the edit is kept or the group is gone, and the
    other admin is told (409, or 404 when the delete had committed before the edit loaded the group)."""
    pairs = 10  # an extra scenario of a type raced 50 times above; each winner rebuilds the search dictionary
    with live.write() as s:
        # Rows as the setup (add_group would rebuild the search dictionary once per group).
        groups = [SynonymGroup(terms=[f"删改甲{i}词", f"删改乙{i}词"]) for i in range(pairs)]
        s.add_all(groups)
        s.flush()
        ids = [(g.id, g.version, "，".join(g.terms)) for g in groups]

    def pair(i: int) -> tuple[int, int, bool, str | None]:
        group_id, version, terms = ids[i]
        editor, deleter = admin.browsers[i % LANES]
        barrier = threading.Barrier(2)

        def edit():
            barrier.wait(timeout=30)
            form = {"terms": terms, "note": _note(i, 0), "version": version}
            return editor.post(f"/admin/search/synonyms/{group_id}", data=form).status_code

        def delete():
            barrier.wait(timeout=30)
            return deleter.post(f"/admin/search/synonyms/{group_id}/delete", data={"version": version}).status_code

        with ThreadPoolExecutor(2) as pool:
            edited, deleted = pool.submit(edit), pool.submit(delete)
            codes = (edited.result(), deleted.result())
        with live.factory() as s:
            row = s.get(SynonymGroup, group_id)
            return codes[0], codes[1], row is not None, row.note if row else None

    with ThreadPoolExecutor(LANES) as pool:
        results = list(pool.map(pair, range(pairs)))
    kept = [r for r in results if r[:3] == (303, 409, True)]
    gone = [r for r in results if r[0] in (409, 404) and r[1:3] == (303, False)]
    print(f"[concurrency] synonym edit vs delete: pairs={pairs} edit won={len(kept)} delete won={len(gone)}")
    assert all(r[3] == _note(i, 0) for i, r in enumerate(results) if r[:3] == (303, 409, True))
    assert len(kept) + len(gone) == pairs, results


@pytest.fixture(scope="module")
def licensing(live: LiveApp, admin: Admin) -> tuple[list[tuple[httpx.Client, httpx.Client]], list[int]]:
    """Two reviewers' browsers per brand, and one verified enterprise per pair to license."""
    with live.write() as s:
        people = [make_user(s, role="reviewer") for _ in range(2 * LANES)]
        licensees = [make_enterprise(s, name=f"重庆授权并发{i}号食品有限公司").id for i in range(PAIRS)]
    browsers = [live.browser(p) for p in people]
    return [(browsers[2 * n], browsers[2 * n + 1]) for n in range(LANES)], licensees


def test_brand_licence_grant_and_revoke(live, admin, licensing):
    """Two reviewers grant the same enterprise the same brand at once, then both revoke that licence: one
    licence, revoked once, and the other reviewer is told why (the brand's licences change one at a time)."""
    pairs, licensees = licensing

    def pair(i: int) -> tuple:
        n = i % LANES
        brand_id, enterprise_id = admin.brand_ids[n], licensees[i]

        def both(post) -> list[httpx.Response]:
            barrier = threading.Barrier(2)

            def one(w):
                barrier.wait(timeout=30)
                return post(w, pairs[n][w])

            with ThreadPoolExecutor(2) as pool:
                return list(pool.map(one, (0, 1)))

        granted = both(
            lambda w, c: c.post(
                f"/brands/{brand_id}/licences", data={"enterprise_id": enterprise_id, "since_on": "2026-01-01"}
            )
        )
        with live.factory() as s:
            same = (BrandLicence.brand_id == brand_id, BrandLicence.enterprise_id == enterprise_id)
            rows = s.scalars(select(BrandLicence).where(*same)).all()
        if len(rows) != 1:
            return ("grants", [r.status_code for r in granted], len(rows))
        licence_id = rows[0].id
        revoked = both(
            lambda w, c: c.post(
                f"/brands/{brand_id}/licences/{licence_id}/revoke", data={"reason": f"并发撤销第{i}对，撤销方{w}"}
            )
        )
        with live.factory() as s:
            licence = s.get(BrandLicence, licence_id)
            reasons = licence.revoke_reason
        audits = _count_audits(live, "brand.licence_revoke", brand_id, licence_id)
        return (
            sorted(r.status_code for r in granted),
            sorted(r.status_code for r in revoked),
            any("已有有效授权" in r.text for r in granted),
            any("已撤销" in r.text for r in revoked),
            [w for w, r in enumerate(revoked) if r.status_code == 303] == [int(reasons.endswith("1"))],
            audits,
        )

    with ThreadPoolExecutor(LANES) as pool:
        results = list(pool.map(pair, range(PAIRS)))
    clean = [r for r in results if r == ([303, 422], [303, 422], True, True, True, 1)]
    print(f"[concurrency] brand licence grant+revoke: pairs={PAIRS} clean={len(clean)}")
    assert len(clean) == PAIRS, [r for r in results if r not in clean]


def _count_audits(live: LiveApp, action: str, brand_id: int, licence_id: int) -> int:
    from hotpot.audit.models import AuditEvent

    with live.factory() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity_id == str(brand_id))
        ).all()
        return sum(1 for e in events if (e.before or {}).get("licence") == licence_id)
