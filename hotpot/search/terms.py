"""Suggestion keys: each term is found by its start, the start of any of its parts, its pinyin and initials."""

from __future__ import annotations

import csv
import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hotpot.resources import resource_dir
from hotpot.search import text as tokens

# Parts of enterprise names that nobody types when looking for a supplier.
NAME_NOISE = re.compile(
    r"(（演示）|\(演示\)|有限责任公司|股份有限公司|有限公司|专业合作社|合作社|^重庆市|^重庆|^合川区|^合川)"
)


def core_name(name: str) -> str:
    core = tokens.normalize(name)
    for _ in range(3):
        core = NAME_NOISE.sub("", core)
    return core or tokens.normalize(name)


def term_keys(term: str, *, suffixes: bool) -> set[str]:
    norm = tokens.normalize(term)
    core = core_name(term)
    # An enterprise is found by its distinctive part (渝合毛肚), not by 重庆 or 有限公司 that all of them share.
    keys = {core} if core != norm else {norm.replace(" ", "")}
    words = norm.split()
    if len(words) > 1 and not tokens.CJK.search(norm):
        # An English name is found by any of its words too: "omas" suggests "beef omasum".
        keys |= {"".join(words[i:]) for i in range(1, len(words))}
    if tokens.CJK.fullmatch(core):
        syl = tokens.pinyin_of(core)
        keys.add("".join(syl))
        keys.add("".join(s[0] for s in syl))
        if suffixes or len(core) <= 6:
            for i in range(1, len(core)):
                keys.add(core[i:])
                keys.add("".join(syl[i:]))
    return {k[:120] for k in keys if k}


def term_rows(term: str, source: str, ref_id: int | None, *, weight: int) -> list[dict[str, Any]]:
    return [
        {"key": key, "term": term, "source": source, "ref_id": ref_id, "weight": weight}
        for key in term_keys(term, suffixes=source in ("category", "synonym"))
    ]


def _category_rows() -> list[dict[str, str]]:
    with (resource_dir("seed_data") / "product_categories.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["parent_code"]]


def rebuild_dictionary_terms(session: Session) -> int:
    """Category names, their usual product names and the synonym groups, weighted by how many products match."""
    session.execute(text("DELETE FROM search_term WHERE source IN ('category', 'synonym')"))
    counts = dict(
        session.execute(
            text("SELECT category_code, count(*) FROM search_doc WHERE kind = 'product' GROUP BY category_code")
        ).all()
    )
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in _category_rows():
        n = int(counts.get(r["code"], 0))
        for term, weight in [(r["name"], n * 4 + 3)] + [(v, n + 2) for v in (r["name_variants"] or "").split("|") if v]:
            if term not in seen:
                seen.add(term)
                rows += term_rows(term, "category", None, weight=weight)
    for r in _category_rows():  # the English trade names, after every Chinese term of the same weight
        n = int(counts.get(r["code"], 0))
        english = [r.get("name_en") or "", *(r.get("name_en_variants") or "").split("|")]
        for i, term in enumerate(t for t in english if t):
            if term.lower() not in seen:
                seen.add(term.lower())
                rows += term_rows(term, "category", None, weight=n + 1 if i == 0 else 1)
    groups = session.execute(text("SELECT terms FROM search_synonym_group")).scalars()
    for group in groups:
        for term in group:
            if term not in seen:
                seen.add(term)
                rows += term_rows(term, "synonym", None, weight=1)
    insert_terms(session, rows)
    return len(seen)


INSERT_TERM = text(
    "INSERT INTO search_term (key, term, source, ref_id, weight) VALUES (:key, :term, :source, :ref_id, :weight)"
)


def insert_terms(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(INSERT_TERM, rows)
