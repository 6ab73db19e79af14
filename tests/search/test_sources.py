"""Search sources: a bulk write followed by `reindex(kind, ids)` leaves search as a full rebuild would; the indexer
listens on the sessions it was installed on only; the domains declare what they feed, search imports none of them."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from hotpot.brands.models import Brand
from hotpot.enterprises.models import Enterprise
from hotpot.products.models import Product
from hotpot.reference.models import ChainLink, ProductCategory, Town
from hotpot.search import indexer, service, sources
from hotpot.search.engine import SearchParams
from hotpot.search.models import DOC_KINDS
from tests.bases.builders import make_base
from tests.brands.builders import make_brand_with_licence
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product

ROOT = Path(__file__).resolve().parents[2]

DOC_COLUMNS = (
    "kind, ref_id, enterprise_id, tsv::text, rank_tsv::text, tags, category_code, kind_code, town_code, park_group,"
    " storage, cert_kinds, brand_levels, price_min, price_max, unit_price_min, unit_price_max, listed_at, boost,"
    " display::text"
)


def snapshot(db: Session) -> dict[str, list[tuple]]:
    """Everything of the index a search reads, row for row (the dictionary terms apart: a rebuild weighs them by
    how many products each category has, writes never touch them)."""
    docs = db.execute(text(f"SELECT {DOC_COLUMNS} FROM search_doc ORDER BY kind, ref_id")).all()
    terms = db.execute(
        text(
            "SELECT source, ref_id, key, term, weight FROM search_term WHERE source NOT IN ('category', 'synonym')"
            " ORDER BY source, ref_id, key, term, weight"
        )
    ).all()
    prices = db.execute(text("SELECT id, unit_price_min, unit_price_max FROM product ORDER BY id")).all()
    return {"docs": [tuple(r) for r in docs], "terms": [tuple(r) for r in terms], "prices": [tuple(r) for r in prices]}


def names(db: Session, q: str) -> list[str]:
    return [item["name"] for item in service.search(db, SearchParams(q=q)).items]


@pytest.fixture
def catalogue(db):
    """Two verified enterprises with 24 public products, a licensed brand, a base and certificates, committed."""
    one = make_enterprise(db, name="重庆批量甲食品有限公司")
    two = make_enterprise(db, name="重庆批量乙食品有限公司")
    brand, _ = make_brand_with_licence(db, licensee=one)
    products = [
        make_product(db, enterprise=one if i % 2 else two, name=f"批量毛肚{i}号", category="maodu") for i in range(24)
    ]
    make_base(db, enterprise=two)
    make_certificate(db, enterprise=one, kind="sc")
    make_certificate(db, enterprise=two, kind="green_food", holder=f"product:{products[0].id}")
    db.commit()
    return {"enterprises": [one, two], "brand": brand, "products": products}


def _bulk_update_products(db: Session, ids: list[int]) -> None:
    """What an import of 100k rows does: one Core UPDATE, no ORM object passes the session's flush."""
    kind = db.scalar(select(ProductCategory.parent_code).where(ProductCategory.code == "yachang"))
    db.execute(
        update(Product)
        .where(Product.id.in_(ids))
        .values(
            name=func.replace(Product.name, "毛肚", "鸭肠"),
            spec="1kg/袋×10袋/箱",
            description="批量导入的新描述：鲜鸭肠，冷链直达。",
            price_min=Product.price_min + 3,
            category_code="yachang",
            kind_code=kind,
        )
    )
    # And one of them leaves the public set, as a bulk withdrawal would.
    db.execute(update(Product).where(Product.id == ids[0]).values(is_public=False, status="withdrawn"))


