"""What brands feed to search: the brand document and its suggestion keys; brands and licences in other documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hotpot.brands.models import BRAND_LEVELS, Brand, BrandLicence
from hotpot.search import sources
from hotpot.search import text as tokens

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


def brand_doc(r: dict[str, Any]) -> dict[str, Any]:
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
    return sources.document(
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


def _brand(brand: Brand) -> Iterator[tuple[str, int | None]]:
    yield ("brand", brand.id)
    if brand.owner_enterprise_id:
        yield ("enterprise", brand.owner_enterprise_id)
    yield (sources.BRAND_PRODUCTS, brand.id)


def _licence(licence: BrandLicence) -> Iterator[tuple[str, int | None]]:
    yield ("enterprise", licence.enterprise_id)
    yield (sources.ENTERPRISE_PRODUCTS, licence.enterprise_id)


def _weight(doc: dict[str, Any]) -> int:
    return 50 if doc["brand_levels"][0] in ("regional_public", "cluster") else 5


SOURCE = sources.Source(
    name="brands",
    kinds=(
        sources.DocumentKind(
            name="brand",
            rows=BRAND_SQL,
            id_column="br.id",
            build=brand_doc,
            position=4,
            related="SELECT 'enterprise', owner_enterprise_id FROM brand"
            " WHERE id = ANY(:ids) AND owner_enterprise_id IS NOT NULL"
            " UNION SELECT 'enterprise', enterprise_id FROM search_doc"
            " WHERE kind = 'brand' AND ref_id = ANY(:ids) AND enterprise_id IS NOT NULL"
            " UNION SELECT 'brand-products', b FROM unnest(CAST(:ids AS integer[])) AS b",
            term_weight=_weight,
        ),
    ),
    touches={Brand: _brand, BrandLicence: _licence},
    reaches={sources.ENTERPRISE_ALL: "SELECT 'brand', id FROM brand WHERE owner_enterprise_id = ANY(:ids)"},
)
