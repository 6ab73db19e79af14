"""Keeping search_doc and search_term equal to the public records, inside the writing transaction.

Every session remembers which records a flush touched (products, enterprises, bases, brands, licences,
certificates, photos). Before it commits, their documents are rebuilt from the database as it now stands:
a record that is public gets its row written, one that is not (withdrawn, suspended, deleted) loses it.
The same loaders rebuild everything for `hotpot search reindex`, in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer, String

from hotpot.search import text as tokens
from hotpot.search import unitprice

PENDING = "search_pending"
KINDS = ("product", "enterprise", "base", "brand")

# --- loaders: one SQL statement per kind, for some ids or for all -------------------------------------------------

PRODUCT_SQL = """
SELECT p.id, p.name, p.name_en, p.spec, p.description, p.standard_code, p.category_code, p.kind_code, p.storage,
       p.price_min, p.price_max, p.price_unit, p.published_at AS listed_at, p.enterprise_id,
       e.name AS enterprise_name, e.short_name, coalesce(e.town_code, 'outside') AS town_code,
       t.name AS town_name, e.park_group, c.name AS category_name, k.name AS kind_name,
       concat_ws('|', c.name_en, c.name_en_variants, k.name_en, k.name_en_variants) AS category_en,
       b.name AS brand_name, b.level AS brand_level,
       ARRAY(SELECT DISTINCT ce.kind FROM certificate ce
             WHERE ce.verification = 'verified'
               AND (ce.product_id = p.id OR (ce.enterprise_id = p.enterprise_id AND ce.holder_type = 'enterprise'))
       ) AS cert_kinds,
       ARRAY(SELECT DISTINCT br.level FROM brand_licence l JOIN brand br ON br.id = l.brand_id
             WHERE l.enterprise_id = p.enterprise_id AND l.revoked_at IS NULL
               AND (l.until_on IS NULL OR l.until_on >= current_date)) AS licence_levels,
       (SELECT ph.id FROM product_photo ph WHERE ph.product_id = p.id ORDER BY ph.position LIMIT 1) AS photo_id
FROM product p
JOIN enterprise e ON e.id = p.enterprise_id
LEFT JOIN town t ON t.code = e.town_code
JOIN product_category c ON c.code = p.category_code
JOIN product_category k ON k.code = p.kind_code
LEFT JOIN brand b ON b.id = p.brand_id
WHERE p.is_public AND {where}
ORDER BY p.category_code, p.id
"""

ENTERPRISE_SQL = """
SELECT e.id, e.name, e.short_name, e.description, coalesce(e.town_code, 'outside') AS town_code,
       t.name AS town_name, e.park_group, e.scale, e.logo_file_id,
       coalesce(e.status_changed_at, e.created_at) AS listed_at,
       ARRAY(SELECT DISTINCT ce.kind FROM certificate ce
             WHERE ce.enterprise_id = e.id AND ce.verification = 'verified'
               AND (ce.holder_type = 'enterprise'
                    OR EXISTS (SELECT 1 FROM product cp WHERE cp.id = ce.product_id AND cp.is_public)
                    OR EXISTS (SELECT 1 FROM base cb WHERE cb.id = ce.base_id AND cb.status = 'verified'))
       ) AS cert_kinds,
       ARRAY(SELECT DISTINCT br.level FROM brand br WHERE br.owner_enterprise_id = e.id
             UNION SELECT DISTINCT br.level FROM brand_licence l JOIN brand br ON br.id = l.brand_id
             WHERE l.enterprise_id = e.id AND l.revoked_at IS NULL
               AND (l.until_on IS NULL OR l.until_on >= current_date)) AS brand_levels,
       ARRAY(SELECT br.name FROM brand br WHERE br.owner_enterprise_id = e.id ORDER BY br.name) AS brand_names,
       ARRAY(SELECT c.name FROM product p JOIN product_category c ON c.code = p.category_code
             WHERE p.enterprise_id = e.id AND p.is_public
             GROUP BY c.name ORDER BY count(*) DESC, c.name) AS categories,
       ARRAY(SELECT DISTINCT p.category_code FROM product p
             WHERE p.enterprise_id = e.id AND p.is_public) AS category_codes,
       ARRAY(SELECT cl.name FROM enterprise_chain_link ecl JOIN chain_link cl ON cl.code = ecl.chain_link_code
             WHERE ecl.enterprise_id = e.id ORDER BY cl.position) AS chain_links,
       (SELECT count(*) FROM product p WHERE p.enterprise_id = e.id AND p.is_public) AS product_count
