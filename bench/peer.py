"""The search beside an embedded engine peer (Tantivy), in one run: the same answers asked of both, and their cost.

Issue 12 asks what a search engine built for the job would do with the same documents and the same question.
The peer is Tantivy (the `tantivy` package, its official Python binding), fed the project's own tokens: every
lexeme of each `search_doc` row's `tsv` goes into a field with the `raw` tokenizer (no re-tokenising), beside the
facet columns and sort keys as fast fields. Its index is built in a temporary directory at the start of the run
(the time to read the rows out of PostgreSQL and the time to index them are printed apart, with its size).

What both are asked: every distinct request of bench.search's mix (bench/inprocess.py's `mix_requests`) goes
through `engine.search` with the result caches cleared. The bench wraps `engine._run` (in this process only) and
keeps, for the call whose result the search returned (after understanding, relaxing, any-word fallback; never a
probe), its inputs and its statement: the text query's tsquery (`parsed.match`), the filters applied (the URL's
and the understood conditions), the type, sort and page, and the SQL with its parameters as psycopg received them.
The peer translates the tsquery (lexemes, `&`, `|`, `!`, parentheses) into its own queries. A prefix lexeme
(`'maod':*`) is read from the term dictionary: the lexemes it covers, as a union of their term queries when they
are few, one term-set query when many (a one-letter prefix covers hundreds); `--prefix regex` reads it as a regex
query on the raw field instead (its automaton costs 0.6-1.2 ms to build, more than most whole answers). It then
answers what the statement answers, in three calls: an aggregation over the type's matches (every facet with its
own filter left out, and the sub-category's with the kind's, engine.EXCLUDES: one filter aggregation per distinct
"all filters but these" condition, terms aggregations inside), an aggregation over every type's matches (the
per-type counts, the other tabs capped at 1,000 as the engine does), and the page with the total (top 20 at its
offset with their stored display documents; under relevance the query's category tier first as a boosted
should-clause, then BM25; the other sorts by a fast field). Requests without words (only conditions, or a
category) are answered too (`browse`), with the unfiltered facets of a whole type kept per process as the engine
keeps them; a request whose statement the engine never ran (nothing left to match) is counted as not compared.

How to read it:
- agreement: a request agrees when the total, the per-type counts and every facet's counts are the same on both
  sides; the first disagreements are printed with both answers. The page is computed on both sides but neither
  its order nor its records are compared: ts_rank is not BM25 (the same records on the page, as a set, are counted
  for information);
- in-process latency, best of `--runs` per request and side, sides alternating: "PG statement" is the captured
  statement alone re-executed over a bare psycopg connection (with the engine's two set_config settings),
  "engine.search" the whole search with caches cleared (reading, probes and relaxing included), "peer" the
  translation and the peer's three calls. The peer compares with the statement; engine.search is what a request
  costs today (the peer behind the service would add the same reading and relaxing). Broad requests (over 5,000
  matches) apart;
- throughput: two processes, each running half of the requests (every other one) once, for each side in turn,
  (PG, peer, peer, PG); the PostgreSQL side's clients run the captured statements and its server shares the same
  CPUs; each peer process opens the index read-only. The peer processes' memory (RSS, anonymous and file-backed:
  the index is memory-mapped) is printed.
On a shared machine only the ratios mean much; run it when the machine is quiet.

Run: `.venv/bin/python -m bench.search --data-dir DIR` once (it keeps the generated database), then
`.venv/bin/python -m bench.peer --data-dir DIR [--limit N] [--runs 3] [--prefix terms|regex] [--by-form]`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tantivy

PAGE = 20  # engine.PAGE_SIZE
PAGE_TYPES_CAP = 1000  # engine.TAB_COUNT_CAP: the other tabs count up to this
TERMS_SIZE = 1000  # more buckets than any facet has values, so every count is exact
SHOW_DISAGREEMENTS = 5
# What each type of record filters by, and the condition of each filter (engine.FILTERS, engine.CONDITIONS):
# here the field of the peer's index a filter tests (`verified`: a field of its own, 1 when any certificate).
FIELD = {
    "kind": "kind_code",
    "category": "category_code",
    "storage": "storage",
    "town": "town_code",
    "park": "park_group",
    "cert": "cert_kinds",
    "brand_level": "brand_levels",
    "verified": "verified",
}
FACET_COLUMNS = ("kind_code", "category_code", "town_code", "park_group", "storage", "cert_kinds", "brand_levels")
NUMBERS = ("boost", "price_asc", "price_desc")


# --- the peer's index ---------------------------------------------------------------------------------------------


def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    # The lexemes as they are: one term each, no positions (a tsvector of the 'simple' kind has none either).
    b.add_text_field("tsv", tokenizer_name="raw", index_option="freq")
    b.add_text_field("tags", tokenizer_name="raw", index_option="basic")
    b.add_text_field("kind", tokenizer_name="raw", index_option="basic", fast=True, stored=True)
    for name in FACET_COLUMNS:
        b.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    b.add_unsigned_field("verified", indexed=True, fast=True)
    b.add_unsigned_field("ref_id", stored=True, fast=True)
    b.add_integer_field("listed_at", fast=True)
    for name in NUMBERS:
        b.add_float_field(name, fast=True)
    b.add_bytes_field("display", stored=True)
    return b.build()


ROWS_SQL = (
    "SELECT kind, ref_id, array_to_string(tsvector_to_array(tsv), E'\\x1f'), tags, kind_code, category_code,"
    " town_code, park_group, storage, cert_kinds, brand_levels, price_min, price_max, unit_price_min, unit_price_max,"
    " extract(epoch FROM listed_at)::bigint, boost, display::text FROM search_doc ORDER BY id"
)


def read_rows(conninfo: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(conninfo) as conn:
        return conn.execute(ROWS_SQL).fetchall()


def build_index(path: Path, rows: list[tuple]) -> dict[str, float]:
    """The peer's index of `rows` in `path`: seconds in all and making the documents in Python, bytes, segments."""
    started = time.perf_counter()
    index = tantivy.Index(schema(), str(path))
    # One indexing thread with room for every document: one segment, as a rebuild from scratch would give.
    writer = index.writer(heap_size=1_000_000_000, num_threads=1)
    making = 0.0
    for row in rows:
        t0 = time.perf_counter()
        (kind, ref_id, lexemes, tags, kind_code, category, town, park, storage, certs, levels, *rest) = row
        price_min, price_max, unit_min, unit_max, listed, boost, display = rest
        fields: dict[str, Any] = {
            "tsv": lexemes.split("\x1f") if lexemes else [],
            "tags": tags,
            "kind": kind,
            "cert_kinds": certs,
            "brand_levels": levels,
            "verified": 1 if certs else 0,
            "ref_id": ref_id,
            "listed_at": listed or 0,
            "boost": float(boost or 0),
            # The price sorts' keys (engine.ORDER): the price in 元/kg, else the list price after all such, else last.
            "price_asc": _key(unit_min, price_min, 1e12),
            "price_desc": _key(unit_max, price_max, -1e12),
            "display": display.encode(),
        }
        for name, value in zip(FACET_COLUMNS[:5], (kind_code, category, town, park, storage), strict=True):
            if value is not None:
                fields[name] = value
        doc = tantivy.Document.from_dict(fields, index.schema)
        making += time.perf_counter() - t0
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    index.reload()
    return {"seconds": seconds, "making": making, "bytes": size, "segments": index.searcher().num_segments}


