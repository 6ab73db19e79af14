"""A product's optional English trade name: form, validation, detail page, API and search."""

from __future__ import annotations

from sqlalchemy import func, select

from hotpot.products import service as product_service
from hotpot.products.models import Product
from hotpot.products.schemas import ProductIn
from hotpot.search import service as search
from hotpot.search.engine import SearchParams
from tests.auth.builders import log_in
from tests.enterprises.builders import make_enterprise, make_product, owner_of, product_form
from tests.enterprises.test_api import _auth


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Product))


def _error(response, field: str) -> str:
    return response.text.split(f'id="err_{field}">')[1].split("</p>")[0]


def test_the_form_offers_the_english_name_with_its_help(client, db):
    log_in(client, owner_of(db, make_enterprise(db)).email)
    page = client.get("/my/products/new").text
    assert "英文名称（选填）" in page
    assert "出口或外商采购时使用，如 Beef omasum" in page
    assert 'name="name_en"' in page


def test_an_english_name_is_saved_shown_under_the_chinese_name_and_kept_on_edit(client, make_client, db):
    log_in(client, owner_of(db, make_enterprise(db)).email)
    response = client.post("/my/products/new", data=product_form(name="英文名毛肚", name_en="  Premium   beef omasum "))
    assert response.status_code == 303
    product = db.scalar(select(Product).where(Product.name == "英文名毛肚"))
    assert product.name_en == "Premium beef omasum"  # spaces folded
    client.post(f"/my/products/{product.id}/publish", data={"version": product.version})
    detail = make_client().get(f"/products/{product.id}").text
    head = detail.split("<h1>")[1]
    assert head.index("英文名毛肚") < head.index('<p class="name-en" lang="en" translate="no">Premium beef omasum</p>')
    db.refresh(product)
    assert 'value="Premium beef omasum"' in client.get(f"/my/products/{product.id}/edit").text
    # Clearing the field removes the name.
    form = product_form(name="英文名毛肚", name_en="", version=str(product.version))
    assert client.post(f"/my/products/{product.id}/edit", data=form).status_code == 303
    db.refresh(product)
    assert product.name_en is None
    assert "name-en" not in make_client().get(f"/products/{product.id}").text


def test_a_bad_english_name_is_refused_next_to_its_field_with_the_other_errors_and_nothing_saved(client, db):
    log_in(client, owner_of(db, make_enterprise(db)).email)
    before = _count(db)
    response = client.post("/my/products/new", data=product_form(name="毛", name_en="千层毛肚 tripe"))
    assert response.status_code == 422
    assert "英文字母" in _error(response, "name_en")
    assert "至少需要 2 个字符" in _error(response, "name")  # one round: both errors at once
    assert 'value="千层毛肚 tripe"' in response.text  # the input is kept
    for bad, message in [("x" * 121, "不能超过 120 个字符"), ("1234", "英文字母"), ("Beef <b>", "英文字母")]:
        response = client.post("/my/products/new", data=product_form(name_en=bad))
        assert response.status_code == 422, bad
        assert message in _error(response, "name_en"), bad
    assert _count(db) == before


def test_full_width_letters_from_a_chinese_keyboard_are_accepted_as_plain_ones():
    data = ProductIn(**product_form(name_en="Ｔｈｏｕｓａｎｄ－ｌａｙｅｒ ｔｏｆｕ（５００ｇ）"))
    assert data.name_en == "Thousand-layer tofu(500g)"
    assert ProductIn(**product_form(name_en="Chili & garlic dip, 2.5kg/bag")).name_en == "Chili & garlic dip, 2.5kg/bag"
    assert ProductIn(**product_form(name_en="   ")).name_en is None


def test_the_api_reads_and_writes_the_english_name(client, db):
    enterprise = make_enterprise(db)
    auth = _auth(db, owner_of(db, enterprise))
    db.flush()
    form = product_form(name="接口英文名毛肚", name_en="Beef tripe")
    created = client.post("/api/v1/products", json=form, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name_en"] == "Beef tripe"
    assert client.get(f"/api/v1/products/{body['id']}", headers=auth).json()["name_en"] == "Beef tripe"
    etag = created.headers["ETag"]
    bad = client.put(
        f"/api/v1/products/{body['id']}",
        json=product_form(name="接口英文名毛肚", name_en="毛肚"),
        headers={**auth, "If-Match": etag},
    )
    assert bad.status_code == 422
    assert "name_en" in bad.text
    assert "英文字母" in bad.text
    good = client.put(
        f"/api/v1/products/{body['id']}",
        json=product_form(name="接口英文名毛肚", name_en="Black tripe"),
        headers={**auth, "If-Match": etag},
    )
    assert good.status_code == 200, good.text
    assert good.json()["name_en"] == "Black tripe"


def test_the_english_name_is_audited(db):
    product = make_product(db, name="审计英文名毛肚")
    data = ProductIn(**product_form(name="审计英文名毛肚", name_en="Book tripe"))
    product_service.edit(db, user=owner_of(db, product.enterprise), product=product, data=data, version=None)
    from hotpot.audit.models import AuditEvent

    event = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(product.id), AuditEvent.action == "product.update")
    ).one()
    assert event.before["name_en"] is None
    assert event.after["name_en"] == "Book tripe"


def test_search_finds_a_product_by_its_own_english_name_and_plural(db):
    enterprise = make_enterprise(db, name="重庆英文检索食品有限公司")
    make_product(db, enterprise=enterprise, name="英文检索鸭血", category="ya-xue", name_en="Velvety blood cubes")
    make_product(db, enterprise=enterprise, name="英文检索另一鸭血", category="ya-xue")
    db.commit()
    for q in ("velvety blood cubes", "Velvety cube", "VELVETY"):
        names = [i["name"] for i in search.search(db, SearchParams(q=q)).items]
        assert names == ["英文检索鸭血"], q
