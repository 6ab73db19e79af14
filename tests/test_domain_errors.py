"""Domain errors (hotpot/errors.py): a service's refusal is a 403/404/409 page for people and JSON for the API,
never a 500.

Most routes refuse a stranger in a dependency before the service runs (own_product, own_base, ...). The services
check again, so a route that forgets its dependency is still safe; these tests drive each real route with that
dependency's check switched off (dependency_overrides loads the record without checking), so the request reaches
the service's own raise, and assert the friendly 403. With a bare PermissionError (the old code) they were 500s.
"""

from __future__ import annotations

import ast
import inspect
import pathlib

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

import hotpot
from hotpot.auth import service as auth_service
from hotpot.bases.deps import own_base
from hotpot.bases.models import RawBase
from hotpot.brands.deps import editable_brand
from hotpot.brands.models import Brand
from hotpot.certificates.deps import own_certificate
from hotpot.certificates.models import Certificate
from hotpot.db import SessionDep
from hotpot.deps import allow_public
from hotpot.enterprises import service as enterprise_service
from hotpot.errors import Conflict, InvalidState, NotAllowed, NotFound
from hotpot.inquiries import service as inquiry_service
from hotpot.inquiries.models import Inquiry
from hotpot.inquiries.routes import party_inquiry
from hotpot.inquiries.schemas import InquiryIn
from hotpot.products import media
from hotpot.products.deps import own_product
from hotpot.products.models import Product
from hotpot.validation import Id
from tests.auth.builders import log_in, make_user
from tests.bases.builders import base_form, make_base
from tests.brands.builders import brand_form, make_brand_with_licence
from tests.certificates.builders import cert_form, make_certificate
from tests.conftest import Browserless
from tests.enterprises.builders import make_enterprise, make_product, owner_of, product_form
from tests.products.builders import image_bytes, make_photo

FRIENDLY_403 = "没有访问权限"


def _unchecked(model, param: str):
    """The record by id with no ownership check: a route whose dependency forgot to refuse."""

    def load(session: SessionDep, **kwargs):
        return session.get(model, kwargs[param])

    # FastAPI reads the signature: give it the path parameter under its own name.
    kw = inspect.Parameter.KEYWORD_ONLY
    load.__signature__ = inspect.Signature(
        [inspect.Parameter("session", kw, annotation=SessionDep), inspect.Parameter(param, kw, annotation=Id)]
    )
    return load


@pytest.fixture
def world(db):
    """Enterprise A with a product, photo, base, certificate, an inquiry and a brand; B's producer is refused."""
    a = make_enterprise(db)
    product = make_product(db, enterprise=a)
    photo = make_photo(db, product=product)
    base = make_base(db, enterprise=a)
    cert = make_certificate(db, enterprise=a)
    brand, _ = make_brand_with_licence(db, licensee=a)
    buyer = make_user(db, role="buyer")
    inquiry = inquiry_service.create(
        db,
        buyer=buyer,
        enterprise=a,
        data=InquiryIn(quantity=10, unit="箱", delivery_city="重庆市", message="请报一下价格，谢谢"),
    )
    stranger = owner_of(db, make_enterprise(db))  # a producer of another enterprise
    db.flush()
    return {
        "a": a,
        "product": product,
        "photo": photo,
        "base": base,
        "cert": cert,
        "brand": brand,
        "inquiry": inquiry,
        "producer": stranger,
        "buyer": make_user(db, role="buyer"),  # not a party to the inquiry
    }


