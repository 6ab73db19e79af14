"""Products through the pages: create, validate, publish, withdraw, the public catalogue."""

from __future__ import annotations

from sqlalchemy import func, select

from hotpot.products.models import Product
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_enterprise, make_product, owner_of, product_form


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Product))


def _maker(client, db, **enterprise):
    e = make_enterprise(db, **enterprise)
    log_in(client, owner_of(db, e).email)
    return e


def test_create_publish_and_see_it_in_the_catalogue(client, make_client, db):
    enterprise = _maker(client, db)
    response = client.post("/my/products/new", data=product_form(name="大刀毛肚"))
    assert response.status_code == 303
    product = db.scalar(select(Product).where(Product.name == "大刀毛肚"))
    assert product.status == "draft"
    assert product.kind_code == "shuifa"
    visitor = make_client()
    assert visitor.get(f"/products/{product.id}").status_code == 404  # drafts are not public
    assert client.get(f"/products/{product.id}").status_code == 200  # but the owner sees it
    assert client.post(f"/my/products/{product.id}/publish", data={"version": product.version}).status_code == 303
    db.refresh(product)
    assert product.is_public
    detail = visitor.get(f"/products/{product.id}")
    assert detail.status_code == 200
    assert enterprise.name in detail.text
    assert "龙市镇" in detail.text
    assert "45–60 元/kg" in detail.text
    catalogue = visitor.get("/products", params={"kind": "shuifa"})
    assert "大刀毛肚" in catalogue.text
    client.post(f"/my/products/{product.id}/withdraw", data={"version": product.version})
    assert "大刀毛肚" not in visitor.get("/products").text


def test_published_product_of_pending_enterprise_is_not_public(client, db):
    enterprise = _maker(client, db, status="pending")
    product = make_product(db, enterprise=enterprise, name="待审企业的毛肚")
    assert product.status == "published"
    assert not product.is_public
    assert "企业认证后公开" in client.get("/my/enterprise").text


def test_product_rules_refused_and_nothing_written(client, db):
    _maker(client, db)
    cases = [
        ({"category": "shuifa"}, "category", "细分品类"),
        ({"category": "caviar"}, "category", "细分品类"),
        ({"name": "毛"}, "name", "至少需要 2 个字符"),
        ({"spec": "一袋"}, "spec", "净含量"),
        ({"storage": "warm"}, "storage", "有效的选项"),
        ({"shelf_life_days": "0"}, "shelf_life_days", "不能小于 1"),
        ({"standard_code": "ABC123"}, "standard_code", "GB/T 20712-2022"),
        ({"price_min": "-1"}, "price_min", "不能小于 0"),
        ({"price_min": "80", "price_max": "60"}, "price_max", "不能低于最低价"),
        ({"price_min": "", "price_max": "60"}, "price_min", "同时填写最低价"),
        ({"price_unit": "元/只羊"}, "price_unit", "请选择价格单位"),
        ({"min_order_unit": ""}, "min_order_unit", "起订量单位"),
    ]
    before = _count(db)
    for overrides, field, message in cases:
        response = client.post("/my/products/new", data=product_form(**overrides))
        assert response.status_code == 422, overrides
        error = response.text.split(f'id="err_{field}">')[1].split("</p>")[0]
        assert message in error, (field, error)
    assert _count(db) == before


def test_standard_codes_accepted():
    from hotpot.products.schemas import ProductIn

    for code in (
        "GB/T 20712-2022",
        "GB 2707-2016",
        "SB/T 10416-2007",
        "T/HCHG 001-2023",
        "Q/HC 0001S-2024",
        "gb/t 20712-2022",
        "DB50/T 1234-2022",
    ):
        assert ProductIn(**product_form(standard_code=code)).standard_code.startswith(("GB", "SB", "T/", "Q/", "DB"))


def test_another_producer_cannot_edit_or_publish(client, make_client, db):
    product = make_product(db)
    intruder = make_client()
    _maker(intruder, db)
    assert intruder.get(f"/my/products/{product.id}/edit").status_code == 403
    r = intruder.post(f"/my/products/{product.id}/edit", data={**product_form(name="改名"), "version": product.version})
    assert r.status_code == 403
    assert intruder.post(f"/my/products/{product.id}/withdraw", data={"version": product.version}).status_code == 403
    db.refresh(product)
    assert product.name == "千层毛肚"
    assert product.status == "published"


