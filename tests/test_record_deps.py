"""The record a path names (hotpot/deps.py `visible` / `owned`): a hidden record is a 404 on every route that loads
it through `visible`, and another producer's record is a 403 on every route that loads it through `owned`.

The tables below name those routes; a test walks the app and fails when a route uses one of the dependencies and is
missing here, so a new route is covered from the day it exists.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hotpot.auth import service as auth_service
from hotpot.bases import service as base_service
from hotpot.brands import service as brand_service
from hotpot.brands.schemas import BrandIn
from hotpot.deps import NOT_FOUND_MESSAGE, api_routes
from hotpot.enterprises import service as enterprise_service
from hotpot.main import create_app
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.brands.builders import brand_form
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product, owner_of, product_form
from tests.products.builders import image_bytes, make_photo

# Route (method, path) -> which record of the `hidden` world it names. Every route that loads a record through
# `visible(model, rule)`.
VISIBLE_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/products/{product_id}"): "product",
    ("GET", "/products/{product_id}"): "product",
    ("GET", "/products/{product_id}/photos/{photo_id}"): "product",
    ("GET", "/products/{product_id}/photos/{photo_id}/thumb"): "product",
    ("GET", "/api/v1/enterprises/{enterprise_id}"): "enterprise",
    ("GET", "/enterprises/{enterprise_id}"): "enterprise",
    ("GET", "/enterprises/{enterprise_id}/logo"): "enterprise",
    ("GET", "/api/v1/bases/{base_id}"): "base",
    ("GET", "/bases/{base_id}"): "base",
    ("GET", "/bases/{base_id}/photos/{photo_id}"): "base",
    ("GET", "/bases/{base_id}/photos/{photo_id}/thumb"): "base",
    ("GET", "/api/v1/brands/{brand_id}"): "brand",
    ("GET", "/brands/{brand_id}"): "brand",
    ("GET", "/brands/{brand_id}/logo"): "brand",
    ("GET", "/api/v1/certificates/{cert_id}"): "cert",
    # A scan is hidden even on a public certificate: scans carry personal data.
    ("GET", "/certificates/{cert_id}/scan"): "public_cert",
}

# The 爆品 pool's record routes tell ten kinds of people apart (an assigned expert, a conflicted one ...): its own
# table proves each of them (tests/hitpool/test_access.py), so this table, made of owners and outsiders, leaves them.
POOL_PREFIXES = ("/pool/", "/expert/", "/my/pool/", "/notices/", "/showcase/", "/api/v1/batches/")

# Every route that loads a record through `owned(model, rule)`, -> the record of the owner's world it names.
OWNED_ROUTES: dict[tuple[str, str], str] = {
    ("PUT", "/api/v1/products/{product_id}"): "product",
    ("POST", "/api/v1/products/{product_id}/publish"): "product",
    ("POST", "/api/v1/products/{product_id}/withdraw"): "product",
    ("GET", "/my/products/{product_id}/edit"): "product",
    ("POST", "/my/products/{product_id}/edit"): "product",
    ("POST", "/my/products/{product_id}/publish"): "product",
    ("POST", "/my/products/{product_id}/withdraw"): "product",
    ("POST", "/my/products/{product_id}/photos"): "product",
    ("POST", "/my/products/{product_id}/photos/{photo_id}/delete"): "product",
    ("POST", "/my/products/{product_id}/sources"): "product",
    ("PUT", "/api/v1/enterprises/{enterprise_id}"): "enterprise",
    ("GET", "/my/bases/{base_id}/edit"): "base",
    ("POST", "/my/bases/{base_id}/edit"): "base",
    ("POST", "/my/bases/{base_id}/photos"): "base",
    ("POST", "/my/bases/{base_id}/photos/{photo_id}/delete"): "base",
    ("GET", "/my/certificates/{cert_id}/edit"): "cert",
    ("POST", "/my/certificates/{cert_id}/edit"): "cert",
    ("GET", "/brands/{brand_id}/edit"): "brand",
    ("POST", "/brands/{brand_id}/edit"): "brand",
    ("POST", "/brands/{brand_id}/logo"): "brand",
}

OWNED_MESSAGES = {
    "product": "这不是您企业的产品，不能修改。",
    "enterprise": "只能修改本企业的信息",
    "base": "这不是您企业的基地，不能修改。",
    "cert": "这不是您企业的证书，不能修改。",
    "brand": "您不能修改这个品牌。",
}


def _record_routes(kind: str) -> dict[tuple[str, str], object]:
    """(method, path) -> rule of every route whose dependencies load a record with `kind` ("visible" / "owned")."""
    app = create_app(session_factory=lambda: None, engine=None)
    found: dict[tuple[str, str], object] = {}

    def walk(dependant, key) -> None:
        marker = getattr(dependant.call, "record_dependency", None)
        if marker is not None and marker[0] == kind:
            found[key] = marker[3]
        for sub in dependant.dependencies:
            walk(sub, key)

    for path, methods, route in api_routes(app):
        for method in methods - {"HEAD"}:
            walk(route.dependant, (method, path))
    return found


def test_every_route_loading_a_visible_record_is_in_the_table():
    with_rule = {
        key
        for key, rule in _record_routes("visible").items()
        if rule is not None and not key[1].startswith(POOL_PREFIXES)
    }
    assert with_rule == set(VISIBLE_ROUTES), (
        f"add to VISIBLE_ROUTES: {sorted(with_rule - set(VISIBLE_ROUTES))}; "
        f"no longer use visible(): {sorted(set(VISIBLE_ROUTES) - with_rule)}"
    )


def test_every_route_loading_an_owned_record_is_in_the_table():
    found = set(_record_routes("owned"))
    assert found == set(OWNED_ROUTES), (
        f"add to OWNED_ROUTES: {sorted(found - set(OWNED_ROUTES))}; "
        f"no longer use owned(): {sorted(set(OWNED_ROUTES) - found)}"
    )


@pytest.fixture
def hidden(db):
    """One hidden record of each kind (with a photo, logo or scan, so only visibility can refuse), and its owner."""
    pending = make_enterprise(db, status="pending", name="重庆待审依赖食品有限公司")
    pending_owner = owner_of(db, pending)
    enterprise_service.set_logo(db, user=pending_owner, enterprise=pending, upload=(image_bytes(), "标志.png"))
    brand = brand_service.create(
        db, user=pending_owner, data=BrandIn(**brand_form(level="enterprise", name="待审依赖品牌", honors=[]))
    )
    brand_service.set_logo(db, user=pending_owner, brand=brand, upload=(image_bytes(), "品牌.png"))

    verified = make_enterprise(db, name="重庆已认证依赖食品有限公司")
    owner = owner_of(db, verified)
    draft = make_product(db, enterprise=verified, published=False, name="依赖草稿毛肚")
    product_photo = make_photo(db, product=draft)
    base = make_base(db, enterprise=verified, verified=False)
    base_photo = base_service.add_photos(db, user=owner, base=base, uploads=[(image_bytes(), "基地.png")])[0]
    cert = make_certificate(db, enterprise=verified, verified=False, with_scan=True)
    public_cert = make_certificate(db, enterprise=verified, verified=True, with_scan=True)
    db.flush()
    return {
        "product": ({"product_id": draft.id, "photo_id": product_photo.id}, owner),
        "enterprise": ({"enterprise_id": pending.id}, pending_owner),
        "base": ({"base_id": base.id, "photo_id": base_photo.id}, owner),
        "brand": ({"brand_id": brand.id}, pending_owner),
        "cert": ({"cert_id": cert.id}, owner),
        "public_cert": ({"cert_id": public_cert.id}, owner),
    }


def _as(make_client, db, user) -> TestClient:
    c = make_client()
    if user is not None:
        log_in(c, user.email)
    return c


def _get(c: TestClient, db, user, path: str):
    if path.startswith("/api/") and user is not None:
        raw, _ = auth_service.issue_api_token(db, user=user, name="record deps")
        return c.get(path, headers={"Authorization": f"Bearer {raw}"})
    return c.get(path)


@pytest.mark.parametrize("route", sorted(VISIBLE_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_hidden_record_is_404_to_outsiders_and_shown_to_its_owner_and_staff(make_client, db, hidden, route):
    _method, template = route
    ids, owner = hidden[VISIBLE_ROUTES[route]]
    path = template.format(**ids)
    outsiders = {
        "anonymous": None,
        "buyer": make_user(db, role="buyer"),
        "other producer": owner_of(db, make_enterprise(db)),
    }
    for who, user in outsiders.items():
        response = _get(_as(make_client, db, user), db, user, path)
        assert response.status_code == 404, (who, path, response.status_code)
        body = response.json()["detail"] if path.startswith("/api/") else response.text
        assert NOT_FOUND_MESSAGE in body, (who, path)
    # The same record, the same path: its own producer and the staff see it (the 404 above was the visibility rule).
    for who, user in {"owner": owner, "reviewer": make_user(db, role="reviewer")}.items():
        response = _get(_as(make_client, db, user), db, user, path)
        assert response.status_code == 200, (who, path, response.status_code)


def test_a_missing_record_is_the_same_404_as_a_hidden_one(client):
    for path in ("/products/2147483647", "/api/v1/products/2147483647", "/brands/2147483647/logo"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert NOT_FOUND_MESSAGE in (response.json()["detail"] if path.startswith("/api/") else response.text)


@pytest.fixture
def owned_world(db):
    """An enterprise with one record of each kind, and an enterprise brand of its own."""
    enterprise = make_enterprise(db, name="重庆归属依赖食品有限公司")
    owner = owner_of(db, enterprise)
    product = make_product(db, enterprise=enterprise, name="依赖归属毛肚")
    photo = make_photo(db, product=product)
    base = make_base(db, enterprise=enterprise)
    base_photo = base_service.add_photos(db, user=owner, base=base, uploads=[(image_bytes(), "基地.png")])[0]
    cert = make_certificate(db, enterprise=enterprise)
    brand = brand_service.create(
        db, user=owner, data=BrandIn(**brand_form(level="enterprise", name="归属依赖品牌", honors=[]))
    )
    db.flush()
    return {
        "product": {"product_id": product.id, "photo_id": photo.id},
        "enterprise": {"enterprise_id": enterprise.id},
        "base": {"base_id": base.id, "photo_id": base_photo.id},
        "cert": {"cert_id": cert.id},
        "brand": {"brand_id": brand.id},
    }


@pytest.mark.parametrize("route", sorted(OWNED_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_another_producers_record_is_403_and_a_missing_one_404(make_client, db, owned_world, route):
    method, template = route
    kind = OWNED_ROUTES[route]
    ids = owned_world[kind]
    stranger = owner_of(db, make_enterprise(db))
    c = _as(make_client, db, stranger)
    headers = {}
    body: dict = {"version": "1"}
    if template.startswith("/api/"):
        raw, _ = auth_service.issue_api_token(db, user=stranger, name="record deps")
        headers = {"Authorization": f"Bearer {raw}", "If-Match": "*"}
        body = product_form() if kind == "product" else {}
    kwargs = {"json": body} if template.startswith("/api/") else ({"data": body} if method == "POST" else {})

    refused = c.request(method, template.format(**ids), headers=headers, **kwargs)
    assert refused.status_code == 403, (template, refused.status_code, refused.text[:200])
    message = refused.json()["detail"] if template.startswith("/api/") else refused.text
    assert OWNED_MESSAGES[kind] in message

    missing = {k: 2147483647 if k != "photo_id" else v for k, v in ids.items()}
    gone = c.request(method, template.format(**missing), headers=headers, **kwargs)
    assert gone.status_code == 404, (template, gone.status_code)
