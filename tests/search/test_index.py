"""The index follows every write in the writing transaction: publish, edit, withdraw, suspend, certify."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.schemas import StatusChangeIn
from hotpot.products import service as product_service
from hotpot.products.schemas import ProductIn
from hotpot.search import indexer, service
from hotpot.search.engine import SearchParams
from hotpot.search.models import SearchDoc, SearchState
from tests.auth.builders import make_user
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product, owner_of, product_form


def names(db, q: str, **filters) -> list[str]:
    return [item["name"] for item in service.search(db, SearchParams(q=q, **filters)).items]


def test_a_published_product_is_found_after_its_commit_and_a_draft_is_not(db):
    enterprise = make_enterprise(db, name="重庆索引测试食品有限公司")
    make_product(db, enterprise=enterprise, name="索引测试鸭血旺", category="ya-xue")
    make_product(db, enterprise=enterprise, name="索引草稿鸭血", category="ya-xue", published=False)
    db.commit()
    assert names(db, "索引测试鸭血") == ["索引测试鸭血旺"]
    assert names(db, "yxw") == ["索引测试鸭血旺"]
    assert names(db, "索引草稿") == []
    assert [i["name"] for i in service.search(db, SearchParams(q="索引测试", type="enterprise")).items] == [
        "重庆索引测试食品有限公司"
    ]


def test_an_edit_replaces_the_old_words(db):
    product = make_product(db, name="改名前的毛肚")
    db.commit()
    assert names(db, "改名前") == ["改名前的毛肚"]
    data = ProductIn(**product_form(name="改名后的毛肚"))
    product_service.edit(db, user=owner_of(db, product.enterprise), product=product, data=data, version=None)
    db.commit()
    assert names(db, "改名前") == []
    assert names(db, "改名后") == ["改名后的毛肚"]


def test_withdrawing_removes_the_product(db):
    product = make_product(db, name="将下架的黄喉", category="huanghou")
    db.commit()
    assert names(db, "将下架") == ["将下架的黄喉"]
    product_service.set_published(
        db, user=owner_of(db, product.enterprise), product=product, published=False, version=None
    )
    db.commit()
    assert names(db, "将下架") == []


def test_suspending_an_enterprise_hides_it_and_its_products_until_reinstated(db):
    enterprise = make_enterprise(db, name="重庆暂停测试食品有限公司")
    make_product(db, enterprise=enterprise, name="暂停测试郡花", category="junhua")
    db.commit()
    reviewer = make_user(db, role="reviewer")
    change = StatusChangeIn(action="suspend", reason="许可证过期")
    enterprise_service.change_status(db, reviewer=reviewer, enterprise=enterprise, data=change)
    db.commit()
    assert names(db, "暂停测试") == []
    assert service.search(db, SearchParams(q="暂停测试", type="enterprise")).total == 0
    change = StatusChangeIn(action="reinstate")
    enterprise_service.change_status(db, reviewer=reviewer, enterprise=enterprise, data=change)
    db.commit()
    assert names(db, "暂停测试") == ["暂停测试郡花"], _index_of(db, enterprise.id)


def _index_of(db, enterprise_id: int) -> str:
    """What the index and the records say of an enterprise, for a failure's message (CI saw this fail once)."""
    docs = db.execute(
        text("SELECT kind, ref_id, tsv::text FROM search_doc WHERE enterprise_id = :e"), {"e": enterprise_id}
    ).all()
    products = db.execute(
        text("SELECT id, status, is_public FROM product WHERE enterprise_id = :e"), {"e": enterprise_id}
    ).all()
    status = db.execute(text("SELECT status FROM enterprise WHERE id = :e"), {"e": enterprise_id}).scalar()
    versions = db.execute(text("SELECT data_version, vocab_version FROM search_state")).all()
    return f"enterprise {status}; products {products}; documents {docs}; search_state {versions}"


def test_a_verified_certificate_reaches_the_facets_and_the_filter(db):
    enterprise = make_enterprise(db)
    make_product(db, enterprise=enterprise, name="证书测试虾滑", category="xiahua", storage="frozen")
    db.commit()
    result = service.search(db, SearchParams(q="证书测试"))
    assert dict(result.facets["cert"]) == {}
    assert names(db, "证书测试", cert="sc") == []
    make_certificate(db, enterprise=enterprise, kind="sc")
    db.commit()
    result = service.search(db, SearchParams(q="证书测试"))
    assert dict(result.facets["cert"]) == {"sc": 1}
    assert dict(result.facets["verified"]) == {"yes": 1}
    assert names(db, "证书测试", cert="sc") == ["证书测试虾滑"]


def test_a_rolled_back_write_leaves_no_document(engine):
    from hotpot.db import make_session_factory

    factory = indexer.install(make_session_factory(engine))
    with factory() as session:
        try:
            make_product(session, name="回滚测试鱼丸", category="yuwan")
            session.flush()
            raise RuntimeError("the request failed")
        except RuntimeError:
            session.rollback()
    with factory() as session:
        assert names(session, "回滚测试") == []


def test_facet_counts_leave_out_their_own_filter_but_apply_the_others(db):
    enterprise = make_enterprise(db)
    make_product(db, enterprise=enterprise, name="分面测试毛肚甲", storage="frozen")
    make_product(db, enterprise=enterprise, name="分面测试毛肚乙", storage="chilled")
    make_product(db, enterprise=enterprise, name="分面测试鸭肠", category="yachang", storage="chilled")
    db.commit()
    result = service.search(db, SearchParams(q="分面测试", storage="chilled", category="maodu"))
    assert result.total == 1
    # The storage facet counts the 毛肚 of every storage; the category facet counts chilled products of any category.
    assert dict(result.facets["storage"]) == {"frozen": 1, "chilled": 1}
    assert dict(result.facets["category"]) == {"maodu": 1, "yachang": 1}