FROM enterprise e
LEFT JOIN town t ON t.code = e.town_code
WHERE e.status = 'verified' AND {where}
ORDER BY e.id
"""

BASE_SQL = """
SELECT ba.id, ba.name, ba.kind, ba.produce, ba.operator_name, ba.description, ba.town_code, t.name AS town_name,
       ba.standard_level, ba.enterprise_id, e.name AS enterprise_name, e.park_group, ba.created_at AS listed_at,
       ARRAY(SELECT DISTINCT ce.kind FROM certificate ce
             WHERE ce.base_id = ba.id AND ce.verification = 'verified') AS cert_kinds,
       (SELECT ph.id FROM base_photo ph WHERE ph.base_id = ba.id ORDER BY ph.position LIMIT 1) AS photo_id
FROM base ba
JOIN enterprise e ON e.id = ba.enterprise_id
JOIN town t ON t.code = ba.town_code
WHERE ba.status = 'verified' AND e.status = 'verified' AND {where}
ORDER BY ba.id
"""

BRAND_SQL = """
SELECT br.id, br.name, br.level, br.owner_body, br.owner_enterprise_id AS enterprise_id, br.honors,
       br.description, br.logo_file_id, br.created_at AS listed_at,
       e.name AS enterprise_name, coalesce(e.town_code, CASE WHEN e.id IS NOT NULL THEN 'outside' END) AS town_code,
       e.park_group
FROM brand br
LEFT JOIN enterprise e ON e.id = br.owner_enterprise_id
WHERE (br.owner_enterprise_id IS NULL OR e.status = 'verified') AND {where}
ORDER BY br.id
"""

SQL = {"product": PRODUCT_SQL, "enterprise": ENTERPRISE_SQL, "base": BASE_SQL, "brand": BRAND_SQL}
ALIAS = {"product": "p", "enterprise": "e", "base": "ba", "brand": "br"}


# A full rebuild writes products category by category: one query's matches (mostly of one or two categories)
# then sit on few pages, which a search reads far faster than rows spread over the whole table.


def _load(session: Session, kind: str, ids: list[int] | None) -> Iterator[dict[str, Any]]:
    alias = ALIAS[kind]
    if ids is None:
        stmt = text(SQL[kind].format(where="true"))
        params: dict[str, Any] = {}
    else:
        stmt = text(SQL[kind].format(where=f"{alias}.id = ANY(:ids)")).bindparams(
            bindparam("ids", type_=ARRAY(Integer))
        )
        params = {"ids": ids}
    result = session.execute(stmt.execution_options(yield_per=2000), params)
    for row in result.mappings():
        yield dict(row)


# --- documents ---------------------------------------------------------------------------------------------------


def _price_label(low, high, unit) -> str:
    from hotpot.products.models import price_label

    return price_label(low, high, unit)


def _doc(kind: str, r: dict[str, Any], vectors: tuple[str, str], **columns: Any) -> dict[str, Any]:
    """A search_doc row: the record's own columns over the defaults every kind shares."""
    tsv, rank = vectors
    row: dict[str, Any] = {
        "kind": kind,
        "ref_id": r["id"],
        "enterprise_id": r.get("enterprise_id"),
        "tsv": tsv,
        "rank_tsv": rank,
        "tags": [],
        "category_code": None,
        "kind_code": None,
        "town_code": r.get("town_code"),
        "park_group": r.get("park_group"),
        "storage": None,
        "cert_kinds": [],
        "brand_levels": [],
        "price_min": None,
        "price_max": None,
        "unit_price_min": None,
        "unit_price_max": None,
        "listed_at": r["listed_at"],
        "boost": 0.0,
    }
    row.update(columns)
    return row


