"""What raw-material bases feed to search: the base document, and which writes of bases and photos touch it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hotpot.bases.models import BASE_KINDS, STANDARD_LEVELS, BasePhoto, RawBase
from hotpot.search import sources
from hotpot.search import text as tokens

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


def base_doc(r: dict[str, Any]) -> dict[str, Any]:
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
    return sources.document(
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


def _base(base: RawBase) -> Iterator[tuple[str, int | None]]:
    yield ("base", base.id)
    yield ("enterprise", base.enterprise_id)  # its certificates count once the base is verified


def _photo(photo: BasePhoto) -> Iterator[tuple[str, int | None]]:
    yield ("base", photo.base_id)


SOURCE = sources.Source(
    name="bases",
    kinds=(
        sources.DocumentKind(
            name="base",
            rows=BASE_SQL,
            id_column="ba.id",
            build=base_doc,
            position=3,
            related="SELECT 'enterprise', enterprise_id FROM base WHERE id = ANY(:ids)"
            " UNION SELECT 'enterprise', enterprise_id FROM search_doc WHERE kind = 'base' AND ref_id = ANY(:ids)",
        ),
    ),
    touches={RawBase: _base, BasePhoto: _photo},
    reaches={
        sources.ENTERPRISE_ALL: "SELECT 'base', id FROM base WHERE enterprise_id = ANY(:ids)",
        sources.TOWN: "SELECT 'base', id FROM base WHERE town_code = ANY(:ids)",
    },
)