def _key(per_kg, listed, missing: float) -> float:
    if per_kg is not None:
        return float(per_kg)
    if listed is not None:
        return float(listed) + (1e9 if missing > 0 else -1e9)
    return missing


# --- the tsquery, read into the peer's queries ----------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:([()&|!])|'((?:[^'\\]|''|\\.)*)'(?::([*A-Da-d]+))?)")
REGEX_META = set("\\.+*?()|[]{}^$#&-~")
FEW_TERMS = 16  # a prefix covering more lexemes than this is read as one term-set query
EMPTY = tantivy.Query.empty_query()


def tsquery_tree(q: str) -> Any:
    """A tsquery's text as a tree: ("lex", lexeme, prefix) | ("and" | "or", [children]) | ("not", child).

    Precedence as PostgreSQL's: ! binds tightest, then &, then |."""
    tokens: list[tuple[str, Any]] = []
    pos = 0
    q = q.rstrip()
    while pos < len(q):
        m = TOKEN.match(q, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read tsquery at {pos}: {q!r}")
        pos = m.end()
        if m.group(1):
            tokens.append((m.group(1), None))
        else:
            lexeme = re.sub(r"''|\\(.)", lambda x: x.group(1) if x.group(1) is not None else "'", m.group(2))
            tokens.append(("lex", (lexeme, "*" in (m.group(3) or ""))))
    at = 0

    def peek() -> str | None:
        return tokens[at][0] if at < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal at
        at += 1
        return tokens[at - 1]

    def either() -> Any:
        parts = [both()]
        while peek() == "|":
            take()
            parts.append(both())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def both() -> Any:
        parts = [unary()]
        while peek() == "&":
            take()
            parts.append(unary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def unary() -> Any:
        kind, value = take()
        if kind == "!":
            return ("not", unary())
        if kind == "(":
            inner = either()
            if take()[0] != ")":
                raise ValueError(f"unbalanced tsquery: {q!r}")
            return inner
        if kind == "lex":
            return ("lex", *value)
        raise ValueError(f"unexpected {kind!r} in tsquery: {q!r}")

    tree = either()
    if at != len(tokens):
        raise ValueError(f"trailing tokens in tsquery: {q!r}")
    return tree


def regex_prefix(prefix: str) -> str:
    return "".join("\\" + c if c in REGEX_META else c for c in prefix) + ".*"


class Peer:
    """The peer's side: an index opened read-only and the engine's question asked of it."""

    def __init__(self, path: str, prefix: str = "terms") -> None:
        self.index = tantivy.Index.open(path)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.prefix = prefix
        self.type_facets: dict[str, dict[str, list[tuple[str, int]]]] = {}

    def term(self, field: str, value: Any) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value, index_option="basic")

    def text_query(self, tree: Any) -> tantivy.Query:
        op = tree[0]
        if op == "lex":
            _, lexeme, prefix = tree
            if not prefix:
                return tantivy.Query.term_query(self.schema, "tsv", lexeme, index_option="freq")
            if self.prefix == "regex":
                return tantivy.Query.regex_query(self.schema, "tsv", regex_prefix(lexeme))
            # The lexemes the prefix covers, from the term dictionary: a few as a union of their posting lists,
            # many (a one-letter prefix covers hundreds) as one term-set query.
            terms = [t for t, _ in self.searcher.terms_with_prefix("tsv", lexeme)]
            if len(terms) > FEW_TERMS:
                return tantivy.Query.term_set_query(self.schema, "tsv", terms)
            return self.text_query(("or", [("lex", t, False) for t in terms])) if terms else EMPTY
        if op == "not":
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, self.text_query(tree[1]))]
            )
        if len(tree[1]) == 1:
            return self.text_query(tree[1][0])
        occur = tantivy.Occur.Must if op == "and" else tantivy.Occur.Should
        return tantivy.Query.boolean_query([(occur, self.text_query(child)) for child in tree[1]])

    def filter_query(self, name: str, value: Any) -> tantivy.Query:
        return self.term(FIELD[name], 1 if name == "verified" else value)

    @staticmethod
    def filter_string(filters: dict[str, Any]) -> str:
        """Filters as the query string a filter aggregation takes."""
        parts = []
        for name, value in filters.items():
            if name == "verified":
                parts.append("verified:1")
            else:
                escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
                parts.append(f'{FIELD[name]}:"{escaped}"')
        return " AND ".join(parts)

    def facet_aggs(self, names: list[str]) -> dict[str, Any]:
        aggs: dict[str, Any] = {}
        for name in names:
            field = FIELD[name]
            aggs[name] = {"terms": {"field": field, "size": TERMS_SIZE, "segment_size": TERMS_SIZE}}
        return aggs

    def ask(self, a: dict[str, Any]) -> dict[str, Any]:
        """The engine's question (see `question`) answered: total, per-type counts, facets, the page."""
        type_, filters = a["type"], a["filters"]
        names = list(a["facets"])
        # The facets grouped by the filters each applies: every filter but its own (and those it excludes).
        groups: dict[tuple[str, ...], list[str]] = {}
        for name in names:
            skip = a["excludes"].get(name, [name])
            groups.setdefault(tuple(n for n in filters if n not in skip), []).append(name)
        own = self.term("kind", type_)
        if a["match"] is not None:
            text = self.text_query(tsquery_tree(a["match"]))
            scope = text
        else:
            text = None
            scope = own
            if not a["browse_all"]:  # browsing a category: only that type, only that kind or category
                field = "category" if filters.get("category") else "kind"
                scope = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, own), (tantivy.Occur.Must, self.filter_query(field, filters[field]))]
                )
        whole = a["browse_all"]  # every record of the type: its unfiltered facets are kept per process
        sub: dict[str, Any] = {}
        for n, (conds, members) in enumerate(groups.items()):
            if whole and not conds:
                continue
            aggs = self.facet_aggs(members)
            if conds:
                sub[f"g{n}"] = {"filter": self.filter_string({c: filters[c] for c in conds}), "aggs": aggs}
            else:
                sub.update(aggs)
        if text is not None:
            # Two passes cost less than one with the type as a filter aggregation: the facets over the type's
            # matches, the per-type counts over every type's.
            scope = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), (tantivy.Occur.Must, own)])
        mine = self.searcher.aggregate(scope, sub) if sub else {}
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
        for n, (conds, members) in enumerate(groups.items()):
            if whole and not conds:
                everything = self.whole_type(type_, names)
                for name in members:
                    facets[name] = everything[name]
                continue
            part = mine[f"g{n}"] if conds else mine
            for name in members:
                facets[name] = self.buckets(name, part[name])
        # The page, and with it the total: the text query (or the browsed scope) under every filter.
        clauses = [(tantivy.Occur.Must, text if text is not None else scope)]
        if text is not None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(own, 0.0)))
        for name, value in filters.items():
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(self.filter_query(name, value), 0.0)))
        order: dict[str, Any] = {}
        if a["sort"] == "relevance" and text is not None and a["codes"]:
            # The engine's tier: a record of a category the query names comes first.
            tier = tantivy.Query.term_set_query(self.schema, "tags", a["codes"])
            clauses.append((tantivy.Occur.Should, tantivy.Query.const_score_query(tier, 1000.0)))
        elif a["sort"] == "newest":
            order = {"order_by_field": "listed_at"}
        elif a["sort"] == "price":
            order = {"order_by_field": "price_asc", "order": tantivy.Order.Asc}
        elif a["sort"] == "price_desc":
            order = {"order_by_field": "price_desc"}
        elif text is None:
            order = {"order_by_field": "boost"}
        query = tantivy.Query.boolean_query(clauses)
        found = self.searcher.search(
            query, a["page_size"], count=True, offset=(a["page"] - 1) * a["page_size"], **order
        )
        page = []
        for _, address in found.hits:
            doc = self.searcher.doc(address)
            page.append((doc.get_first("kind"), doc.get_first("ref_id"), json.loads(doc.get_first("display"))))
        total = found.count
        if text is not None:
            out = self.searcher.aggregate(text, {"types": {"terms": {"field": "kind", "size": 16}}})
            types = {b["key"]: b["doc_count"] for b in out["types"]["buckets"]}
            types = {k: n if k == type_ else min(n, PAGE_TYPES_CAP) for k, n in types.items()}
        elif whole:
            types = {type_: total}
            for k, applicable in a["others"].items():
                if applicable:
                    q = tantivy.Query.boolean_query(
                        [(tantivy.Occur.Must, self.term("kind", k))]
                        + [(tantivy.Occur.Must, self.filter_query(n, filters[n])) for n in applicable]
                    )
                    types[k] = min(self.count(q), PAGE_TYPES_CAP)
        else:
            types = {type_: self.count(scope)}
        return {
            "total": total,
            "types": {k: n for k, n in types.items() if n},
            "facets": facets,
            "page": [(kind, ref_id) for kind, ref_id, _ in page],
        }

    def count(self, query: tantivy.Query) -> int:
        return self.searcher.search(query, 1, count=True).count  # a limit of 0 panics (tantivy 0.27)

    @staticmethod
    def buckets(name: str, agg: dict[str, Any]) -> list[tuple[str, int]]:
        if agg.get("sum_other_doc_count"):
            raise RuntimeError(f"facet {name} has more than {TERMS_SIZE} values: raise TERMS_SIZE")
        if name == "verified":
            return [("yes", b["doc_count"]) for b in agg["buckets"] if b["key"] == 1 and b["doc_count"]]
        values = [(b["key"], b["doc_count"]) for b in agg["buckets"] if b["doc_count"]]
        return sorted(values, key=lambda vn: (-vn[1], vn[0]))

    def whole_type(self, type_: str, names: list[str]) -> dict[str, list[tuple[str, int]]]:
        found = self.type_facets.get(type_)
        if found is None:
            out = self.searcher.aggregate(self.term("kind", type_), self.facet_aggs(names))
            found = {name: self.buckets(name, out[name]) for name in names}
            self.type_facets[type_] = found
        return found