def product_doc(r: dict[str, Any]) -> dict[str, Any]:
    from hotpot.products.models import STORAGE_SHORT

    levels = sorted({*(r["licence_levels"] or []), *([r["brand_level"]] if r["brand_level"] else [])})
    certs = sorted(r["cert_kinds"] or [])
    vectors = tokens.document_vectors(
        [
            (r["name"], "A", True),
            (r["name_en"], "A", False),  # English ranks like the name; the category's English names only match
            (r["category_name"], "B", True),
            (r["category_en"], "B", False),
            (r["brand_name"], "B", True),
            (r["spec"], "B", False),
            (r["kind_name"], "C", False),
            (STORAGE_SHORT.get(r["storage"]), "C", False),
            (r["standard_code"], "D", False),
            (r["description"], "D", False),
        ],
        rank_fields=2,
    )
    boost = 0.3 * bool(r["photo_id"]) + 0.1 * min(len(certs), 3) + 0.1 * (r["price_min"] is not None)
    unit_low = unitprice.per_kg(r["price_min"], r["price_unit"], r["spec"])
    unit_high = unitprice.per_kg(r["price_max"], r["price_unit"], r["spec"]) if unit_low is not None else None
    return _doc(
        "product",
        r,
        vectors,
        tags=[r["category_code"]],
        category_code=r["category_code"],
        kind_code=r["kind_code"],
        storage=r["storage"],
        cert_kinds=certs,
        brand_levels=levels,
        price_min=r["price_min"],
        price_max=r["price_max"],
        unit_price_min=unit_low,
        unit_price_max=unit_high if unit_high is not None else unit_low,
        boost=boost,
        display={
            "name": r["name"],
            "spec": r["spec"],
            "price": _price_label(r["price_min"], r["price_max"], r["price_unit"]),
            # What the price sort compares, shown where the price itself is not per kg.
            "unit_price": unitprice.label(unit_low, unit_high) if r["price_unit"] != "元/kg" else "",
            "storage": STORAGE_SHORT.get(r["storage"], r["storage"]),
            "category": r["category_name"],
            "enterprise_id": r["enterprise_id"],
            "enterprise": r["enterprise_name"],
            "town": r["town_name"] or "合川区外",
            "brand": r["brand_name"],
            "photo_id": r["photo_id"],
            "certs": certs,
        },
    )


def enterprise_doc(r: dict[str, Any]) -> dict[str, Any]:
    from hotpot.enterprises.models import PARK_GROUPS, SCALES

    certs = sorted(r["cert_kinds"] or [])
    categories = list(r["categories"] or [])
    vectors = tokens.document_vectors(
        [
            (r["name"], "A", True),
            (r["short_name"], "A", True),
            (" ".join(categories), "B", True),
            (" ".join(r["brand_names"] or []), "B", True),
            (" ".join(r["chain_links"] or []), "C", False),
            (r["town_name"], "C", False),
            (r["description"], "D", False),
        ],
        rank_fields=2,
    )
    return _doc(
        "enterprise",
        r,
        vectors,
        enterprise_id=r["id"],
        tags=sorted(r["category_codes"] or []),
        cert_kinds=certs,
        brand_levels=sorted(r["brand_levels"] or []),
        boost=0.1 * min(len(certs), 3) + 0.05 * min(r["product_count"], 10),
        display={
            "name": r["name"],
            "town": r["town_name"] or "合川区外",
            "park": PARK_GROUPS.get(r["park_group"]) if r["park_group"] != "none" else None,
            "scale": SCALES.get(r["scale"]),
            "categories": categories[:5],
            "product_count": r["product_count"],
            "logo": bool(r["logo_file_id"]),
            "certs": certs,
        },
    )