def test_a_condition_alone_counts_its_own_facet_over_the_whole_type_as_the_index_changes(db):
    # 速冻 is read as the storage condition alone: the products shown are the frozen ones, the storage facet counts
    # every product (from the figures a process keeps per index version), the other facets the frozen ones.
    enterprise = make_enterprise(db)
    make_product(db, enterprise=enterprise, name="条件测试毛肚", storage="frozen")
    make_product(db, enterprise=enterprise, name="条件测试鸭肠", category="yachang", storage="chilled")
    db.commit()
    result = service.search(db, SearchParams(q="速冻"))
    assert [c.kind for c in result.applied] == ["storage"]
    assert [item["name"] for item in result.items] == ["条件测试毛肚"]
    assert dict(result.facets["storage"]) == {"frozen": 1, "chilled": 1}
    assert dict(result.facets["category"]) == {"maodu": 1}
    make_product(db, enterprise=enterprise, name="条件测试黄喉", category="huanghou", storage="chilled")
    db.commit()
    result = service.search(db, SearchParams(q="速冻"))
    assert dict(result.facets["storage"]) == {"frozen": 1, "chilled": 2}
    assert dict(result.facets["category"]) == {"maodu": 1}
    assert result.total == 1


def test_reindex_builds_the_same_documents_as_the_writes_did(db):
    product = make_product(db, name="重建测试虾仁", category="xiaren")
    db.commit()
    before = db.execute(
        select(SearchDoc.tsv, SearchDoc.display).where(SearchDoc.kind == "product", SearchDoc.ref_id == product.id)
    ).one()
    counts = indexer.rebuild(db)
    assert counts["product"] >= 1
    after = db.execute(
        select(SearchDoc.tsv, SearchDoc.display).where(SearchDoc.kind == "product", SearchDoc.ref_id == product.id)
    ).one()
    assert tuple(before) == tuple(after)
    assert service.status(db).needs_reindex is False


def test_status_tells_when_the_tokenizer_changed(db):
    db.execute(text("UPDATE search_state SET tokenizer_version = '0-old'"))
    status = service.status(db)
    assert status.needs_reindex
    assert status.stored_version == "0-old"


def test_every_index_write_bumps_the_version_that_keys_the_caches(db):
    before = db.get(SearchState, 1).data_version
    make_product(db, name="版本测试")
    db.commit()
    db.expire_all()
    assert db.get(SearchState, 1).data_version != before


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_query_runs_nothing(db, q):
    result = service.search(db, SearchParams(q=q))
    assert result.total == 0
    assert result.items == []
    assert result.parsed is None


# --- the comparable unit price (searchui) --------------------------------------------------------------------------


def _unit_prices(db, product_id: int) -> tuple:
    from sqlalchemy import text

    doc = db.execute(
        text("SELECT unit_price_min, unit_price_max FROM search_doc WHERE kind = 'product' AND ref_id = :id"),
        {"id": product_id},
    ).one()
    own = db.execute(text("SELECT unit_price_min, unit_price_max FROM product WHERE id = :id"), {"id": product_id})
    return tuple(doc), tuple(own.one())


def test_a_published_product_gets_its_price_per_kg_and_an_edit_recomputes_it(db):
    from decimal import Decimal

    product = make_product(
        db, name="折算单价毛肚", spec="500g/袋×20袋/箱", price_unit="元/箱", price_min="400", price_max="500"
    )
    db.commit()
    assert _unit_prices(db, product.id) == ((Decimal("40.00"), Decimal("50.00")),) * 2
    data = ProductIn(**product_form(name="折算单价毛肚", spec="5L/桶×4桶/件", price_unit="元/件"))
    product_service.edit(db, user=owner_of(db, product.enterprise), product=product, data=data, version=None)
    db.commit()
    assert _unit_prices(db, product.id) == ((None, None),) * 2


def test_the_catalogue_sorts_by_the_price_per_kg(client, db):
    enterprise = make_enterprise(db, name="重庆单价排序食品有限公司")

    def make(name, spec, unit, price):
        make_product(db, enterprise=enterprise, name=name, spec=spec, price_unit=unit, price_min=price, price_max=price)

    # 300 元 for a 20 kg box is 15 元/kg; 20 元/kg as it is; 100 元 for a 5 kg box is 20 元/kg; a volume has none.
    make("单价二十", "1kg/袋", "元/kg", "20")
    make("单价十五", "1kg/袋×20袋/箱", "元/箱", "300")
    make("单价未知", "5L/桶×4桶/件", "元/件", "9")
    make("单价整箱", "5kg/箱", "元/箱", "100")
    db.commit()
    names = ("单价十五", "单价二十", "单价整箱", "单价未知")

    def order(sort):
        html = client.get("/products", params={"q": "单价", "sort": sort}).text
        return sorted(names, key=html.index)

    # Equal prices per kg: the lower own price first (ascending), the higher first (descending).
    assert order("price") == ["单价十五", "单价二十", "单价整箱", "单价未知"]
    assert order("price_desc") == ["单价整箱", "单价二十", "单价十五", "单价未知"]