def test_stale_product_edit_409(client, db):
    enterprise = _maker(client, db)
    product = make_product(db, enterprise=enterprise)
    stale = product.version
    assert (
        client.post(
            f"/my/products/{product.id}/edit", data={**product_form(price_min="50"), "version": stale}
        ).status_code
        == 303
    )
    r = client.post(f"/my/products/{product.id}/edit", data={**product_form(price_min="40"), "version": stale})
    assert r.status_code == 409
    db.refresh(product)
    assert product.price_min == 50


def test_catalogue_filters_and_sort(client, db):
    a = make_enterprise(db, town="500117121")
    b = make_enterprise(db, town="500117125", park_group="none")
    make_product(
        db,
        enterprise=a,
        name="筛选冷冻虾滑",
        category="xiahua",
        storage="frozen",
        price_min="20",
        price_max="30",
        price_unit="元/kg",
        standard_code=None,
    )
    make_product(
        db,
        enterprise=b,
        name="筛选常温底料",
        category="niuyou-diliao",
        storage="ambient",
        price_min="200",
        price_max="260",
        price_unit="元/箱",
        standard_code="GB/T 20712-2022",
    )
    frozen = client.get("/products", params={"q": "筛选", "storage": "frozen"}).text
    assert "筛选冷冻虾滑" in frozen
    assert "筛选常温底料" not in frozen
    town = client.get("/products", params={"q": "筛选", "town": "500117125"}).text
    assert "筛选常温底料" in town
    assert "筛选冷冻虾滑" not in town
    by_category = client.get("/products", params={"category": "niuyou-diliao", "q": "筛选"}).text
    assert "筛选常温底料" in by_category
    cheap_first = client.get("/products", params={"q": "筛选", "sort": "price"}).text
    assert cheap_first.index("筛选冷冻虾滑") < cheap_first.index("筛选常温底料")
    dear_first = client.get("/products", params={"q": "筛选", "sort": "price_desc"}).text
    assert dear_first.index("筛选常温底料") < dear_first.index("筛选冷冻虾滑")


def test_catalogue_pagination_links_keep_filters(client, db):
    enterprise = make_enterprise(db)
    for i in range(3):
        make_product(db, enterprise=enterprise, name=f"翻页毛肚{i}")
    page = client.get("/products", params={"q": "翻页", "page_size": 2})
    assert "第 1 / 2 页" in page.text
    assert "q=%E7%BF%BB%E9%A1%B5" in page.text
    assert "page=2" in page.text


def test_buyer_cannot_create_products(client, db):
    log_in(client, make_user(db, role="buyer").email)
    assert client.post("/my/products/new", data=product_form()).status_code == 403


def test_filter_by_certificate_kind(client, db):
    from tests.certificates.builders import make_certificate

    with_green = make_enterprise(db)
    plain = make_enterprise(db)
    make_product(db, enterprise=with_green, name="认证筛选绿色毛肚")
    make_product(db, enterprise=plain, name="认证筛选普通毛肚")
    make_certificate(db, enterprise=with_green, kind="green_food", number="LB-28-2301000001A")
    page = client.get("/products", params={"q": "认证筛选", "certificate": "green_food"}).text
    assert "认证筛选绿色毛肚" in page
    assert "认证筛选普通毛肚" not in page
    api = client.get("/api/v1/products", params={"q": "认证筛选", "certificate": "green_food"}).json()
    assert [p["name"] for p in api["items"]] == ["认证筛选绿色毛肚"]


def test_catalogue_count_stops_at_the_cap(db):
    from hotpot.products import service

    enterprise = make_enterprise(db)
    for i in range(3):
        make_product(db, enterprise=enterprise, name=f"封顶计数毛肚{i}")
    filters = service.CatalogFilters(q="封顶计数")
    capped = service.catalog(db, filters=filters, sort=None, page=1, page_size=20, count_cap=2)
    assert capped.total == 2
    assert capped.total_capped
    assert len(capped.items) == 3
    exact = service.catalog(db, filters=filters, sort=None, page=1, page_size=20)
    assert exact.total == 3
    assert not exact.total_capped
    single = service.catalog(db, filters=service.CatalogFilters(q="肚"), sort=None, page=1, page_size=100)
    assert {p.name for p in single.items} >= {"封顶计数毛肚0", "封顶计数毛肚1", "封顶计数毛肚2"}