def base_doc(r: dict[str, Any]) -> dict[str, Any]:
    from hotpot.bases.models import BASE_KINDS, STANDARD_LEVELS

    certs = sorted(r["cert_kinds"] or [])
    vectors = tokens.document_vectors(
        [
            (r["name"], "A", True),
            (r["produce"], "B", True),
            (BASE_KINDS.get(r["kind"]), "C", False),
            (r["operator_name"], "C", False),
            (r["enterprise_name"], "C", True),
            (r["town_name"], "C", False),
            (r["description"], "D", False),
        ]
    )
    return _doc(
        "base",
        r,
        vectors,
        cert_kinds=certs,
        boost=0.3 * bool(r["photo_id"]) + 0.1 * min(len(certs), 3),
        display={
            "name": r["name"],
            "produce": r["produce"],
            "base_kind": BASE_KINDS.get(r["kind"]),
            "standard": STANDARD_LEVELS.get(r["standard_level"]) if r["standard_level"] != "none" else None,
            "town": r["town_name"],
            "enterprise_id": r["enterprise_id"],
            "enterprise": r["enterprise_name"],
            "photo_id": r["photo_id"],
            "certs": certs,
        },
    )


def brand_doc(r: dict[str, Any]) -> dict[str, Any]:
    from hotpot.brands.models import BRAND_LEVELS

    owner = r["enterprise_name"] or r["owner_body"]
    vectors = tokens.document_vectors(
        [
            (r["name"], "A", True),
            (owner, "C", True),
            (BRAND_LEVELS.get(r["level"]), "C", False),
            (r["honors"], "D", False),
            (r["description"], "D", False),
        ]
    )
    return _doc(
        "brand",
        r,
        vectors,
        brand_levels=[r["level"]],
        boost=0.5 if r["level"] in ("regional_public", "cluster") else 0.0,
        display={
            "name": r["name"],
            "level": BRAND_LEVELS.get(r["level"]),
            "owner": owner,
            "enterprise_id": r["enterprise_id"],
            "logo": bool(r["logo_file_id"]),
            "honors": r["honors"],
        },
    )


BUILDERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "product": product_doc,
    "enterprise": enterprise_doc,
    "base": base_doc,
    "brand": brand_doc,
}

UPSERT = text(
    """
    INSERT INTO search_doc (kind, ref_id, enterprise_id, tsv, rank_tsv, tags, category_code, kind_code, town_code,
                            park_group, storage, cert_kinds, brand_levels, price_min, price_max, unit_price_min,
                            unit_price_max, listed_at, boost, display)
    VALUES (:kind, :ref_id, :enterprise_id, CAST(:tsv AS tsvector), CAST(:rank_tsv AS tsvector), :tags,
            :category_code, :kind_code, :town_code, :park_group, :storage, :cert_kinds, :brand_levels, :price_min,
            :price_max, :unit_price_min, :unit_price_max, :listed_at, :boost, :display)
    ON CONFLICT (kind, ref_id) DO UPDATE SET
        enterprise_id = EXCLUDED.enterprise_id, tsv = EXCLUDED.tsv, rank_tsv = EXCLUDED.rank_tsv,
        tags = EXCLUDED.tags, category_code = EXCLUDED.category_code,
        kind_code = EXCLUDED.kind_code, town_code = EXCLUDED.town_code, park_group = EXCLUDED.park_group,
        storage = EXCLUDED.storage, cert_kinds = EXCLUDED.cert_kinds, brand_levels = EXCLUDED.brand_levels,
        price_min = EXCLUDED.price_min, price_max = EXCLUDED.price_max, unit_price_min = EXCLUDED.unit_price_min,
        unit_price_max = EXCLUDED.unit_price_max, listed_at = EXCLUDED.listed_at,
        boost = EXCLUDED.boost, display = EXCLUDED.display
    """
).bindparams(
    bindparam("tags", type_=ARRAY(String)),
    bindparam("cert_kinds", type_=ARRAY(String)),
    bindparam("brand_levels", type_=ARRAY(String)),
    bindparam("display", type_=JSONB),
)

# The catalogue sorts public products by the same unit price: it is kept on the product with its document.
PRODUCT_UNIT_PRICE = text(
    """
    UPDATE product SET unit_price_min = :unit_price_min, unit_price_max = :unit_price_max
    WHERE id = :ref_id AND (unit_price_min IS DISTINCT FROM :unit_price_min
                            OR unit_price_max IS DISTINCT FROM :unit_price_max)
    """
)

