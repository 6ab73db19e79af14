"""Search in-process, old code path against new, alternating in one run: per query median and p95, and the ratio.

No HTTP, no server: `engine.search()` of this working tree and of another revision (bench/oldcode.py) over the
same session on bench/search.py's database, each query `--runs` times per side with the result caches cleared
before every call, old and new taking turns so that whatever else the machine does falls on both alike. On a
shared machine only the ratios mean something; the absolute figures are printed beside the targets of issue 12
(every relevance-table query under 30 ms at p95 alone, broad queries over 5,000 matches under 15 ms).

Run: `.venv/bin/python -m bench.search --data-dir DIR` once (it keeps the generated database), then
`.venv/bin/python -m bench.inprocess --data-dir DIR [--old 98daefc] [--runs 20] [--only 毛肚 ...]`.
With `--mix`, the search mix of bench/search.py instead (every distinct request of it: the popular set and the
long tail with its filters, sorts, tabs and pages): the uncached work the mix asks of each side, in total and by
query form, which is what the served figures of the mix are made of.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench import oldcode
from hotpot import pg
from hotpot.search import engine as new

ALONE_P95_MS = 30
BROAD_P95_MS = 15
BROAD = 5000


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def timed(module, session: Session, q: str | dict, k: int) -> tuple[float, tuple]:
    # Every answer forgotten; what a process keeps of the index itself until it changes is kept (the facets of a
    # whole type, which condition-only queries read; a revision without clear_results keeps nothing).
    getattr(module, "clear_results", module.clear_cache)()
    params = module.SearchParams(**q) if isinstance(q, dict) else module.SearchParams(q=q)
    started = time.perf_counter()
    r = module.search(session, params)
    ms = (time.perf_counter() - started) * 1000
    # What a buyer sees: the total, the page in order, every facet, the tabs, what was dropped.
    answer = (
        r.total,
        [(i["type"], i["id"]) for i in r.items],
        r.facets,
        r.types,
        [c.label for c in getattr(r, "relaxed", ())],  # a revision before issue 11 relaxed nothing
        getattr(r, "any_word", ()),
    )
    return ms, answer


def compare(session: Session, old, queries: list[str], runs: int) -> list[dict]:
    rows = []
    for q in queries:
        times: dict[str, list[float]] = {"old": [], "new": []}
        answers: dict[str, tuple] = {}
        for k in range(runs):
            # Alternate which goes first, so neither always runs on a warmer cache of PostgreSQL's pages.
            order = (("old", old), ("new", new)) if k % 2 == 0 else (("new", new), ("old", old))
            for name, module in order:
                ms, answers[name] = timed(module, session, q, k)
                times[name].append(ms)
            session.rollback()
        rows.append(
            {
                "q": q,
                "total": answers["new"][0],
                "same": answers["old"] == answers["new"],
                **{f"{side}_p50": statistics.median(t) for side, t in times.items()},
                **{f"{side}_p95": pct(t, 95) for side, t in times.items()},
            }
        )
    return rows


def mix_requests() -> list[tuple[dict, str]]:
    """Every distinct request of bench/search.py's mix as search parameters, with its query's form."""
    from urllib.parse import parse_qsl, urlsplit

    from bench.search import queries

    popular, tail, forms = queries(1126)
    out = []
    for path in dict.fromkeys(popular + tail):
        params: dict = dict(parse_qsl(urlsplit(path).query))
        if "page" in params:
            params["page"] = int(params["page"])
        out.append((params, "popular" if path in popular else forms.get(params["q"], "?")))
    return out


def compare_mix(session: Session, old, runs: int, limit: int | None) -> None:
    requests = mix_requests()[:limit]
    for params, _ in requests[:30]:  # PostgreSQL's pages and both readers warm before the clock runs
        timed(new, session, params, 0)
    session.rollback()
    sums: dict[str, dict[str, float]] = {}
    per: dict[str, list[float]] = {"old": [], "new": []}
    differ = 0
    same: dict[str, float] = {"old": 0.0, "new": 0.0}
    for n, (params, form) in enumerate(requests):
        best: dict[str, float] = {"old": 1e9, "new": 1e9}
        answers: dict[str, tuple] = {}
        for k in range(runs):
            order = (("old", old), ("new", new)) if (n + k) % 2 == 0 else (("new", new), ("old", old))
            for side, module in order:
                ms, answers[side] = timed(module, session, params, k)
                best[side] = min(best[side], ms)
            session.rollback()
        differ += answers["old"] != answers["new"]
        if answers["old"] == answers["new"]:
            for side in same:
                same[side] += best[side]
        row = sums.setdefault(form, {"n": 0, "old": 0.0, "new": 0.0})
        row["n"] += 1
        for side in ("old", "new"):
            row[side] += best[side]
            per[side].append(best[side])
    print(f"{'form':<13} {'requests':>8} {'old ms':>9} {'new ms':>9} {'new/old':>7}")
    for form, row in sorted(sums.items(), key=lambda kv: -kv[1]["old"]):
        print(f"{form:<13} {row['n']:>8} {row['old']:9.0f} {row['new']:9.0f} {row['new'] / row['old']:7.2f}")
    total = {side: sum(t) for side, t in per.items()}
    print()
    print(
        f"the mix's {len(requests)} distinct requests, best of {runs} per side, caches cleared, old = {old.__name__}: "
        f"uncached work old {total['old'] / 1000:.1f} s, new {total['new'] / 1000:.1f} s, "
        f"new/old {total['new'] / total['old']:.2f}"
    )
    for side in ("old", "new"):
        t = per[side]
        print(f"  {side}: p50 {pct(t, 50):.1f}  p95 {pct(t, 95):.1f}  p99 {pct(t, 99):.1f}  max {max(t):.1f} ms")
    print(
        f"  requests whose answer differs (the new reading of the query at work): {differ}; the "
        f"{len(requests) - differ}"
        f" with the same answer: old {same['old'] / 1000:.1f} s, new {same['new'] / 1000:.1f} s, new/old "
        f"{same['new'] / max(same['old'], 1e-9):.2f}"
    )


def report(rows: list[dict], runs: int, rev: str) -> None:
    print(f"{'query':<24} {'matches':>7}  {'old p50':>8} {'new p50':>8} {'new/old':>7}  {'old p95':>8} {'new p95':>8}")
    for r in sorted(rows, key=lambda r: -r["old_p50"]):
        print(
            f"{r['q']:<24} {r['total']:>7}  {r['old_p50']:8.1f} {r['new_p50']:8.1f} {r['new_p50'] / r['old_p50']:7.2f}"
            f"  {r['old_p95']:8.1f} {r['new_p95']:8.1f}{'' if r['same'] else '  ANSWER DIFFERS'}"
        )
    ratios = [r["new_p50"] / r["old_p50"] for r in rows]
    broad = [r for r in rows if r["total"] > BROAD]
    print()
    print(f"{len(rows)} queries x {runs} runs per side, old = {rev}, caches cleared before every call")
    print(
        f"median of medians: old {statistics.median(r['old_p50'] for r in rows):.1f} ms, "
        f"new {statistics.median(r['new_p50'] for r in rows):.1f} ms; "
        f"median new/old ratio {statistics.median(ratios):.2f}"
    )
    print(f"sum of medians: old {sum(r['old_p50'] for r in rows):.0f} ms, new {sum(r['new_p50'] for r in rows):.0f} ms")
    worst = max(rows, key=lambda r: r["new_p95"])
    print(
        f"worst new p95 {worst['new_p95']:.1f} ms ({worst['q']}); target every query < {ALONE_P95_MS} ms: "
        f"{sum(r['new_p95'] < ALONE_P95_MS for r in rows)}/{len(rows)} (old "
        f"{sum(r['old_p95'] < ALONE_P95_MS for r in rows)}/{len(rows)})"
    )
    if broad:
        print(
            f"broad queries (> {BROAD:,} matches, {len(broad)}): new p95 median "
            f"{statistics.median(r['new_p95'] for r in broad):.1f} ms (old "
            f"{statistics.median(r['old_p95'] for r in broad):.1f}), target < {BROAD_P95_MS} ms: "
            f"{sum(r['new_p95'] < BROAD_P95_MS for r in broad)}/{len(broad)}"
        )
    differ = [r["q"] for r in rows if not r["same"]]
    print(f"answers (total, page, facets, tabs, relaxing) that differ between old and new: {differ or 'none'}")


def compare_suggestions(session: Session, runs: int) -> None:
    """Suggestions, SQL alone: the statement and index before the covering index (a temporary copy of search_term
    with the old index, ORDER BY key) against today's (USING ~<~, index-only), alternating, over the prefixes of
    bench/search.py's suggestion-alone set."""
    import random

    from sqlalchemy import text

    from bench.search import queries
    from hotpot.search import text as tokens

    _, _, forms = queries(1126)
    rng = random.Random(1126)
    prefixes = list(dict.fromkeys(q[: rng.randrange(1, len(q) + 1)] for q in forms))
    rng.shuffle(prefixes)
    session.execute(text("CREATE TEMP TABLE search_term_before AS SELECT * FROM search_term"))
    session.execute(text("CREATE INDEX ON search_term_before (key text_pattern_ops)"))
    session.execute(text("ANALYZE search_term_before"))
    before = text(
        "SELECT term, source, ref_id, max(weight) AS w FROM (SELECT term, source, ref_id, weight"
        " FROM search_term_before WHERE key LIKE :prefix ORDER BY key LIMIT 3000) k"
        " GROUP BY term, source, ref_id ORDER BY max(weight) DESC, length(term), term LIMIT :limit"
    )
    sides = {"old": before, "new": new.SUGGEST_SQL}
    times: dict[str, list[float]] = {"old": [], "new": []}
    differ = 0
    for n, p in enumerate(prefixes[:600]):
        last = " ".join(tokens.normalize(p).split()).rpartition(" ")[2]
        prefix = last.replace("\\", "").replace("%", "").replace("_", "") + "%"
        answers = {}
        for k in range(runs):
            for side in ("old", "new") if (n + k) % 2 == 0 else ("new", "old"):
                started = time.perf_counter()
                answers[side] = session.execute(sides[side], {"prefix": prefix, "limit": 8}).all()
                times[side].append((time.perf_counter() - started) * 1000)
        differ += answers["old"] != answers["new"]
    print(
        f"suggestion SQL over {min(600, len(prefixes))} prefixes x {runs}: "
        + ", ".join(
            f"{side} p50 {pct(t, 50):.2f} p95 {pct(t, 95):.2f} p99 {pct(t, 99):.2f} ms" for side, t in times.items()
        )
        + f"; new/old p95 {pct(times['new'], 95) / pct(times['old'], 95):.2f}; answers that differ: {differ}"
    )
    session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", required=True, help="the --data-dir of a bench.search run (kept database)")
    parser.add_argument("--old", default="main", help="the revision whose search code is 'old'")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="these queries instead of the relevance table")
    parser.add_argument("--suggest", action="store_true", help="the suggestion statement, before and after, instead")
    parser.add_argument("--mix", action="store_true", help="every distinct request of the search mix instead")
    parser.add_argument("--limit", type=int, help="with --mix: only the first N requests")
    args = parser.parse_args()
    keep = Path(args.data_dir)
    if not (keep / "prepared").exists():
        sys.exit(f"no prepared database in {keep}: run python -m bench.search --data-dir {keep} first")
    server = pg.start_embedded(keep, throwaway=False)
    try:
        url = pg.ensure_database(server.url, "hotpot_search_bench", fresh=False)
        engine = create_engine(url)
        if args.suggest:
            with Session(engine) as session:
                compare_suggestions(session, max(3, args.runs // 4))
            return
        old = oldcode.load(args.old)
        if args.mix:
            with Session(engine) as session:
                for module in (old, new):
                    module.search(session, module.SearchParams(q="预热 毛肚"))
                compare_mix(session, old, max(1, args.runs // 10), args.limit)
            return
        if args.only:
            queries = args.only
        else:
            from tests.search.test_relevance import RELEVANCE

            queries = list(dict.fromkeys(q for q, _ in RELEVANCE))
        with Session(engine) as session:
            for module in (old, new):  # vocabularies and readers built before the clock runs
                module.search(session, module.SearchParams(q="预热 毛肚"))
            rows = compare(session, old, queries, args.runs)
        report(rows, args.runs, args.old)
        engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