# --- the engine's side: what it was asked, captured -----------------------------------------------------------------


class Capture:
    """Wraps engine._run and engine._understood in this process, and the SQL each _run call sends."""

    def __init__(self, eng, sa_engine) -> None:
        from sqlalchemy import event

        self.eng = eng
        self.calls: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.answer: Any = None
        real_run, real_understood = eng._run, eng._understood

        def run(session, params, **kw):
            record: dict[str, Any] = {"kw": kw, "sql": []}
            self.calls.append(record)
            outer, self.current = self.current, record
            try:
                record["result"] = real_run(session, params, **kw)
            finally:
                self.current = outer
            return record["result"]

        def understood(session, params, versions=None):
            self.answer = real_understood(session, params, versions)
            return self.answer

        def sent(conn, cursor, statement, parameters, context, executemany):
            if self.current is not None:
                self.current["sql"].append((statement, parameters))

        eng._run, eng._understood = run, understood
        event.listen(sa_engine, "before_cursor_execute", sent)

    def reset(self) -> None:
        self.calls.clear()
        self.answer = None

    def final(self) -> dict[str, Any] | None:
        """The _run call whose result the search returned (never a probe)."""
        for record in self.calls:
            if record.get("result") is self.answer and not record["kw"].get("probe"):
                return record
        return None