# Suggestions find enterprises and brands by name: their keys are kept with their documents.
TERM_SOURCES = {"enterprise": "enterprise", "brand": "brand"}


def _write(session: Session, kind: str, docs: list[dict[str, Any]]) -> None:
    if not docs:
        return
    session.execute(UPSERT, docs)
    if kind == "product":
        keys = ("ref_id", "unit_price_min", "unit_price_max")
        session.execute(PRODUCT_UNIT_PRICE, [{k: d[k] for k in keys} for d in docs])
    if kind in TERM_SOURCES:
        from hotpot.search.terms import insert_terms, term_rows

        rows = [row for d in docs for row in term_rows(d["display"]["name"], kind, d["ref_id"], weight=_weight(d))]
        insert_terms(session, rows)


def _weight(doc: dict[str, Any]) -> int:
    if doc["kind"] == "enterprise":
        return int(doc["display"]["product_count"])
    return 50 if doc["brand_levels"][0] in ("regional_public", "cluster") else 5


def refresh(session: Session, keys: dict[str, set[int]]) -> int:
    """Rebuild the documents of these records (kind → ids) from the database as this transaction sees it."""
    changed = 0
    for kind in KINDS:
        ids = sorted(keys.get(kind, ()))
        if not ids:
            continue
        docs = [BUILDERS[kind](r) for r in _load(session, kind, ids)]
        session.execute(
            text("DELETE FROM search_doc WHERE kind = :kind AND ref_id = ANY(:ids)").bindparams(
                bindparam("ids", type_=ARRAY(Integer))
            ),
            {"kind": kind, "ids": ids},
        )
        if kind in TERM_SOURCES:
            session.execute(
                text("DELETE FROM search_term WHERE source = :kind AND ref_id = ANY(:ids)").bindparams(
                    bindparam("ids", type_=ARRAY(Integer))
                ),
                {"kind": kind, "ids": ids},
            )
        _write(session, kind, docs)
        changed += len(ids)
    if changed:
        session.execute(text("UPDATE search_state SET data_version = nextval('search_version_seq')"))
    return changed


@dataclass
class ReindexProgress:
    kind: str
    done: int
    total: int


def reindex(session: Session, *, batch: int = 2000, progress: Callable[[ReindexProgress], None] | None = None) -> dict:
    """Rebuild every document and suggestion key; record the tokenizer version that built them."""
    from hotpot.search.terms import rebuild_dictionary_terms

    session.execute(text("DELETE FROM search_doc"))
    session.execute(text("DELETE FROM search_term"))
    counts: dict[str, int] = {}
    for kind in KINDS:
        count_sql = f"SELECT count(*) FROM ({SQL[kind].format(where='true')}) AS x"  # noqa: S608 - constants only
        total = session.scalar(text(count_sql)) or 0
        done = 0
        chunk: list[dict[str, Any]] = []
        for row in _load(session, kind, None):
            chunk.append(BUILDERS[kind](row))
            if len(chunk) >= batch:
                _write(session, kind, chunk)
                done += len(chunk)
                chunk = []
                if progress:
                    progress(ReindexProgress(kind, done, total))
        _write(session, kind, chunk)
        done += len(chunk)
        if progress:
            progress(ReindexProgress(kind, done, total))
        counts[kind] = done
    counts["terms"] = rebuild_dictionary_terms(session)
    session.execute(
        text(
            "UPDATE search_state SET tokenizer_version = :v, data_version = nextval('search_version_seq'),"
            " vocab_version = nextval('search_version_seq'), reindexed_at = :now"
        ),
        {"v": tokens.tokenizer_version(), "now": datetime.now(UTC)},
    )
    session.execute(text("ANALYZE search_doc"))
    return counts


# --- tracking writes in a session ----------------------------------------------------------------------------------


