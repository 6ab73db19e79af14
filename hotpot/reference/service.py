"""Load reference data (towns, chain links, SC food classes) from seed_data/, idempotently."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from hotpot.reference.models import ChainLink, FoodClass, Town
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
    }


def towns(session: Session) -> list[Town]:
    return list(session.scalars(select(Town).order_by(Town.code)))


def chain_links(session: Session) -> list[ChainLink]:
    return list(session.scalars(select(ChainLink).order_by(ChainLink.position)))