def question(eng, result) -> dict[str, Any] | None:
    """What the statement behind `result` asked, in terms the peer reads; None when no statement ran."""
    params = result.params
    parsed = result.parsed
    filters = dict(result.filters)
    browse_all = parsed is None and bool(result.applied)
    if parsed is None and not (filters.get("category") or filters.get("kind")) and not browse_all:
        return None
    others = {
        k: [n for n in filters if n in eng.FILTERS[k]] for k in eng.TYPES if k != params.type
    }  # browse_all: the other tabs count their records under the filters they have
    return {
        "type": params.type,
        "match": parsed.match if parsed is not None else None,
        "codes": sorted(parsed.codes) if parsed is not None else [],
        "filters": filters,
        "facets": list(eng.FILTERS[params.type]),
        "excludes": {k: list(v) for k, v in eng.EXCLUDES.items()},
        "browse_all": browse_all,
        "others": others,
        "sort": params.sort,
        "page": params.page,
        "page_size": params.page_size,
    }


MAIN_STATEMENT = "counts AS ("  # the search statement of engine._run, not _type_facets
SETTINGS = "SELECT set_config('enable_seqscan', 'off', true), set_config('work_mem', '32MB', true)"


def run_statement(conn, statement: str, parameters: Any) -> tuple:
    with conn.cursor() as cur:
        cur.execute(SETTINGS)
        cur.execute(statement, parameters)
        row = cur.fetchone()
    conn.rollback()
    return row