def test_catalogue_total_is_kept_until_a_product_changes_and_then_counted_again(client, make_client, db, engine):
    """The catalogue keeps each filter combination's total with the search index's version (products.service.
    catalog): the same list again runs no count, and a publish, a withdrawal or an enterprise's suspension shows at
    once on the next page, in any process (the version is read from the database)."""
    from sqlalchemy import event

    enterprise = _maker(client, db)
    for i in range(2):
        make_product(db, enterprise=enterprise, name=f"计总毛肚{i}")
    visitor = make_client()
    counts: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        if statement.lstrip().startswith("SELECT count(*)") and "FROM product" in statement:
            counts.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert "共 2 个产品" in visitor.get("/products", params={"q": "计总"}).text
        assert len(counts) == 1
        assert "共 2 个产品" in visitor.get("/products", params={"q": "计总"}).text
        assert len(counts) == 1  # kept: the index did not change
        assert "共 2 个产品" in visitor.get("/products", params={"q": "计总", "page": 2}).text
        assert len(counts) == 1  # another page of the same rows: the same total
        response = client.post("/my/products/new", data=product_form(name="计总毛肚新"))
        assert response.status_code == 303
        product = db.scalar(select(Product).where(Product.name == "计总毛肚新"))
        assert client.post(f"/my/products/{product.id}/publish", data={"version": product.version}).status_code == 303
        assert "共 3 个产品" in visitor.get("/products", params={"q": "计总"}).text
        assert len(counts) == 2
        db.refresh(product)
        client.post(f"/my/products/{product.id}/withdraw", data={"version": product.version})
        assert "共 2 个产品" in visitor.get("/products", params={"q": "计总"}).text
        from hotpot.enterprises import service as enterprise_service
        from hotpot.enterprises.schemas import StatusChangeIn

        db.refresh(enterprise)
        officer = make_user(db, role="admin")
        data = StatusChangeIn(action="suspend", reason="抽检不合格")
        enterprise_service.change_status(db, reviewer=officer, enterprise=enterprise, data=data)
        db.commit()  # the indexer rebuilds the products' documents (and bumps the version) before the commit
        assert "没有符合条件的产品" in visitor.get("/products", params={"q": "计总"}).text
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_catalogue_page_reads_its_cards_photos_and_badges_in_one_statement(client, make_client, db, engine):
    """Issue 12: the list page runs the index's version, its page (the total kept from the same list before) and
    one statement for every card's first photo and 爆品 badge; the photo shows on its own product's card only."""
    from sqlalchemy import event

    from tests.products.builders import make_photo

    enterprise = _maker(client, db)
    pictured = make_product(db, enterprise=enterprise, name="单句有图毛肚")
    make_product(db, enterprise=enterprise, name="单句无图毛肚")
    photo = make_photo(db, product=pictured)
    db.flush()
    visitor = make_client()
    assert visitor.get("/products", params={"q": "单句"}).status_code == 200  # counts the total, then keeps it
    statements: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # the test's transaction
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        page = visitor.get("/products", params={"q": "单句"}).text
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(statements) == 3, statements
    assert page.count('class="thumb"') == 1
    assert f"/products/{pictured.id}/photos/{photo.id}/thumb" in page
    assert "单句无图毛肚" in page
    # The cards are plain rows (products.service.ProductCard): each still says what the ORM product said.
    db.refresh(pictured)
    card = page[page.index("单句有图毛肚") - 600 : page.index("单句有图毛肚") + 900]
    for shown in (
        pictured.category.name,
        pictured.storage_label,
        pictured.price_label,
        pictured.enterprise.display_name,
        pictured.enterprise.location_label,
        f'href="/enterprises/{enterprise.id}"',
    ):
        assert shown in card, shown
