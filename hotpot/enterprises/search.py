"""What enterprises feed to search: the enterprise document and its name's suggestion keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hotpot.enterprises.models import PARK_GROUPS, SCALES, Enterprise
from hotpot.search import sources
from hotpot.search import text as tokens

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


def enterprise_doc(r: dict[str, Any]) -> dict[str, Any]:
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
    return sources.document(
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


def _enterprise(enterprise: Enterprise) -> Iterator[tuple[str, int | None]]:
    yield ("enterprise", enterprise.id)
    yield (sources.ENTERPRISE_ALL, enterprise.id)


def _weight(doc: dict[str, Any]) -> int:
    return int(doc["display"]["product_count"])


SOURCE = sources.Source(
    name="enterprises",
    kinds=(
        sources.DocumentKind(
            name="enterprise",
            rows=ENTERPRISE_SQL,
            id_column="e.id",
            build=enterprise_doc,
            position=2,
            related="SELECT 'enterprise-all', e FROM unnest(CAST(:ids AS integer[])) AS e",
            term_weight=_weight,
        ),
    ),
    touches={Enterprise: _enterprise},
    reaches={
        sources.TOWN: "SELECT 'enterprise', id FROM enterprise WHERE town_code = ANY(:ids)",
        sources.CATEGORY: "SELECT DISTINCT 'enterprise', enterprise_id FROM product WHERE category_code = ANY(:ids)",
        sources.CHAIN_LINK: "SELECT 'enterprise', enterprise_id FROM enterprise_chain_link"
        " WHERE chain_link_code = ANY(:ids)",
    },
)