# --- two processes --------------------------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def memory() -> dict[str, float]:
    return {f: _status_kib(f) / 1024 for f in ("VmRSS", "RssAnon", "RssFile")}


def worker(side: str, source: str, jobs: list, prefix: str, start, out) -> None:
    """One of the two processes: open its side (`source`: the index's path or PostgreSQL's conninfo), warm up on a
    few of its jobs, wait for the other, run every job once; report the seconds and its memory."""
    before = memory()
    if side == "peer":
        peer = Peer(source, prefix)
        for a in jobs[:20]:
            peer.ask(a)
        opened = memory()
        call = peer.ask
    else:
        import psycopg

        conn = psycopg.connect(source)
        for statement, parameters in jobs[:20]:
            run_statement(conn, statement, parameters)
        opened = memory()

        def call(job):
            return run_statement(conn, *job)

    start.wait()
    began = time.perf_counter()
    for job in jobs:
        call(job)
    out.put((side, time.perf_counter() - began, len(jobs), before, opened, memory()))


def two_processes(side: str, source: str, jobs: list, prefix: str) -> tuple[float, list]:
    """Requests a second with two processes, each running every other job; and what each reported."""
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: the peer's memory is its own
    start, out = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(side, source, jobs[i::2], prefix, start, out)) for i in range(2)]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    reports = [out.get() for _ in procs]
    wall = time.perf_counter() - began
    for p in procs:
        p.join()
    return sum(r[2] for r in reports) / wall, reports


