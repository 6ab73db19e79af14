"""Running a search: one SQL statement gives the hits, the total, the facet counts and the per-type counts.

The matches of the text query are materialised once (a GIN index scan of search_doc), with their rank; hits,
total and every facet are computed from that set. A facet's counts apply every chosen filter except its own,
so a buyer sees what each other choice would give. Results are cached per process, keyed by the search_state
counters, which every write to the index bumps in its own transaction: a cached answer is never older than
the last committed change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from sqlalchemy import text
from sqlalchemy.orm import Session

from hotpot.search import text as tokens
from hotpot.search import understand as reader
from hotpot.search.understand import Condition, Understanding

PAGE_SIZE = 20
TAB_COUNT_CAP = 1000
MAX_PAGE_SIZE = 50
MAX_PAGE = 50
TYPES = ("product", "enterprise", "base", "brand")
SORTS = ("relevance", "newest", "price", "price_desc")

# Which filters each type of record has; the search page shows these facets in this order.
FILTERS = {
    "product": ("kind", "category", "storage", "town", "park", "cert", "brand_level", "verified"),
    "enterprise": ("town", "park", "cert", "brand_level", "verified"),
    "base": ("town", "park", "cert", "verified"),
    "brand": ("brand_level",),
}
# The SQL condition of each filter over the materialised matches `m`.
CONDITIONS = {
    "kind": "kind_code = :f_kind",
    "category": "category_code = :f_category",
    "storage": "storage = :f_storage",
    "town": "town_code = :f_town",
    "park": "park_group = :f_park",
    "cert": ":f_cert = ANY(cert_kinds)",
    "brand_level": ":f_brand_level = ANY(brand_levels)",
    "verified": "cardinality(cert_kinds) > 0",
}
# What a facet counts by (the verified facet is a single yes count).
FACET_VALUE = {
    "kind": "kind_code",
    "category": "category_code",
    "storage": "storage",
    "town": "town_code",
    "park": "park_group",
    "cert": "c.v",
    "brand_level": "c.v",
    "verified": "'yes'",
}
FACET_FROM = {"cert": "m, unnest(m.cert_kinds) AS c(v)", "brand_level": "m, unnest(m.brand_levels) AS c(v)"}
# Choosing a kind clears the sub-category facet's own filter as well (a sub-category lies inside one kind).
EXCLUDES = {"kind": ("kind", "category"), "category": ("category",)}

# Under the other sorts `rank` is only the tier (1 for a record of a category the query names, else 0), so a
# query for 毛肚 sorted by price lists the 毛肚 products by price first, then the other matches (a 鹅肠 of the
# brand 渝合毛肚老火锅) by price. Prices compare in 元/kg; those without one follow, by their own price.
# Under every sort, `sat` comes first: how many of the query's soft conditions a record satisfies (a quantity
# its specification holds, a condition a relaxed query dropped, a word of an any-word query), so a record that
# satisfies every understood condition ranks above one that satisfies fewer.
ORDER = {
    "relevance": "{t}sat DESC, {t}rank DESC, {t}boost DESC, {t}listed_at DESC NULLS LAST, {t}id DESC",
    "newest": "{t}sat DESC, {t}rank DESC, {t}listed_at DESC NULLS LAST, {t}id DESC",
    "price": "{t}sat DESC, {t}rank DESC, {t}unit_price_min ASC NULLS LAST, {t}price_min ASC NULLS LAST, {t}id DESC",
    "price_desc": (
        "{t}sat DESC, {t}rank DESC, {t}unit_price_max DESC NULLS LAST, {t}price_max DESC NULLS LAST, {t}id DESC"
    ),
}


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    type: str = "product"
    kind: str | None = None
    category: str | None = None
    storage: str | None = None
    town: str | None = None
    park: str | None = None
    cert: str | None = None
    brand_level: str | None = None
    verified: bool = False
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE
    strict: bool = False  # answer the query as understood even when it finds nothing (no relaxing)

    def active(self) -> dict[str, Any]:
        """The filters that are set and that this type of record has."""
        out: dict[str, Any] = {}
        for name in FILTERS[self.type]:
            value = getattr(self, name)
            if value:
                out[name] = value
        return out

    def key(self) -> tuple:
        # Queries that read the same (traditional or simplified, full-width or not, any case) share an entry.
        return (
            " ".join(tokens.normalize(self.q).split()),
            self.type,
            tuple(sorted(self.active().items())),
            self.sort,
            self.page,
            self.page_size,
            self.strict,
        )


@dataclass
class SearchResult:
    params: SearchParams
    parsed: tokens.ParsedQuery | None
    total: int
    items: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]]
    types: dict[str, int]
    did_you_mean: list[str] = field(default_factory=list)
    understanding: Understanding | None = None
    filters: dict[str, Any] = field(default_factory=dict)  # the filters applied: the URL's and the understood
    applied: tuple[Condition, ...] = ()  # understood conditions applied as filters
    relaxed: tuple[Condition, ...] = ()  # understood conditions dropped because together they found nothing
    any_word: tuple[str, ...] = ()  # the words of which any one was matched, when all of them found nothing

    @property
    def was_relaxed(self) -> bool:
        return bool(self.relaxed or self.any_word)

    @property
    def pages(self) -> int:
        """Pages a visitor can open: the last one or MAX_PAGE, whichever comes first."""
        return min(MAX_PAGE, max(1, -(-self.total // self.params.page_size)))


# The cache is bounded by an estimate of the memory it holds, not by a count of entries: a page's answer (the
# result with its items) holds some 37 KB of Python objects, an API answer (its JSON as UTF-8) some 8 KB, and 4,000
# entries of a mix of both held 154 MB of a worker (bench/memory.py). The popular queries that make the hits are
# few; the long tail is mostly used once, so a larger cache buys little.
CACHE_BYTES = 48 * 1024 * 1024
ITEM_BYTES = 1_800  # one item of a result (its display fields, highlight spans and name parts), measured
RESULT_BYTES = 4_000  # a result without items: params, facets, tabs, understanding


def _entry_size(value: Any) -> int:
    if isinstance(value, bytes | str):
        return 100 + len(value) * (1 if isinstance(value, bytes) else 2)
    if isinstance(value, SearchResult):
        return RESULT_BYTES + ITEM_BYTES * len(value.items)
    return 2_000  # a type's facets, the popular categories, a suggestion list


_cache: LRUCache = LRUCache(maxsize=CACHE_BYTES, getsizeof=_entry_size)
_cache_lock = threading.Lock()
_vocab_lock = threading.Lock()


# The index's state: read through a session here, and on the event loop by hotpot.search.versions.
STATE_SQL = "SELECT data_version, vocab_version FROM search_state WHERE id = 1"
_STATE = text(STATE_SQL)


def state(session: Session) -> tuple[int, int]:
    return as_versions(session.execute(_STATE).first())


def as_versions(row) -> tuple[int, int]:
    """The state's row as (data_version, vocab_version); (0, 0) before the first index."""
    return (row[0], row[1]) if row else (0, 0)