@pytest.mark.parametrize("reindexed", [True, False], ids=["with-reindex", "without-reindex"])
def test_a_bulk_core_update_of_products_then_reindex_leaves_search_equal_to_a_full_rebuild(db, catalogue, reindexed):
    ids = [p.id for p in catalogue["products"][:16]]
    before = snapshot(db)
    _bulk_update_products(db, ids)
    if reindexed:
        assert indexer.reindex(db, "product", ids) >= len(ids)
    db.commit()
    after = snapshot(db)
    counts = indexer.rebuild(db)
    rebuilt = snapshot(db)
    assert counts["product"] == 24 - 1
    assert len(rebuilt["docs"]) == len(before["docs"]) - 1
    if reindexed:
        assert after == rebuilt
        assert sorted(names(db, "批量鸭肠"))[:2] == ["批量鸭肠10号", "批量鸭肠11号"]
    else:
        # The writes went past the session: documents, the enterprises' category lists and the unit prices are
        # as before the update (which is what the call is for).
        assert after == before
        assert after["docs"] != rebuilt["docs"]
        assert after["prices"] != rebuilt["prices"]


def test_a_bulk_insert_then_reindex_makes_the_new_products_searchable(db, catalogue):
    template = catalogue["products"][1]
    columns = [c for c in Product.__table__.columns if c.name not in ("id", "created_at", "updated_at")]
    values = {c.name: getattr(template, c.key) for c in columns}
    rows = [{**values, "name": f"批量新增鸭血{i}号", "unit_price_min": None, "unit_price_max": None} for i in range(5)]
    new_ids = list(db.scalars(insert(Product).returning(Product.id), rows))
    assert names(db, "批量新增鸭血") == []
    indexer.reindex(db, "product", new_ids)
    db.commit()
    assert len(names(db, "批量新增鸭血")) == 5
    after = snapshot(db)
    indexer.rebuild(db)
    assert snapshot(db) == after


def test_a_bulk_update_of_enterprises_and_brands_then_reindex_reaches_the_documents_that_show_them(db, catalogue):
    one, two = catalogue["enterprises"]
    db.execute(update(Enterprise).where(Enterprise.id == one.id).values(name="重庆批量丙食品有限公司"))
    db.execute(update(Enterprise).where(Enterprise.id == two.id).values(status="suspended"))
    db.execute(update(Product).where(Product.enterprise_id == two.id).values(is_public=False))  # as the service does
    db.execute(update(Brand).where(Brand.id == catalogue["brand"].id).values(name="批量改名品牌", level="cluster"))
    indexer.reindex(db, "enterprise", [one.id, two.id])
    indexer.reindex(db, "brand", [catalogue["brand"].id])
    db.commit()
    after = snapshot(db)
    indexer.rebuild(db)
    assert snapshot(db) == after
    shown = {row[-1] for row in after["docs"] if row[0] == "product"}
    assert all("重庆批量丙食品有限公司" in display for display in shown)  # only the first one's products are left


def test_a_bulk_write_of_certificates_is_reindexed_through_a_wider_key(db, catalogue):
    one, _ = catalogue["enterprises"]
    db.execute(
        text(
            "UPDATE certificate SET kind = 'haccp', valid_until = :until WHERE enterprise_id = :e"
            " AND holder_type = 'enterprise'"
        ),
        {"e": one.id, "until": date(2030, 1, 1)},
    )
    indexer.reindex(db, sources.ENTERPRISE_PRODUCTS, [one.id])
    indexer.reindex(db, "enterprise", [one.id])
    db.commit()
    after = snapshot(db)
    indexer.rebuild(db)
    assert snapshot(db) == after


@pytest.mark.parametrize("reindexed", [True, False], ids=["with-reindex", "without-reindex"])
def test_renamed_reference_names_reach_every_document_that_shows_them(db, catalogue, reindexed):
    """A reference reload is a bulk upsert: the town's, the category's and the chain link's new names are in
    the enterprises', products' and bases' documents once the codes are reindexed."""
    before = snapshot(db)
    db.execute(update(Town).where(Town.code == "500117121").values(name="批量改名镇"))
    db.execute(update(ProductCategory).where(ProductCategory.code == "maodu").values(name="批量毛肚类"))
    db.execute(update(ChainLink).where(ChainLink.code == "deep_processing").values(name="批量深加工"))
    if reindexed:
        indexer.reindex(db, sources.TOWN, ["500117121"])
        indexer.reindex(db, sources.CATEGORY, ["maodu"])
        indexer.reindex(db, sources.CHAIN_LINK, ["deep_processing"])
    db.commit()
    after = snapshot(db)
    indexer.rebuild(db)
    if reindexed:
        assert snapshot(db) == after
        assert {row[0] for row in after["docs"] if "批量改名镇" in row[-1]} == {"product", "enterprise", "base"}
    else:
        assert after == before != snapshot(db)


