"""Load reference data (towns, chain links, SC food classes) from seed_data/, idempotently."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from hotpot.reference.models import ChainLink, FoodClass, ProductCategory, Town
from hotpot.resources import resource_dir


def _rows(name: str) -> list[dict[str, str]]:
    path: Path = resource_dir("seed_data") / name
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _upsert(session: Session, model, rows: list[dict], key: str) -> int:
    if not rows:
        return 0
    stmt = insert(model).values(rows)
    columns = {c: stmt.excluded[c] for c in rows[0] if c != key}
    session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=columns))
    return len(rows)


def load_reference(session: Session) -> dict[str, int]:
    """Insert or update every reference table; return how many rows each has."""
    _cache.clear()
    return {
        "town": _upsert(session, Town, _rows("towns.csv"), "code"),
        "chain_link": _upsert(
            session,
            ChainLink,
            [{**r, "position": int(r["position"])} for r in _rows("chain_links.csv")],
            "code",
        ),
        "food_class": _upsert(
            session,
            FoodClass,
            [{"code": r["class"], "name": r["name"]} for r in _rows("sc_food_classes.csv")],
            "code",
        ),
        "product_category": _load_categories(session),
    }


def _load_categories(session: Session) -> int:
    rows = _rows("product_categories.csv")
    values = [
        {
            "code": r["code"],
            "parent_code": r["parent_code"] or None,
            "name": r["name"],
            "position": int(r["position"]),
            "storage": r.get("storage") or None,
            "synonyms": r.get("synonyms") or None,
            "name_en": r.get("name_en") or None,
            "name_en_variants": r.get("name_en_variants") or None,
        }
        for r in rows
    ]
    # Kinds first, so sub-categories find their parent.
    kinds = [v for v in values if v["parent_code"] is None]
    subs = [v for v in values if v["parent_code"] is not None]
    return _upsert(session, ProductCategory, kinds, "code") + _upsert(session, ProductCategory, subs, "code")


# Reference data changes only when `hotpot seed` runs; pages read it on every request, so each process keeps
# a plain copy for a few minutes instead of querying it again.
CACHE_SECONDS = 300
_cache: dict[str, tuple[float, Any]] = {}


def _cached(key: str, load: Callable[[], Any]) -> Any:
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    _cache[key] = (time.monotonic(), value)
    return value


@dataclass(frozen=True)
class TownRef:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class ChainLinkRef:
    code: str
    name: str
    position: int


@dataclass(frozen=True)
class CategoryRef:
    code: str
    name: str
    parent_code: str | None
    storage: str | None


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    children: tuple[CategoryRef, ...]


def category_tree(session: Session) -> list[Kind]:
    """The six kinds with their sub-categories, in the plan's order."""

    def load() -> list[Kind]:
        rows = [
            CategoryRef(r.code, r.name, r.parent_code, r.storage)
            for r in session.scalars(select(ProductCategory).order_by(ProductCategory.position, ProductCategory.code))
        ]
        kinds = [r for r in rows if r.parent_code is None]
        return [Kind(k.code, k.name, tuple(r for r in rows if r.parent_code == k.code)) for k in kinds]

    return _cached("category_tree", load)


def towns(session: Session) -> list[TownRef]:
    return _cached(
        "towns", lambda: [TownRef(t.code, t.name, t.kind) for t in session.scalars(select(Town).order_by(Town.code))]
    )


def chain_links(session: Session) -> list[ChainLinkRef]:
    return _cached(
        "chain_links",
        lambda: [
            ChainLinkRef(c.code, c.name, c.position)
            for c in session.scalars(select(ChainLink).order_by(ChainLink.position))
        ],
    )


def town_names(session: Session) -> dict[str, str]:
    return {t.code: t.name for t in towns(session)}