def ensure_vocabulary(session: Session, vocab_version: int) -> None:
    """Load the synonym groups and noise words into this process's query reader when they changed."""
    voc = tokens.vocabulary
    if voc.version == vocab_version:
        return
    with _vocab_lock:
        if voc.version == vocab_version:
            return
        groups = session.execute(text("SELECT terms FROM search_synonym_group ORDER BY id")).scalars().all()
        noise = session.execute(text("SELECT word FROM search_noise_word")).scalars().all()
        reader.set_noise_words(noise)
        voc.set_synonyms(groups, vocab_version)


def cached(kind: str, key: tuple, versions: tuple[int, int]) -> Any:
    with _cache_lock:
        return _cache.get((kind, versions, key))


def remember(kind: str, key: tuple, versions: tuple[int, int], value: Any) -> None:
    with _cache_lock:
        _cache[(kind, versions, key)] = value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


# What is kept per index version but is no query's answer: the unfiltered facets of a whole type.
INDEX_FIGURES = ("type-facets", "popular-categories")


def clear_results() -> None:
    """Forget every query's answer but keep the figures of the index itself (the benchmarks time queries so)."""
    with _cache_lock:
        for key in [k for k in _cache if k[0] not in INDEX_FIGURES]:
            del _cache[key]


def search(
    session: Session, params: SearchParams, *, versions: tuple[int, int] | None = None, keep: bool = True
) -> SearchResult:
    """The search's result, from this process's cache when the index has not changed since it was computed.

    `versions` is the index's state when the caller already read it; `keep=False` when the caller keeps its own
    form of the answer (the API keeps its JSON, a fifth of the result's memory).
    """
    versions = versions or state(session)
    ensure_vocabulary(session, versions[1])
    key = params.key()
    hit = cached("search", key, versions)
    if hit is not None:
        return hit
    result = _understood(session, params, versions)
    if keep:
        remember("search", key, versions, result)
    return result


