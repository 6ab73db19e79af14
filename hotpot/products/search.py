"""What products feed to search: the product document, and which writes of products and photos touch it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hotpot.products.models import STORAGE_SHORT, Product, price_label
from hotpot.products.photos import ProductPhoto
from hotpot.search import sources, unitprice
from hotpot.search import text as tokens

# A full rebuild writes products category by category: one query's matches (mostly of one or two categories)
# then sit on few pages, which a search reads far faster than rows spread over the whole table.
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


def product_doc(r: dict[str, Any]) -> dict[str, Any]:
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
    return sources.document(
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
            "price": price_label(r["price_min"], r["price_max"], r["price_unit"]),
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


# The catalogue sorts public products by the same unit price: it is kept on the product with its document.
PRODUCT_UNIT_PRICE = text(
    """
    UPDATE product SET unit_price_min = :unit_price_min, unit_price_max = :unit_price_max
    WHERE id = :ref_id AND (unit_price_min IS DISTINCT FROM :unit_price_min
                            OR unit_price_max IS DISTINCT FROM :unit_price_max)
    """
)


def _keep_unit_prices(session: Session, docs: list[dict[str, Any]]) -> None:
    keys = ("ref_id", "unit_price_min", "unit_price_max")
    session.execute(PRODUCT_UNIT_PRICE, [{k: d[k] for k in keys} for d in docs])


def _product(product: Product) -> Iterator[tuple[str, int | None]]:
    yield ("product", product.id)
    yield ("enterprise", product.enterprise_id)  # its category list and product count


def _photo(photo: ProductPhoto) -> Iterator[tuple[str, int | None]]:
    yield ("product", photo.product_id)


OF_ENTERPRISES = "SELECT 'product', id FROM product WHERE enterprise_id = ANY(:ids)"

SOURCE = sources.Source(
    name="products",
    kinds=(
        sources.DocumentKind(
            name="product",
            rows=PRODUCT_SQL,
            id_column="p.id",
            build=product_doc,
            position=1,
            # Its enterprise, now and as its document had it (a product moved or deleted in bulk).
            related="SELECT 'enterprise', enterprise_id FROM product WHERE id = ANY(:ids)"
            " UNION SELECT 'enterprise', enterprise_id FROM search_doc WHERE kind = 'product' AND ref_id = ANY(:ids)",
            after_write=_keep_unit_prices,
        ),
    ),
    touches={Product: _product, ProductPhoto: _photo},
    reaches={
        sources.ENTERPRISE_ALL: OF_ENTERPRISES,
        sources.ENTERPRISE_PRODUCTS: OF_ENTERPRISES,
        sources.BRAND_PRODUCTS: "SELECT 'product', id FROM product WHERE brand_id = ANY(:ids)",
        sources.TOWN: "SELECT 'product', p.id FROM product p JOIN enterprise e ON e.id = p.enterprise_id"
        " WHERE e.town_code = ANY(:ids)",
        sources.CATEGORY: "SELECT 'product', id FROM product WHERE category_code = ANY(:ids) OR kind_code = ANY(:ids)",
    },
)