# --- the comparison -------------------------------------------------------------------------------------------------


def pg_answer(result) -> dict[str, Any]:
    return {"total": result.total, "types": dict(result.types), "facets": result.facets}


def same(engine_answer: dict[str, Any], peer_answer: dict[str, Any]) -> bool:
    return all(
        engine_answer[k] == {kk: [tuple(x) for x in vv] for kk, vv in peer_answer[k].items()}
        if k == "facets"
        else engine_answer[k] == peer_answer[k]
        for k in ("total", "types", "facets")
    )


def show_difference(params: dict, a: dict, engine_answer: dict, peer_answer: dict) -> None:
    print(f"  {params}  match={a['match']!r} filters={a['filters']} browse_all={a['browse_all']}")
    for k in ("total", "types"):
        if engine_answer[k] != peer_answer[k]:
            print(f"    {k}: PG {engine_answer[k]}  peer {peer_answer[k]}")
    for name, values in engine_answer["facets"].items():
        theirs = [tuple(x) for x in peer_answer["facets"].get(name, [])]
        if values != theirs:
            print(f"    facet {name}: PG {values}  peer {theirs}")


def figures(label: str, rows: list[dict], pct) -> None:
    if not rows:
        print(f"{label:<30} {0:>6}")
        return
    line = f"{label:<30} {len(rows):>6}"
    for side in ("pg", "engine", "peer"):
        t = [r[side] for r in rows]
        line += f"  {pct(t, 50):6.2f} {pct(t, 95):6.2f} {pct(t, 99):6.2f}"
    pg_p50 = pct([r["pg"] for r in rows], 50)
    print(f"{line}  {pg_p50 / max(pct([r['peer'] for r in rows], 50), 1e-9):5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", required=True, help="the --data-dir of a bench.search run (kept database)")
    parser.add_argument("--limit", type=int, help="only the first N requests of the mix")
    parser.add_argument("--runs", type=int, default=3, help="runs per request and side (the best is kept)")
    parser.add_argument("--prefix", choices=("terms", "regex"), default="terms", help="how a prefix lexeme is read")
    parser.add_argument("--by-form", action="store_true", help="latency by query form as well")
    args = parser.parse_args()
    keep = Path(args.data_dir)
    if not (keep / "prepared").exists():
        sys.exit(f"no prepared database in {keep}: run python -m bench.search --data-dir {keep} first")

    import psycopg
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    from bench.inprocess import BROAD, mix_requests, pct, timed
    from hotpot import pg
    from hotpot.search import engine as eng

    server = pg.start_embedded(keep, throwaway=False)
    where = Path(tempfile.mkdtemp(prefix="peer-index-"))
    try:
        url = pg.ensure_database(server.url, "hotpot_search_bench", fresh=False)
        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        started = time.perf_counter()
        rows = read_rows(conninfo)
        read_s = time.perf_counter() - started
        built = build_index(where, rows)
        lexemes = sum(r[2].count("\x1f") + 1 for r in rows if r[2])
        print(
            f"peer index ({tantivy.__version__}): {len(rows):,} documents, {lexemes:,} lexemes; read from "
            f"PostgreSQL {read_s:.1f} s; indexed {built['seconds']:.1f} s, one thread (of which making the documents "
            f"in Python {built['making']:.1f} s); {built['bytes'] / 2**20:.1f} MiB on disk, {built['segments']:.0f} "
            "segment(s)"
        )
        del rows
        peer = Peer(str(where), args.prefix)
        sa_engine = create_engine(url)
        capture = Capture(eng, sa_engine)
        conn = psycopg.connect(conninfo)
        requests = mix_requests()[: args.limit]
        compared: list[dict[str, Any]] = []
        not_compared = 0
        with Session(sa_engine) as session:
            eng.search(session, eng.SearchParams(q="预热 毛肚"))  # vocabularies and readers before the clock
            for params, _ in requests[:30]:  # PostgreSQL's pages, the readers, the peer's files warm
                timed(eng, session, params, 0)
            session.rollback()
            for n, (params, form) in enumerate(requests):
                capture.reset()
                ms, _ = timed(eng, session, params, 0)
                session.rollback()
                record = capture.final()
                result = capture.answer
                a = question(eng, result) if record is not None else None
                statements = [s for s in (record or {}).get("sql", ()) if MAIN_STATEMENT in s[0]]
                if a is None or len(statements) != 1:
                    not_compared += 1
                    continue
                if a["match"] is None:
                    peer.whole_type(a["type"], a["facets"])  # what the engine keeps per process, kept here too
                best = {"engine": ms, "pg": 1e9, "peer": 1e9}
                sides = ["pg", "peer", "engine"]
                answer: dict[str, Any] = {}
                for k in range(args.runs):
                    for side in sides[(n + k) % 3 :] + sides[: (n + k) % 3]:
                        if side == "engine":
                            if k == 0:
                                continue  # its first run was the capture
                            t0 = time.perf_counter()
                            timed(eng, session, params, 0)
                            session.rollback()
                        elif side == "pg":
                            t0 = time.perf_counter()
                            row = run_statement(conn, *statements[0])
                        else:
                            t0 = time.perf_counter()
                            answer = peer.ask(a)
                        best[side] = min(best[side], (time.perf_counter() - t0) * 1000)
                compared.append(
                    {
                        "params": params,
                        "form": "browse" if a["match"] is None else form,
                        "ask": a,
                        "statement": statements[0],
                        "engine_answer": pg_answer(result),
                        "peer_answer": answer,
                        "replayed_total": row[1],
                        "page": [(i["type"], i["id"]) for i in result.items],
                        **best,
                    }
                )
        report(compared, not_compared, len(requests), args, BROAD, pct)

        print()
        print("two processes, each running every other request once, sides in turn (PG, peer, peer, PG):")
        statements = [c["statement"] for c in compared]
        asks = [c["ask"] for c in compared]
        rates: dict[str, list[float]] = {"pg": [], "peer": []}
        for side in ("pg", "peer", "peer", "pg"):
            rate, reports = two_processes(
                side, conninfo if side == "pg" else str(where), (statements if side == "pg" else asks), args.prefix
            )
            rates[side].append(rate)
            line = f"  {side:<4} {rate:8.0f} requests/s ({', '.join(f'{r[1]:.1f} s' for r in reports)})"
            if side == "peer":
                worst = max(reports, key=lambda r: r[5]["VmRSS"])
                line += (
                    f"; peer process RSS {worst[3]['VmRSS']:.0f} MiB at start (interpreter, tantivy), "
                    f"{worst[4]['VmRSS']:.0f} with the index open and 20 requests run, {worst[5]['VmRSS']:.0f} after "
                    f"its half (anonymous {worst[5]['RssAnon']:.0f}, file-backed {worst[5]['RssFile']:.0f})"
                )
            print(line)
        pg_rate, peer_rate = (sum(rates[s]) / len(rates[s]) for s in ("pg", "peer"))
        print(
            f"  mean: PG statement {pg_rate:.0f}, peer {peer_rate:.0f} requests/s (peer/PG {peer_rate / pg_rate:.1f}x)"
        )
        conn.close()
        sa_engine.dispose()
    finally:
        shutil.rmtree(where, ignore_errors=True)
        server.stop()