def _understood(session: Session, params: SearchParams, versions: tuple[int, int] | None = None) -> SearchResult:
    """The query read (conditions as filters, noise dropped), then relaxed step by step while it finds nothing.

    The steps: all the words and all the understood conditions; then the conditions dropped one by one: the
    weakest (understand.FILTER_KINDS) of those whose dropping alone finds something, else the weakest; then,
    when all the words together match nothing, any one of them, with the conditions back and dropped again one
    by one. Filters chosen in the URL (facets) are never dropped.
    """
    if not params.q.strip():
        return _run(session, params, versions=versions)
    u = reader.understand(params.q)
    explicit = params.active()
    # A condition applies when this type of record has that filter and the URL does not set it already.
    applicable = [c for c in u.filters if c.kind in FILTERS[params.type] and c.kind not in explicit]
    quantities = list(u.quantities)
    words = _words(u.text_query)
    if not u.conditions and u.text_query == u.query:
        return _run(session, params, versions=versions)
    first = _run(session, params, versions=versions, u=u, conditions=applicable, soft=quantities)
    if first.total or params.strict:
        return first
    levels: list[tuple[str, ...]] = [()]
    elsewhere = any(n for k, n in first.types.items() if k != params.type)
    ingredients = all(tokens.vocabulary.codes_for([w], [w]) for w in words)
    if len(words) > 1 and (ingredients or not elsewhere):
        # Any one of the words when each names an ingredient (毛肚和鸭肠), or when all of them together find
        # nothing of any type: a supplier's full name finds no product but its enterprise, whose tab opens.
        levels.append(tuple(words))

    def attempt(*, certain: bool = False, **kw) -> SearchResult | Probe:
        # A step that finds nothing is only read for what relaxing needs (its total, its tab, which facets are
        # not empty): a probe, one pass over the matches without ranking, page or facet counts. The step that
        # finds something is run in full, without a probe when the step before showed it will (`certain`).
        if certain:
            return _run(session, params, versions=versions, u=u, **kw)
        probe = _run(session, params, versions=versions, u=u, probe=True, **kw)
        return _run(session, params, versions=versions, u=u, **kw) if probe.total else probe

    for level, any_word in enumerate(levels):
        result = first if level == 0 else attempt(conditions=applicable, soft=quantities, any_word=any_word)
        if result.total:
            return result
        if u.text_query and not result.types.get(params.type):
            continue  # the words match nothing of this type: dropping conditions cannot help
        kept = sorted(applicable, key=lambda c: c.strength)
        dropped: list[Condition] = []
        while kept:
            # A facet counts the matches under every filter but its own: a condition whose facet is not empty
            # finds something once dropped alone. The weakest such goes; when none would, the weakest goes and
            # the next round looks again (双槐镇 冷冻 午餐肉: no frozen 午餐肉 anywhere, so 冷冻 goes, 双槐镇 stays).
            alone = next((c for c in kept if result.facets.get(c.kind)), kept[0])
            # Its facet counted exactly the next step's matches (every filter but its own) and found some: the
            # next step finds something, no probe needed. Not so for a facet that leaves out more than its own
            # filter (the kind's also leaves out a chosen sub-category).
            certain = bool(result.facets.get(alone.kind)) and EXCLUDES.get(alone.kind, (alone.kind,)) == (alone.kind,)
            kept.remove(alone)
            dropped.append(alone)
            result = attempt(
                certain=certain, conditions=kept, soft=[*quantities, *dropped], dropped=list(dropped), any_word=any_word
            )
            if result.total:
                return result
    return first