def test_an_orm_edit_of_a_reference_name_is_tracked_like_any_other_write(db, catalogue):
    db.get(ProductCategory, "maodu").name = "改名毛肚"
    db.get(ChainLink, "deep_processing").name = "改名深加工"
    db.commit()
    after = snapshot(db)
    indexer.rebuild(db)
    assert snapshot(db) == after
    assert sum("改名毛肚" in row[-1] for row in after["docs"]) == 24 + 2  # its products and their enterprises


def test_reindex_refuses_a_kind_nobody_declares(db):
    with pytest.raises(ValueError, match="organisation"):
        indexer.reindex(db, "organisation", [1])
    assert indexer.reindex(db, "product", []) == 0


# --- where the indexer listens ---------------------------------------------------------------------------------


def test_only_the_sessions_of_an_installed_factory_are_indexed(connection, app, db):
    bare = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    make_product(bare, name="裸会话测试黄喉", category="huanghou")
    bare.commit()
    assert names(bare, "裸会话测试") == []
    bare.close()
    assert indexer.installed(app.state.session_factory)
    assert indexer.installed(db)
    with app.state.session_factory() as session:
        make_product(session, name="工厂会话测试黄喉", category="huanghou")
        session.commit()
        assert names(session, "工厂会话测试") == ["工厂会话测试黄喉"]
    # Installing on one factory did not install on the Session class every other session is made of.
    assert not indexer.installed(Session)


def test_the_cli_and_the_app_install_the_indexer_on_the_factories_they_build():
    from hotpot import cli, domains, main

    assert (
        "hotpot.search.indexer:install" in next(d for d in domains.installed() if d.name == "search").session_listeners
    )
    for module in (cli, main):
        assert "domains.prepare_session_factory(" in Path(module.__file__).read_text(encoding="utf-8")
    factory = domains.prepare_session_factory(sessionmaker())
    assert indexer.installed(factory)


# --- who declares what ---------------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_indexer_and_the_registry_import_no_domain_and_db_imports_no_search():
    for name in ("indexer.py", "sources.py"):
        hotpot = {m for m in _imports(ROOT / "hotpot" / "search" / name) if m.startswith("hotpot")}
        assert hotpot <= {"hotpot.search", "hotpot.search.text", "hotpot.search.terms", "hotpot.domains"}, name
    assert not {m for m in _imports(ROOT / "hotpot" / "db.py") if m.startswith("hotpot.search")}


def test_every_document_kind_is_declared_by_exactly_one_domain_next_to_its_models():
    registry = sources.registry()
    assert list(registry.kinds) == list(DOC_KINDS)
    owners = {k.name: s.name for s in registry.sources for k in s.kinds}
    assert owners == {"product": "products", "enterprise": "enterprises", "base": "bases", "brand": "brands"}
    for source in registry.sources:
        for model in source.touches:
            # A model's rules live in its own domain's search.py.
            assert model.__module__.split(".")[1] == source.name, (model, source.name)


def test_every_key_a_rule_yields_is_a_document_kind_or_a_declared_wider_key(db, catalogue):
    registry = sources.registry()
    seen = 0
    for source in registry.sources:
        for model in source.touches:
            for obj in db.scalars(select(model)):
                for key, _ in registry.keys_for(obj):
                    assert registry.knows(key), (model, key)
                    seen += 1
    assert seen > 24