# (raise site covered, dependency switched off, who is refused, method, url, body)
CASES = [
    # products/service.py _require_manager, via edit
    (
        "products.service._require_manager (edit)",
        (own_product, Product, "product_id"),
        "producer",
        "POST",
        "/my/products/{product}/edit",
        lambda w: {**product_form(), "version": str(w["product"].version)},
    ),
    # products/service.py _require_manager, via set_published
    (
        "products.service._require_manager (set_published)",
        (own_product, Product, "product_id"),
        "producer",
        "POST",
        "/my/products/{product}/withdraw",
        lambda w: {"version": str(w["product"].version)},
    ),
    # products/media.py add_photos
    (
        "products.media.add_photos",
        (own_product, Product, "product_id"),
        "producer",
        "POST",
        "/my/products/{product}/photos",
        None,
    ),
    # products/media.py remove_photo
    (
        "products.media.remove_photo",
        (own_product, Product, "product_id"),
        "producer",
        "POST",
        "/my/products/{product}/photos/{photo}/delete",
        lambda w: {},
    ),
    # bases/service.py _require_manager, via set_sources (a product's raw-material bases)
    (
        "bases.service._require_manager (set_sources)",
        (own_product, Product, "product_id"),
        "producer",
        "POST",
        "/my/products/{product}/sources",
        lambda w: {"version": str(w["product"].version)},
    ),
    # bases/service.py _require_manager, via edit
    (
        "bases.service._require_manager (edit)",
        (own_base, RawBase, "base_id"),
        "producer",
        "POST",
        "/my/bases/{base}/edit",
        lambda w: {**base_form(), "version": str(w["base"].version)},
    ),
    # bases/service.py _require_manager, via add_photos
    (
        "bases.service._require_manager (add_photos)",
        (own_base, RawBase, "base_id"),
        "producer",
        "POST",
        "/my/bases/{base}/photos",
        None,
    ),
    # bases/service.py _require_manager, via remove_photo
    (
        "bases.service._require_manager (remove_photo)",
        (own_base, RawBase, "base_id"),
        "producer",
        "POST",
        "/my/bases/{base}/photos/1/delete",
        lambda w: {},
    ),
    # certificates/service.py _require_manager, via edit
    (
        "certificates.service._require_manager (edit)",
        (own_certificate, Certificate, "cert_id"),
        "producer",
        "POST",
        "/my/certificates/{cert}/edit",
        lambda w: {**cert_form(), "version": str(w["cert"].version)},
    ),
    # brands/service.py edit
    (
        "brands.service.edit",
        (editable_brand, Brand, "brand_id"),
        "producer",
        "POST",
        "/brands/{brand}/edit",
        lambda w: {**brand_form(), "version": str(w["brand"].version)},
    ),
    # brands/service.py set_logo
    ("brands.service.set_logo", (editable_brand, Brand, "brand_id"), "producer", "POST", "/brands/{brand}/logo", None),
    # inquiries/service.py reply
    (
        "inquiries.service.reply",
        (party_inquiry, Inquiry, "inquiry_id"),
        "buyer",
        "POST",
        "/inquiries/{inquiry}/messages",
        lambda w: {"body": "我也想要这个价格"},
    ),
    # inquiries/service.py close
    (
        "inquiries.service.close",
        (party_inquiry, Inquiry, "inquiry_id"),
        "buyer",
        "POST",
        "/inquiries/{inquiry}/close",
        lambda w: {},
    ),
]


def _url(template: str, w) -> str:
    return template.format(
        product=w["product"].id,
        photo=w["photo"].id,
        base=w["base"].id,
        cert=w["cert"].id,
        brand=w["brand"].id,
        inquiry=w["inquiry"].id,
    )


@pytest.mark.parametrize(("site", "override", "who", "method", "url", "body"), CASES, ids=[c[0] for c in CASES])
def test_service_refusal_is_a_friendly_403_page(app, db, world, site, override, who, method, url, body):
    dependency, model, param = override
    app.dependency_overrides[dependency] = _unchecked(model, param)
    with Browserless(app, base_url="http://testserver", follow_redirects=False, raise_server_exceptions=False) as c:
        log_in(c, world[who].email)
        path = _url(url, world)
        if body is None:  # an upload form
            field = "logo" if url.endswith("/logo") else "photos"
            response = c.request(method, path, files={field: ("a.png", image_bytes(), "image/png")})
        else:
            response = c.request(method, path, data=body(world))
    assert response.status_code == 403, (site, response.status_code, response.text[:300])
    assert FRIENDLY_403 in response.text
    assert response.headers["x-request-id"] in response.text
    # Nothing of the refused request was saved (the session rolled back): A's records are untouched.
    db.expire_all()
    assert db.get(Product, world["product"].id).name == world["product"].name