def _words(text_query: str) -> list[str]:
    """The words of a text query (a Chinese run cut by the dictionary), for matching any one of them."""
    out: list[str] = []
    for run in tokens.RUN.findall(tokens.normalize(text_query)):
        out += tokens.vocabulary.words(run) if tokens.CJK.fullmatch(run) else [run]
    return list(dict.fromkeys(w for w in out if w.strip()))


def _parse_any(words: tuple[str, ...]) -> tokens.ParsedQuery | None:
    """A query matching any one of the words (each read as its own query), ranked by how many it holds."""
    parts = [p for p in (tokens.parse_query(w) for w in words) if not p.empty]
    if not parts:
        return None
    merged = tokens.ParsedQuery(
        text=" ".join(words),
        match="(" + " | ".join(p.match for p in parts) + ")",
        rank=" | ".join(dict.fromkeys(p.rank for p in parts)),
    )
    for p in parts:
        merged.codes |= p.codes
        merged.marks |= p.marks
        merged.sounds.update(p.sounds)
        merged.understood += p.understood
    return merged


SEARCH_SETTINGS = text("SELECT set_config('enable_seqscan', 'off', true), set_config('work_mem', '32MB', true)")


def _run(
    session: Session,
    params: SearchParams,
    *,
    u: Understanding | None = None,
    conditions: list[Condition] | tuple[Condition, ...] = (),
    soft: list[Condition] | tuple[Condition, ...] = (),
    dropped: list[Condition] | tuple[Condition, ...] = (),
    any_word: tuple[str, ...] = (),
    probe: bool = False,
    versions: tuple[int, int] | None = None,
) -> SearchResult | Probe:
    """One search statement: the text query (the understood one when `u` is given) under the filters.

    `conditions` are understood conditions applied as filters, `soft` those that only rank (sat). With `probe`,
    only the Probe of the same statement (see Probe). `versions`: the index's state, when the caller read it.
    """
    text_query = u.text_query if u is not None else params.q
    parsed = tokens.parse_query(text_query) if text_query.strip() else None
    if any_word:
        parsed = _parse_any(any_word)
    if parsed is not None and parsed.empty:
        parsed = None
    active = params.active()
    for c in conditions:
        active.setdefault(c.kind, c.value)
    extra: dict[str, Any] = {
        "understanding": u,
        "filters": dict(active),
        "applied": tuple(conditions),
        "relaxed": tuple(dropped),
        "any_word": any_word,
    }
    # Only conditions, no words (冷冻, 双槐镇): every record of the type under those filters.
    browse_all = parsed is None and bool(conditions)
    if parsed is None and not (active.get("category") or active.get("kind")) and not browse_all:
        return Probe(0, {}, {}) if probe else SearchResult(params, None, 0, [], {}, {}, **extra)
    bind: dict[str, Any] = {f"f_{name}": value for name, value in active.items() if name != "verified"}
    bind["type"] = params.type
    others = [k for k in TYPES if k != params.type]
    sat_terms = []
    # A word's or a quantity's own matches are read from the GIN index once, into a hashed set, rather than
    # testing each match's whole token vector (detoasting it) row by row: the same rows, several times cheaper
    # for a query that matches thousands (冷冻毛肚和鸭肠 read as any of 毛肚 or 鸭肠).
    within = "SELECT x.id FROM search_doc x WHERE x.kind = :type AND x.tsv @@ CAST(:{} AS tsquery)"
    for n, c in enumerate(soft):
        if c.kind == "quantity":
            sat_terms.append(f"d.id IN ({within.format(f's_{n}')})")
            # Only the rows the query matches can count: the index intersects the two (500g alone is everywhere).
            bind[f"s_{n}"] = tokens.quote(c.value) if parsed is None else f"({parsed.match}) & {tokens.quote(c.value)}"
        elif c.kind in CONDITIONS and c.kind in FILTERS[params.type]:
            sat_terms.append(CONDITIONS[c.kind].replace(f":f_{c.kind}", f":s_{n}"))
            bind[f"s_{n}"] = c.value
    for n, word in enumerate(any_word):
        part = tokens.parse_query(word)
        if not part.empty:
            sat_terms.append(f"d.id IN ({within.format(f'w_{n}')})")
            bind[f"w_{n}"] = part.match
    sat = " + ".join(f"(CASE WHEN {t} THEN 1 ELSE 0 END)" for t in sat_terms) or "0"
    if browse_all:
        match = "d.kind = :type"
        rank = "0::real"
        # The other tabs count their records under the filters they have.
        type_counts = ", ".join(
            f"'{k}', (SELECT count(*) FROM (SELECT 1 FROM search_doc x WHERE x.kind = '{k}' AND "
            + (" AND ".join(CONDITIONS[n] for n in active if n in FILTERS[k]) or "false")
            + f" LIMIT {TAB_COUNT_CAP}) c)"
            for k in others
        )
    elif parsed is not None:
        # Each type has its own partial GIN index: the statement reads only the rows of the type shown, and
        # counts the other types' matches for the tabs.
        match = "d.kind = :type AND d.tsv @@ CAST(:mq AS tsquery)"
        bind.update(mq=parsed.match, rq=parsed.rank, codes=sorted(parsed.codes))
        # A record of a category the query names (毛肚, maodu, md, 牛百叶 ...) comes first; within that tier the
        # name decides (ts_rank over the short name vector). When the query names a category, records outside it
        # are not scored at all: they follow, by quality and date.
        bonus = "CASE WHEN d.tags && CAST(:codes AS varchar[]) THEN 1 ELSE 0 END"
        score = "ts_rank(d.rank_tsv, CAST(:rq AS tsquery))"
        if params.sort != "relevance":
            rank = bonus
        elif parsed.codes:
            rank = f"CASE WHEN d.tags && CAST(:codes AS varchar[]) THEN 1 + {score} ELSE 0 END"
        else:
            rank = score
        # The other tabs' counts stop at TAB_COUNT_CAP (shown as "1000+"): enough to choose a tab, and cheap.
        type_counts = ", ".join(
            f"'{k}', (SELECT count(*) FROM (SELECT 1 FROM search_doc x WHERE x.kind = '{k}'"
            f" AND x.tsv @@ CAST(:mq AS tsquery) LIMIT {TAB_COUNT_CAP}) c)"
            for k in others
        )
    else:
        # Browsing a category without words: only that type, only that kind or category.
        scope = "category" if active.get("category") else "kind"
        match = f"d.kind = :type AND d.{scope}_code = :f_{scope}"
        rank = "0::real"
        type_counts = ", ".join(f"'{k}', 0" for k in others)

    def where(skip: tuple[str, ...] = ()) -> str:
        return " AND ".join(CONDITIONS[n] for n in active if n not in skip) or "true"

    if probe:
        return _probe(session, params, match, bind, where)

    # Only conditions, each facet's own counts the whole type (a single filter: every facet that the filter is
    # "its own" for, or excludes, counts over all records of the type). Those are the same for every such query
    # until the index changes, and are kept per process (_type_facets); the statement then reads only the
    # records shown, not every record of the type (速冻: 25,000 of 76,000 products).
    whole_type: list[str] = []
    if browse_all:
        whole_type = [n for n in FILTERS[params.type] if set(EXCLUDES.get(n, (n,))) & set(active)]
        if all(where(EXCLUDES.get(n, (n,))) == "true" for n in whole_type):
            match = f"d.kind = :type AND {where()}"
        else:
            whole_type = []

    # Every piece of SQL below is a constant of this module; values travel as bound parameters.
    # The counts of the matches (all of them, those under the filters, the verified facet's) share one pass.
    facet_sql = _facet_sql(params.type, where, verified=False)
    verified = "verified" in FILTERS[params.type]
    verified_count = (
        f"count(*) FILTER (WHERE {where(EXCLUDES.get('verified', ('verified',)))} AND cardinality(cert_kinds) > 0)"
        if verified
        else "0"
    )
    bind.update(limit=params.page_size, offset=(params.page - 1) * params.page_size)
    sql = f"""
        WITH m AS MATERIALIZED (
            SELECT d.id, d.kind_code, d.category_code, d.town_code, d.park_group, d.storage, d.cert_kinds,
                   d.brand_levels, d.price_min, d.price_max, d.unit_price_min, d.unit_price_max, d.listed_at,
                   d.boost, {rank} AS rank, {sat} AS sat
            FROM search_doc d WHERE {match}
        ),
        h AS (
            SELECT id, rank, sat, boost, listed_at, price_min, price_max, unit_price_min, unit_price_max FROM m
            WHERE {where()} ORDER BY {ORDER[params.sort].format(t="")} LIMIT :limit OFFSET :offset
        ),
        counts AS (
            SELECT count(*) AS matched, count(*) FILTER (WHERE {where()}) AS shown, {verified_count} AS verified
            FROM m
        )
        SELECT
            json_build_object(:type, (SELECT matched FROM counts), {type_counts}),
            (SELECT shown FROM counts),
            (SELECT coalesce(json_agg(json_build_array(d.kind, d.ref_id, d.display, h.rank)
                                      ORDER BY {ORDER[params.sort].format(t="h.")}), '[]')
               FROM h JOIN search_doc d ON d.id = h.id),
            (SELECT coalesce(json_agg(json_build_array(f, v, n)), '[]') FROM ({facet_sql}) fc),
            (SELECT verified FROM counts)
    """
    # The planner overestimates how many rows an OR of many lexemes matches and would rather read the whole
    # table than the GIN index; the matches may need more than the default 4 MB to stay in memory. Both
    # settings are local to this (read-only) request's transaction.
    session.execute(SEARCH_SETTINGS)
    types, total, hits, facet_rows, verified_n = session.execute(text(sql), bind).one()
    if verified:
        facet_rows.append(("verified", "yes", verified_n))
    if browse_all:
        types[params.type] = total  # every record of the type was "matched": the tab counts what is shown
    facets = _facet_lists(params.type, facet_rows)
    if whole_type:
        everything = _type_facets(session, params.type, versions or state(session))
        facets.update({name: everything[name] for name in whole_type})
    items = [_item(kind, ref_id, display, score, parsed) for kind, ref_id, display, score in hits]
    result = SearchResult(params, parsed, total, items, facets, {k: n for k, n in types.items() if n}, **extra)
    if total == 0 and parsed is not None and not params.active() and not result.types:
        # Nothing anywhere (not even under another tab or without the filters): suggest near terms.
        result.did_you_mean = did_you_mean(session, parsed)
    return result