def _keys_for(obj: Any) -> Iterable[tuple[str, int]]:
    from hotpot.bases.models import BasePhoto, RawBase
    from hotpot.brands.models import Brand, BrandLicence
    from hotpot.certificates.models import Certificate
    from hotpot.enterprises.models import Enterprise
    from hotpot.products.models import Product
    from hotpot.products.photos import ProductPhoto

    if isinstance(obj, Product):
        yield ("product", obj.id)
        yield ("enterprise", obj.enterprise_id)  # its category list and product count
    elif isinstance(obj, Enterprise):
        yield ("enterprise", obj.id)
        yield ("enterprise-all", obj.id)
    elif isinstance(obj, RawBase):
        yield ("base", obj.id)
        yield ("enterprise", obj.enterprise_id)  # its certificates count once the base is verified
    elif isinstance(obj, Brand):
        yield ("brand", obj.id)
        if obj.owner_enterprise_id:
            yield ("enterprise", obj.owner_enterprise_id)
        yield ("brand-products", obj.id)
    elif isinstance(obj, BrandLicence):
        yield ("enterprise", obj.enterprise_id)
        yield ("enterprise-products", obj.enterprise_id)
    elif isinstance(obj, Certificate):
        yield ("enterprise", obj.enterprise_id)
        if obj.product_id:
            yield ("product", obj.product_id)
        elif obj.base_id:
            yield ("base", obj.base_id)
        else:
            yield ("enterprise-products", obj.enterprise_id)
    elif isinstance(obj, ProductPhoto):
        yield ("product", obj.product_id)
    elif isinstance(obj, BasePhoto):
        yield ("base", obj.base_id)


def _expand(session: Session, raw: set[tuple[str, int]]) -> dict[str, set[int]]:
    """Turn tracked keys into documents: an enterprise's change reaches its products, bases and brands."""
    keys: dict[str, set[int]] = {k: set() for k in KINDS}
    product_enterprises, all_enterprises, brand_ids = set(), set(), set()
    for kind, ref in raw:
        if ref is None:
            continue
        if kind in keys:
            keys[kind].add(ref)
        elif kind == "enterprise-all":
            all_enterprises.add(ref)
        elif kind == "enterprise-products":
            product_enterprises.add(ref)
        elif kind == "brand-products":
            brand_ids.add(ref)
    ids = ARRAY(Integer)
    if all_enterprises | product_enterprises:
        rows = session.execute(
            text("SELECT id FROM product WHERE enterprise_id = ANY(:e)").bindparams(bindparam("e", type_=ids)),
            {"e": sorted(all_enterprises | product_enterprises)},
        )
        keys["product"].update(r[0] for r in rows)
        # Their documents may exist although the rows are gone from the public set: drop those too.
        rows = session.execute(
            text("SELECT kind, ref_id FROM search_doc WHERE enterprise_id = ANY(:e)").bindparams(
                bindparam("e", type_=ids)
            ),
            {"e": sorted(all_enterprises)},
        )
        for kind, ref in rows:
            keys[kind].add(ref)
    if all_enterprises:
        e = {"e": sorted(all_enterprises)}
        keys["base"].update(
            r[0]
            for r in session.execute(
                text("SELECT id FROM base WHERE enterprise_id = ANY(:e)").bindparams(bindparam("e", type_=ids)), e
            )
        )
        keys["brand"].update(
            r[0]
            for r in session.execute(
                text("SELECT id FROM brand WHERE owner_enterprise_id = ANY(:e)").bindparams(bindparam("e", type_=ids)),
                e,
            )
        )
    if brand_ids:
        keys["product"].update(
            r[0]
            for r in session.execute(
                text("SELECT id FROM product WHERE brand_id = ANY(:b)").bindparams(bindparam("b", type_=ids)),
                {"b": sorted(brand_ids)},
            )
        )
    return keys


def _before_commit(session: Session) -> None:
    if session.info.get("search_disabled"):
        return
    session.flush()
    raw = session.info.pop(PENDING, set())
    if not raw:
        return
    refresh(session, _expand(session, raw))
    session.info.pop(PENDING, None)


def install() -> None:
    """Listen on every Session: called once when the app or the CLI starts."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)


def _after_flush(session: Session, flush_context) -> None:
    # After the flush every new object has its id; deleted ones still carry theirs.
    pending: set = session.info.setdefault(PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        pending.update(_keys_for(obj))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
