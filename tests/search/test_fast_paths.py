"""The search's cheaper paths give exactly what the plain ones gave (issue 12's speed work must not move a result).

- A relaxing step that finds nothing is only probed (engine.Probe): its total, its tab and which condition facets
  are not empty must be those of the full statement, for every step a relaxed query goes through.
- A soft condition's `sat` (a quantity, a word of an any-word query) is read from the GIN index into a hashed set
  instead of testing each row's token vector: the same rows must count, over every document of the demo.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text

from hotpot.search import engine, understand
from hotpot.search import text as tokens
from hotpot.search.engine import SearchParams
from tests.search.test_relevance import RELEVANCE

# Queries whose steps go through every branch of relaxing: conditions that find nothing together, words that find
# nothing together, a supplier's name, a condition alone, a place with an ingredient it does not have.
RELAXING = [
    "有机 木耳",
    "冷冻毛肚和鸭肠",
    "双槐镇 冷冻 午餐肉",
    "有机 绿色 冷冻 毛肚",
    "区域公用品牌 冷冻 鸭肠",
    "冷冻",
    "双槐镇",
    "南溪组团 干货",
    "haccp 冰鲜 宽粉",
    "求购500斤冷冻鸭肠和黄喉",
    "渝合 毛肚 冷冻",
]
QUERIES = list(dict.fromkeys([*RELAXING, *(q for q, _ in RELEVANCE if understand.understand(q).conditions)]))


def _steps(query: str, type_: str):
    """Every (conditions, soft, any_word) a relaxing of this query can run, and more: all subsets."""
    u = understand.understand(query)
    params = SearchParams(q=query, type=type_)
    applicable = [c for c in u.filters if c.kind in engine.FILTERS[type_]]
    words = tuple(engine._words(u.text_query))
    for any_word in {(), words if len(words) > 1 else ()}:
        for n in range(len(applicable) + 1):
            for kept in itertools.combinations(applicable, n):
                dropped = [c for c in applicable if c not in kept]
                yield params, u, list(kept), [*u.quantities, *dropped], any_word


@pytest.mark.parametrize("type_", ["product", "enterprise"])
def test_a_probe_tells_what_the_full_step_would(demo_db, type_):
    checked = 0
    for query in QUERIES:
        for params, u, kept, soft, any_word in _steps(query, type_):
            kw = {"u": u, "conditions": kept, "soft": soft, "any_word": any_word}
            full = engine._run(demo_db, params, **kw)
            probe = engine._run(demo_db, params, probe=True, **kw)
            assert probe.total == full.total, (query, kept, any_word)
            assert bool(probe.types.get(type_)) == bool(full.types.get(type_)), (query, kept, any_word)
            for name in engine.FILTERS[type_]:
                if name in understand.FILTER_KINDS:
                    assert probe.facets.get(name, False) == bool(full.facets.get(name)), (query, name, kept, any_word)
            checked += 1
    assert checked > 50


def test_relaxed_searches_still_relax_the_same_way(demo_db):
    """Known answers of the relaxing (the rules are in engine._understood; the probe must not change them)."""
    r = engine.search(demo_db, SearchParams(q="有机 木耳"))
    assert [c.kind for c in r.relaxed] == ["cert"]
    assert r.total
    r = engine.search(demo_db, SearchParams(q="冷冻毛肚和鸭肠"))
    assert r.any_word == ("毛肚", "鸭肠")
    assert r.total


SAT_WORDS = ["毛肚", "鸭肠", "黄喉", "木耳", "底料", "maodu", "hgdl", "渝合", "500g", "2500g"]


@pytest.mark.parametrize("kind", ["product", "enterprise"])
def test_a_soft_condition_counts_the_same_rows_from_the_index(demo_db, kind):
    """`d.id IN (rows of the index that match w)` is true exactly where `d.tsv @@ w` is, for every document."""
    demo_db.execute(engine.SEARCH_SETTINGS)
    for word in SAT_WORDS:
        parsed = tokens.parse_query(word)
        match = parsed.match if not word[0].isdigit() else tokens.quote(word)
        differ, matched = demo_db.execute(
            text(
                "SELECT count(*) FILTER (WHERE (d.tsv @@ CAST(:w AS tsquery))"
                " <> (d.id IN (SELECT x.id FROM search_doc x WHERE x.kind = :kind AND x.tsv @@ CAST(:w AS tsquery)))),"
                " count(*) FILTER (WHERE d.tsv @@ CAST(:w AS tsquery)) FROM search_doc d WHERE d.kind = :kind"
            ),
            {"w": match, "kind": kind},
        ).one()
        assert differ == 0, word
        if kind == "product" and word in ("毛肚", "鸭肠", "500g"):
            assert matched, word  # the check saw rows that count


def test_a_quantity_ranks_its_specification_first(demo_db):
    """毛肚 500g: every product of the first page that holds 500g comes before every one that does not."""
    r = engine.search(demo_db, SearchParams(q="毛肚 500g", page_size=50))
    ids = [i["id"] for i in r.items if i["type"] == "product"]
    holds = dict(
        demo_db.execute(
            text(
                "SELECT ref_id, tsv @@ CAST('500g' AS tsquery) FROM search_doc"
                " WHERE kind = 'product' AND ref_id = ANY(:ids)"
            ),
            {"ids": ids},
        ).all()
    )
    flags = [holds[i] for i in ids]
    assert any(flags)
    assert flags == sorted(flags, reverse=True)