def _facet_sql(type_: str, where, *, verified: bool = True) -> str:
    """The facet rows (facet, value, count) of the matches `m`; `where(skip)` is the filters' condition but skip's.
    Without `verified`, not the verified facet's row (the caller counts it in a pass of its own).

    Column facets: one pass over the matches with GROUPING SETS. A facet counts the matches that pass every
    chosen filter but its own, so each distinct "all filters but one" condition becomes one count column.
    """
    columns = [n for n in FILTERS[type_] if n not in FACET_FROM and n != "verified"]
    conditions: dict[str, str] = {}
    facet_count: dict[str, str] = {}
    for name in columns:
        facet_count[name] = conditions.setdefault(where(EXCLUDES.get(name, (name,))), f"n{len(conditions)}")
    grouping = ""
    if columns:
        counts = ", ".join(f"count(*) FILTER (WHERE {cond}) AS {alias}" for cond, alias in conditions.items())
        which = " ".join(f"WHEN GROUPING({FACET_VALUE[n]}) = 0 THEN '{n}'" for n in columns)
        values = [FACET_VALUE[n] for n in columns]
        value = f"coalesce({', '.join(values)})" if len(values) > 1 else values[0]
        pick = " ".join(f"WHEN '{n}' THEN {facet_count[n]}" for n in columns)
        sets = ", ".join(f"({v})" for v in values)
        grouping = (
            f"SELECT f, v, CASE f {pick} END AS n FROM ("
            f"SELECT CASE {which} END AS f, {value} AS v, {counts} FROM m GROUP BY GROUPING SETS ({sets})) g"
        )
    array_facets = []
    for name in FILTERS[type_]:
        if name in columns:
            continue
        cond = where(EXCLUDES.get(name, (name,)))
        if name == "verified":
            if not verified:
                continue
            array_facets.append(
                f"SELECT 'verified', 'yes', count(*) FROM m WHERE {cond} AND cardinality(cert_kinds) > 0"
            )
        else:
            column = "cert_kinds" if name == "cert" else "brand_levels"
            array_facets.append(
                f"SELECT '{name}' AS f, c.v AS v, count(*) AS n FROM m, unnest(m.{column}) AS c(v) "
                f"WHERE cardinality(m.{column}) > 0 AND {cond} GROUP BY 2"
            )
    return " UNION ALL ".join([q for q in [grouping, *array_facets] if q])