def report(compared: list[dict], not_compared: int, n: int, args, broad_min: int, pct) -> None:
    agree = [c for c in compared if same(c["engine_answer"], c["peer_answer"])]
    differ = [c for c in compared if c not in agree]
    replay = sum(c["replayed_total"] != c["engine_answer"]["total"] for c in compared)
    print()
    print(
        f"{n} distinct requests of bench.search's mix: {len(compared)} compared, {not_compared} not compared (no "
        f"statement: nothing left to match once the query was read)"
    )
    print(
        f"  agree on total, per-type counts and every facet: {len(agree)} of {len(compared)}"
        f" (text {sum(c['form'] != 'browse' for c in agree)} of {sum(c['form'] != 'browse' for c in compared)},"
        f" browse {sum(c['form'] == 'browse' for c in agree)} of {sum(c['form'] == 'browse' for c in compared)})"
    )
    for c in differ[:SHOW_DISAGREEMENTS]:
        show_difference(c["params"], c["ask"], c["engine_answer"], c["peer_answer"])
    pages = sum(len(c["page"]) == len(c["peer_answer"]["page"]) for c in compared)
    overlap = sum(set(c["page"]) == set(c["peer_answer"]["page"]) for c in compared)
    print(
        f"  the page (top {PAGE} at its offset): as many records on both sides {pages} of {len(compared)};"
        f" the same records (as a set, order not compared: ts_rank is not BM25) {overlap}"
    )
    if replay:
        print(f"  WARNING: {replay} captured statements re-executed gave another total than the engine's answer")
    print()
    print(
        f"in-process ms, best of {args.runs} per request and side, sides alternating; PG statement = the captured "
        f"statement alone re-executed (psycopg), engine.search = the whole search, caches cleared; prefix: "
        f"{args.prefix}"
    )
    print(
        f"{'requests':<30} {'n':>6}  {'PG statement p50/p95/p99':>20}  {'engine.search':>20}  {'peer':>20}  PG/peer p50"
    )
    figures("all compared", compared, pct)
    figures("text queries", [c for c in compared if c["form"] != "browse"], pct)
    figures("browse (no words)", [c for c in compared if c["form"] == "browse"], pct)
    broad = [c for c in compared if c["form"] != "browse" and c["engine_answer"]["total"] > broad_min]
    figures(f"broad text (> {broad_min:,} matches)", broad, pct)
    figures("with a prefix lexeme (:*)", [c for c in compared if c["ask"]["match"] and ":*" in c["ask"]["match"]], pct)
    figures("with filters", [c for c in compared if c["ask"]["filters"]], pct)
    if args.by_form:
        for form in sorted({c["form"] for c in compared}):
            figures(f"  form {form}", [c for c in compared if c["form"] == form], pct)


if __name__ == "__main__":
    main()