def test_service_refusal_in_the_api_is_403_json(app, db, world):
    """products/service.py _require_manager through PUT /api/v1/products/{id} (API's OwnProduct switched off)."""
    app.dependency_overrides[own_product] = _unchecked(Product, "product_id")
    raw, _ = auth_service.issue_api_token(db, user=world["producer"], name="domain errors")
    product = world["product"]
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.put(
            f"/api/v1/products/{product.id}",
            json=product_form(),
            headers={"Authorization": f"Bearer {raw}", "If-Match": f'"product-{product.id}-v{product.version}"'},
        )
    assert response.status_code == 403
    assert response.json()["detail"] == "这不是您企业的产品，不能修改。"
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_colleague_who_is_not_the_owner_cannot_revoke_an_invitation(client, db):
    """enterprises/service.py revoke_invitation: the route leaves the owner check to the service (403 page)."""
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    invitation = enterprise_service.invite(db, owner=owner, enterprise=enterprise, email="new@hotpot.example")
    colleague = make_user(db, role="producer")
    colleague.enterprise_id = enterprise.id
    db.flush()
    log_in(client, colleague.email)
    for target in (invitation.id, 999_999):  # a colleague learns nothing about which invitation ids exist
        response = client.post(f"/my/enterprise/invitations/{target}/revoke")
        assert response.status_code == 403
        assert "只有企业的登记人可以撤回邀请" in response.text
    db.expire_all()
    assert invitation.revoked_at is None


def test_colleague_who_is_not_the_owner_cannot_invite(client, db):
    """enterprises/service.py invite: the route refuses first (before the form is parsed), the service again."""
    enterprise = make_enterprise(db)
    colleague = make_user(db, role="producer")
    colleague.enterprise_id = enterprise.id
    db.flush()
    log_in(client, colleague.email)
    assert client.post("/my/enterprise/invitations", data={"email": "x@hotpot.example"}).status_code == 403
    with pytest.raises(NotAllowed, match="只有企业的登记人可以邀请同事"):
        enterprise_service.invite(db, owner=colleague, enterprise=enterprise, email="x@hotpot.example")


def test_accepting_an_invitation_that_is_not_there_is_a_404_page(client, db):
    """enterprises/service.py accept_invitation: NotFound (was a LookupError the route translated)."""
    user = make_user(db, role="producer")
    log_in(client, user.email)
    response = client.post("/my/invitations/999999/accept")
    assert response.status_code == 404
    assert "没有找到发给您的这份邀请" in response.text
    assert response.headers["x-request-id"] in response.text


def test_raise_sites_no_route_reaches(db):
    """enterprises/service.py set_logo and products/media.py add_photo_copies: no route hands them another
    enterprise's record (the logo route takes the caller's own enterprise; copies are the demo loader's), so they
    are checked here: the refusal is a NotAllowed, which the handler answers with 403."""
    a = make_enterprise(db)
    stranger = owner_of(db, make_enterprise(db))
    with pytest.raises(NotAllowed):
        enterprise_service.set_logo(db, user=stranger, enterprise=a, upload=(image_bytes(), "a.png"))
    product = make_product(db, enterprise=a)
    photo = make_photo(db, product=product)
    with pytest.raises(NotAllowed):
        media.add_photo_copies(db, copies=[(stranger, product, photo)])


# --- no bare built-ins --------------------------------------------------------------------------------------------

BARE = {"PermissionError", "LookupError"}


def test_no_module_raises_a_bare_permission_or_lookup_error():
    """Nothing answers a bare PermissionError/LookupError (a 500): raise NotAllowed / NotFound from hotpot.errors."""
    root = pathlib.Path(hotpot.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id in BARE:
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == [], f"raise NotAllowed/NotFound (hotpot/errors.py) instead of: {found}"


# --- the handlers ---------------------------------------------------------------------------------------------------


def _route_raising(app, path: str, exc: Exception) -> None:
    def endpoint():
        raise exc

    app.add_api_route(path, endpoint, dependencies=[Depends(allow_public)])


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (NotFound("没有这家企业"), 404),
        (NotAllowed("不能看这页"), 403),
        (Conflict("编号已被占用"), 409),
        (InvalidState("询价已关闭"), 409),
    ],
)
def test_domain_error_in_the_api_is_json(app, exc, status):
    _route_raising(app, "/api/v1/domain-error-test", exc)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/v1/domain-error-test")
    assert response.status_code == status
    assert response.json() == {"detail": exc.message, "request_id": response.headers["x-request-id"]}


def test_not_found_in_a_page_is_the_404_page_with_request_id(app):
    _route_raising(app, "/domain-error-test", NotFound("没有这家企业"))
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/domain-error-test")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert "没有这家企业" in response.text
    assert response.headers["x-request-id"] in response.text
    assert '<html lang="zh-CN">' in response.text


def test_domain_errors_keep_the_built_in_bases_and_default_messages():
    assert isinstance(NotAllowed(), PermissionError)
    assert isinstance(NotFound(), LookupError)
    assert isinstance(InvalidState(), Conflict)
    assert all(e().message for e in (NotFound, NotAllowed, Conflict, InvalidState))