def _facet_lists(type_: str, rows) -> dict[str, list[tuple[str, int]]]:
    """Facet rows as each facet's (value, count) list, largest first."""
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FILTERS[type_]}
    for name, value, n in rows:
        if value is not None and n:
            facets[name].append((value, n))
    for values in facets.values():
        values.sort(key=lambda vn: (-vn[1], vn[0]))
    return facets


def _type_facets(session: Session, type_: str, versions: tuple[int, int]) -> dict[str, list[tuple[str, int]]]:
    """Every facet over every record of a type, unfiltered: kept per process until the index changes (`versions`,
    the index's state that the search read)."""
    found = cached("type-facets", (type_,), versions)
    if found is None:
        sql = (
            "WITH m AS MATERIALIZED (SELECT kind_code, category_code, town_code, park_group, storage, cert_kinds,"
            " brand_levels FROM search_doc d WHERE d.kind = :type)"
            f" SELECT coalesce(json_agg(json_build_array(f, v, n)), '[]') FROM ({_facet_sql(type_, _unfiltered)}) fc"
        )
        session.execute(SEARCH_SETTINGS)
        found = _facet_lists(type_, session.execute(text(sql), {"type": type_}).scalar_one())
        remember("type-facets", (type_,), versions, found)
    return found


def _unfiltered(skip: tuple[str, ...] = ()) -> str:
    return "true"


@dataclass(frozen=True)
class Probe:
    """What relaxing a query needs of one step, without its page: the matches under the step's filters (`total`),
    the text's matches of the type shown (`types`), and whether each condition's facet has a value (`facets`,
    true exactly when the full step's facet of that name would list something)."""

    total: int
    types: dict[str, int]
    facets: dict[str, bool]


def _probe(session: Session, params: SearchParams, match: str, bind: dict[str, Any], where) -> Probe:
    names = [n for n in FILTERS[params.type] if n in reader.FILTER_KINDS]
    tests = []
    for name in names:
        cond = where(EXCLUDES.get(name, (name,)))
        if name in FACET_FROM:
            column = "cert_kinds" if name == "cert" else "brand_levels"
            tests.append(f"coalesce(bool_or(cardinality({column}) > 0 AND {cond}), false)")
        else:
            tests.append(f"coalesce(bool_or({FACET_VALUE[name]} IS NOT NULL AND {cond}), false)")
    sql = (
        f"SELECT count(*), count(*) FILTER (WHERE {where()}){''.join(', ' + t for t in tests)} FROM ("
        "SELECT d.kind_code, d.category_code, d.town_code, d.park_group, d.storage, d.cert_kinds, d.brand_levels"
        f" FROM search_doc d WHERE {match}) m"
    )
    session.execute(SEARCH_SETTINGS)
    matched, total, *facets = session.execute(text(sql), bind).one()
    return Probe(total, {params.type: matched} if matched else {}, dict(zip(names, facets, strict=True)))


URLS = {"product": "/products/{}", "enterprise": "/enterprises/{}", "base": "/bases/{}", "brand": "/brands/{}"}


def _item(kind: str, ref_id: int, display: dict, score: float, parsed: tokens.ParsedQuery | None) -> dict[str, Any]:
    name = display.get("name", "")
    spans = tokens.highlight_spans(name, parsed) if parsed else []
    return {
        "type": kind,
        "id": ref_id,
        "url": URLS[kind].format(ref_id),
        **display,
        "highlight": [list(s) for s in spans],
        "name_parts": tokens.segments(name, spans),
        "score": round(float(score), 5),
    }


def did_you_mean(session: Session, parsed: tokens.ParsedQuery) -> list[str]:
    """Known terms that sound or spell nearly like the query (for a page with no results)."""
    letters = "".join(
        "".join(tokens.pinyin_of(run)) if tokens.CJK.fullmatch(run) else run
        for run in tokens.RUN.findall(parsed.text)
        if not run.isdigit()
    )
    out: list[str] = []
    if letters:
        voc = tokens.vocabulary
        voc.ensure_loaded()
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        cutoff = max(1, len(letters) // 3)
        for key, _, _ in process.extract(
            letters, list(voc.pinyin_terms), scorer=Levenshtein.distance, score_cutoff=cutoff, limit=5
        ):
            term = voc.pinyin_terms[key]
            if term not in out and term != parsed.text:
                out.append(term)
    return out[:5]


# --- suggestions ---------------------------------------------------------------------------------------------------

# A short prefix ("m", "重") can match tens of thousands of keys: the first 3,000 in key order are ranked, which
# keeps every suggestion under a few milliseconds (longer prefixes are exact). Byte order (USING ~<~) is the order
# of the covering index ix_search_term_key, so they come from an index-only scan that stops at 3,000.
SUGGEST_SQL = text(
    """
    SELECT term, source, ref_id, max(weight) AS w
    FROM (SELECT term, source, ref_id, weight FROM search_term WHERE key LIKE :prefix
          ORDER BY key USING ~<~ LIMIT 3000) k
    GROUP BY term, source, ref_id
    ORDER BY max(weight) DESC, length(term), term
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class Suggestion:
    text: str  # what goes into the search box
    term: str  # the suggested term itself
    source: str
    url: str | None  # an enterprise or brand opens directly


def suggest(session: Session, q: str, *, limit: int = 8) -> list[Suggestion]:
    norm = " ".join(tokens.normalize(q).split())[:60]
    if not norm:
        return []
    versions = state(session)
    hit = cached("suggest", (norm, limit), versions)
    if hit is not None:
        return hit
    head, _, last = norm.rpartition(" ")
    prefix = last.replace("\\", "").replace("%", "").replace("_", "")
    out: list[Suggestion] = []
    if prefix:
        rows = session.execute(SUGGEST_SQL, {"prefix": prefix + "%", "limit": limit}).all()
        for term, source, ref_id, _ in rows:
            url = URLS[source].format(ref_id) if source in ("enterprise", "brand") and ref_id else None
            # "beef om" → "beef omasum", not "beef beef omasum": a term that goes on from the words before it.
            lead = "" if tokens.normalize(term).startswith(f"{head} ") else head
            out.append(Suggestion(f"{lead} {term}".strip(), term, source, url))
    remember("suggest", (norm, limit), versions, out)
    return out
