"""Search at scale: 100,000 products and 20,000 enterprises, GET /api/v1/search driven by 16 clients over loopback.

What it does, in one run:
1. a throwaway embedded PostgreSQL; schema, reference data, the seed synonyms; 20,000 enterprises and 100,000
   products with names from the taxonomy (bench/registry.py's generator, by COPY); `hotpot search reindex`;
2. a query mix of every form a buyer types (Chinese words and parts, single characters, several words,
   specifications, full and half-typed pinyin, initials, same-sound characters, misspelt pinyin, traditional,
   full-width and mixed case, synonyms), some with filters, sorts, other types and later pages: at least 2,000
   distinct requests; half of the traffic comes from a small popular set, half from the long tail;
3. the real server (uvicorn, --workers processes) with the two baselines mounted (HOTPOT_BENCH_ENDPOINTS=1):
   a bare JSON answer and one indexed single-row SELECT, through the same middleware, access rule and session;
4. wrk (Debian package `wrk`) with 16 connections for each of: bare JSON, single SELECT, the search mix, the
   suggestion mix; req/s, p50/p95/p99, errors and the ratios to the baselines;
5. every query of the relevance table alone (one client, the result cache bypassed by varying page_size): p95;
6. suggestions alone: p95;
7. a control for the single SELECT: the same statement through bare psycopg from 16 threads (no HTTP, no app), so
   that a tail the control shows too is the machine's; and which worker holds each of wrk's connections; beside
   every wrk run, the longest any PostgreSQL backend waited for a CPU within one second (`pg-wait`, bench/sched.py);
   then, where root may switch it, the SELECT and the search mix again with the kernel's autogroup off (the
   stall's cause: bench/README.md "The stall, explained");
8. with `--old REV`: every relevance query in-process, the search code of REV against today's, alternating
   (bench/inprocess.py), with the new/old ratio per query;
9. with `--old-server REV`: the whole app of REV (a git worktree) served beside today's on the same database, the
   search mix driven at each in turn (old, new, new, old, old, new), each turn on emptied caches, and REV's own
   relevance table alone on both, query by query in turn: "not worse than REV" measured in one run, on the same
   data and machine.

Each figure is printed beside its target (issue 12).

Run: `.venv/bin/python -m bench.search` (about 4 minutes on 2 cores; `--products/--enterprises` to scale down).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import opencc
from pypinyin import Style
from pypinyin.constants import PINYIN_DICT
from pypinyin.style import convert as convert_pinyin
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench import sched, wire
from bench.common import Sampler
from bench.registry import app_server, generate, load_categories
from hotpot import migrate, pg
from hotpot.config import get_settings
from hotpot.resources import resource_dir
from hotpot.search import text as tokens

CONCURRENCY = 16
TARGET_RPS = 500
TARGET_P95_MS = 50
TARGET_P99_MS = 150
BROAD_P95_MS = 15
TARGET_SHARE = 0.20
ALONE_P95_MS = 30
SUGGEST_P95_MS = 10

# --- the query mix ---------------------------------------------------------------------------------------------

_s2t = opencc.OpenCC("s2t")


def _homophones() -> dict[str, list[str]]:
    """Toneless reading → common characters with it (for same-sound typos as a pinyin keyboard makes them)."""
    by_sound: dict[str, list[str]] = {}
    for code, value in PINYIN_DICT.items():
        ch = chr(code)
        if not ("\u4e00" <= ch <= "\u9fa5"):
            continue
        first = convert_pinyin(value.split(",")[0], Style.NORMAL, strict=True)
        by_sound.setdefault(first, []).append(ch)
    return by_sound


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def _typo(rng: random.Random, letters: str) -> str:
    if len(letters) < 4:
        return letters
    i = rng.randrange(1, len(letters) - 1)
    if rng.random() < 0.5:
        return letters[:i] + letters[i + 1] + letters[i] + letters[i + 2 :]  # swap two letters
    return letters[:i] + letters[i + 1 :]  # drop one


def queries(seed: int) -> tuple[list[str], list[str], dict[str, str]]:
    """(popular requests, long-tail requests, form of each query) as API paths with query strings."""
    rng = random.Random(seed)
    homophones = _homophones()
    categories = load_categories()
    terms: list[str] = []
    synonyms: list[str] = []
    for c in categories:
        terms.append(c.name)
        terms.extend(c.variants)
    with (resource_dir("seed_data") / "search_synonyms.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            synonyms.extend(row["terms"].split("|"))
    terms = list(dict.fromkeys(terms))
    forms: dict[str, str] = {}

    def add(q: str, form: str) -> None:
        if q and q not in forms:
            forms[q] = form

    specs = ["500g", "1kg", "2.5kg", "5斤", "250克", "10kg"]
    for term in terms:
        syl = tokens.pinyin_of(term)
        full = "".join(syl)
        add(term, "chinese")
        if len(term) >= 3:
            start = rng.randrange(0, len(term) - 1)
            add(term[start : start + 2], "part")
        add(rng.choice(term), "single")
        add(f"{term} {rng.choice(specs)}", "spec")
        add(f"{rng.choice(['重庆', '火锅', '冷冻', '批发', '手工'])} {term}", "words")
        add(full, "pinyin")
        if len(full) > 3:
            add(full[: rng.randrange(3, len(full))], "pinyin-half")
        add("".join(s[0] for s in syl), "initials")
        i = rng.randrange(len(term))
        same = [c for c in homophones.get(syl[i], []) if c != term[i]]
        if same:
            add(term[:i] + rng.choice(same[:12]) + term[i + 1 :], "homophone")
        add(_typo(rng, full), "pinyin-typo")
        trad = _s2t.convert(term)
        if trad != term:
            add(trad, "traditional")
        add(_full_width(full.upper()) if rng.random() < 0.5 else full.capitalize(), "width-case")
    for syn in synonyms:
        add(syn, "synonym")
    # Popular: the thirty sub-category names and their pinyin and initials buyers type most.
    popular_q = [c.name for c in categories[:20]] + [
        "maodu",
        "yachang",
        "huanghou",
        "md",
        "yc",
        "hgdl",
        "maod",
        "牛油火锅底料",
        "xiahua",
        "毛肚 500g",
    ]
    storages = ["frozen", "chilled", "ambient"]
    towns = ["500117121", "500117001", "500117006", "500117126", "500117005"]

    def path(q: str, **extra) -> str:
        return "/api/v1/search?" + urlencode({"q": q, **extra})

    popular = [path(q) for q in popular_q]
    tail: list[str] = []
    for q in forms:
        roll = rng.random()
        if roll < 0.55:
            tail.append(path(q))
        elif roll < 0.65:
            tail.append(path(q, storage=rng.choice(storages)))
        elif roll < 0.72:
            tail.append(path(q, town=rng.choice(towns)))
        elif roll < 0.80:
            tail.append(path(q, sort=rng.choice(["newest", "price", "price_desc"])))
        elif roll < 0.88:
            tail.append(path(q, type=rng.choice(["enterprise", "base", "brand"])))
        elif roll < 0.94:
            tail.append(path(q, page=2))
        else:
            tail.append(path(q, cert="sc"))
    rng.shuffle(tail)
    return popular, tail, forms


def mix(popular: list[str], tail: list[str], total: int, seed: int) -> list[str]:
    """Half from the popular set (skewed), half walking the long tail (each used about once)."""
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(len(popular))]
    out = []
    t = 0
    for _ in range(total):
        if rng.random() < 0.5:
            out.append(rng.choices(popular, weights)[0])
        else:
            out.append(tail[t % len(tail)])
            t += 1
    return out


# --- wrk -----------------------------------------------------------------------------------------------------------

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
local errors = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end
function init(args)
  i = offset
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("JSON {\"requests\": %d, \"seconds\": %.3f, \"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f, " ..
    "\"mean\": %.3f, \"status_errors\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.mean / 1e3, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


# The open mode: each connection waits a random (exponential) think time before each request, so that requests
# arrive about as users' do, at a rate of their own, not each the moment the one before was answered. With a closed
# loop (16 connections, no wait) the mean latency is 16 / throughput whatever the server does: answering the cheap
# requests faster leaves the connections more often on the dear ones, so the p95 of the mix rises while every
# request costs less (issue 12, 2026-12-03). Open, a faster answer only takes load off the others.
LUA_OPEN = r"""
local think = tonumber(os.getenv("BENCH_THINK_MS"))
function delay()
  return -math.log(1 - math.random()) * think
end
"""
OPEN_CONNECTIONS = 128


def wrk(
    base: str,
    paths: list[str],
    seconds: int,
    tmp: Path,
    name: str,
    *,
    connections: int = CONCURRENCY,
    rate: float | None = None,
) -> dict:
    """One wrk run; with `rate`, the open mode (LUA_OPEN) at about that many requests a second offered."""
    path_file = tmp / (re.sub(r"[^\w,]+", "-", name) + ".paths")
    path_file.write_text("\n".join(paths) + "\n")
    script = tmp / "mix.lua"
    script.write_text(LUA + (LUA_OPEN if rate else ""))
    env_extra = {}
    if rate:
        connections = OPEN_CONNECTIONS
        env_extra["BENCH_THINK_MS"] = f"{connections / rate * 1000:.3f}"
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script)]
    capture = wire.captured(int(base.rsplit(":", 1)[1]), tmp, re.sub(r"\W+", "-", name)) if WIRE[0] else None
    # How long PostgreSQL's backends waited for a CPU (bench/sched.py): the kernel's part of a slow request. And the
    # CPU each side used per request: what the two CPUs can serve at most, whatever the load generator does.
    server_pids, backends = sched.server_processes(int(base.rsplit(":", 1)[1])), sched.postgres_pids()
    cpu_before = sched.cpu_seconds(server_pids), sched.cpu_seconds(backends)
    with capture or contextlib.nullcontext() as cap, sched.RunQueueWaits(sched.postgres_pids) as waits:
        out = subprocess.run(
            [*command, base],
            env={**os.environ, "BENCH_PATHS": str(path_file), **env_extra},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = data["requests"] / data["seconds"]
    data["errors"] = data["status_errors"] + data["socket_errors"]
    data["name"] = name
    data["pg_cpu_wait_ms"] = waits.worst(1.0)
    if server_pids and data["requests"]:
        data["cpu_ms"] = {
            "server": (sched.cpu_seconds(server_pids) - cpu_before[0]) * 1000 / data["requests"],
            "postgres": (sched.cpu_seconds(backends) - cpu_before[1]) * 1000 / data["requests"],
        }
    if cap is not None and cap.latencies_ms:
        # The latencies off the wire (bench/wire.py: wrk's own percentiles are not to be trusted); wrk's kept apart.
        data["wrk"] = {k: data[k] for k in ("p50", "p95", "p99", "mean")}
        data["wire"] = cap.summary()
        data.update({k: data["wire"][k] for k in ("p50", "p95", "p99", "mean")})
    return data


# Whether wrk's runs are captured (bench/wire.py); set by use_wire().
WIRE = [False]


def use_wire() -> None:
    """Capture wrk's runs when tcpdump can (wrk's own percentiles are not to be trusted), and say which it is."""
    why_not = wire.available()
    WIRE[0] = why_not is None
    print("latencies: " + ("off the wire (tcpdump on lo, bench/wire.py)" if WIRE[0] else f"wrk's own ({why_not})"))


def show(r: dict, base: dict | None = None, target: str = "") -> str:
    ratio = f"  req/s {r['rps'] / base['rps']:.0%} of {base['name']}" if base else ""
    cpu = f" cpu/req={r['cpu_ms']['server']:.2f}+{r['cpu_ms']['postgres']:.2f}ms (app+PG)" if "cpu_ms" in r else ""
    if "wire" in r:
        w, k = r["wire"], r["wrk"]
        source = (
            f" max={w['max']:.0f}ms >300ms={w['over_300ms']} (wire; wrk said p95 {k['p95']:.0f} p99 {k['p99']:.0f})"
        )
    else:
        source = " (wrk's own latencies)"
    return (
        f"{r['name']:<22} req/s={r['rps']:8.1f}  p50={r['p50']:6.2f}ms p95={r['p95']:6.2f}ms p99={r['p99']:6.2f}ms"
        f"{source} errors={r['errors']} pg-wait={r.get('pg_cpu_wait_ms', 0):.0f}ms/s{cpu}{ratio}"
        f"{f'  [target {target}]' if target else ''}"
    )


def alone(base: str, qs: list[str], runs: int) -> list[tuple[str, float, float]]:
    """Each query by one client, `runs` times, with page_size varied so that no answer comes from the cache."""
    out = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for q in qs:
            times = []
            for k in range(runs):
                t = time.perf_counter()
                r = client.get("/api/v1/search", params={"q": q, "page_size": 20 + (k % 30)})
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
            times.sort()
            out.append((q, statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]))
    return out


def side_by_side(args, url: str, tmp: Path, search_paths: list[str]) -> None:
    """The app of args.old_server against today's, in turns, on the same database (see the module's step 9)."""
    import runpy

    tree = tmp / f"old-{args.old_server}"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.old_server], check=True, capture_output=True)
    try:
        old_table = runpy.run_path(str(tree / "tests/search/test_relevance.py"))["RELEVANCE"]
        queries = [q for q, _ in old_table]
        with (
            app_server(url, tmp, workers=args.workers, tree=tree) as old,
            app_server(url, tmp, workers=args.workers) as new,
        ):
            wrk(old, search_paths[:500], 3, tmp, "warm-up old")
            wrk(new, search_paths[:500], 3, tmp, "warm-up new")
            mixes: dict[str, list[dict]] = {"old": [], "new": []}
            engine = create_engine(url)
            for turn in range(3):
                # Each turn starts cold and alike: a new index version empties both apps' result caches (what
                # any write does), so neither side's turn replays requests it answered from its cache before.
                # The order alternates so that drift of the machine falls on both.
                sides = (("old", old), ("new", new)) if turn % 2 == 0 else (("new", new), ("old", old))
                for side, base in sides:
                    with engine.begin() as conn:
                        conn.execute(text("UPDATE search_state SET data_version = nextval('search_version_seq')"))
                    mixes[side].append(wrk(base, search_paths, args.seconds, tmp, f"search mix, {side}"))
            # The same mix offered at a fixed rate (the open mode): what a faster answer does to the others when
            # requests come as users send them.
            opened: dict[str, list[dict]] = {"old": [], "new": []}
            for turn in range(3 if args.open_rate else 0):
                sides = (("old", old), ("new", new)) if turn % 2 == 0 else (("new", new), ("old", old))
                for side, base in sides:
                    with engine.begin() as conn:
                        conn.execute(text("UPDATE search_state SET data_version = nextval('search_version_seq')"))
                    label = f"open {args.open_rate:.0f}/s, {side}"
                    opened[side].append(wrk(base, search_paths, args.seconds, tmp, label, rate=args.open_rate))
            engine.dispose()
            times: dict[str, dict[str, float]] = {"old": {}, "new": {}}
            runs = max(4, args.runs // 2)
            for q in queries:
                for side, base in (("old", old), ("new", new)):
                    [(_, _, p95)] = alone(base, [q], runs)
                    times[side][q] = p95
        print()
        print(f"side by side: the app of {args.old_server} (old) and today's (new), same database, in turns")
        for side in ("old", "new"):
            for r in mixes[side]:
                print("  " + show(r))
        for title, runs_of in (("search mix", mixes), (f"open {args.open_rate or 0:.0f}/s", opened)):
            if not runs_of["old"]:
                continue
            if runs_of is opened:
                for side in ("old", "new"):
                    for r in opened[side]:
                        print("  " + show(r))
            for key in ("rps", "p50", "p95", "p99"):
                old_v = statistics.median(r[key] for r in runs_of["old"])
                new_v = statistics.median(r[key] for r in runs_of["new"])
                better = new_v >= old_v if key == "rps" else new_v <= old_v
                print(
                    f"  {title} {key:>4}: old {old_v:8.1f}  new {new_v:8.1f}  new/old {new_v / old_v:5.2f}"
                    f"  {'not worse' if better else 'WORSE'}"
                )
        slow = {side: [q for q in queries if times[side][q] > ALONE_P95_MS] for side in times}
        ratios = sorted(times["new"][q] / times["old"][q] for q in queries)
        print(
            f"  {args.old_server}'s relevance table ({len(queries)} queries x {runs} runs, one client, uncached): "
            f"over {ALONE_P95_MS} ms at p95: old {len(slow['old'])}, new {len(slow['new'])}; "
            f"median of p95 old {statistics.median(times['old'].values()):.1f} ms, "
            f"new {statistics.median(times['new'].values()):.1f} ms; new/old per query: median "
            f"{statistics.median(ratios):.2f}, worst {ratios[-1]:.2f}"
        )
        over = ", ".join(f"{q} {times['new'][q]:.0f}/{times['old'][q]:.0f}" for q in slow["new"])
        print(f"  over the line, new (new/old ms): {over}")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], check=False, capture_output=True)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


# --- the run -------------------------------------------------------------------------------------------------------


def prepare(url: str, args) -> None:
    from hotpot.reference import service as reference
    from hotpot.search import indexer
    from hotpot.search import service as search

    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        reference.load_reference(session)
        search.load_seed_synonyms(session)
        session.commit()
    started = time.perf_counter()
    stats = generate(url, enterprises=args.enterprises, products=args.products, seed=args.seed)
    print(f"generated {stats.rows} in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    with Session(engine) as session:
        counts = indexer.rebuild(session)
        session.commit()
    seconds = time.perf_counter() - started
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Set hint bits and the visibility map now and write everything out, so that no checkpoint or first
        # read of a freshly written page lands inside a measurement.
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("CHECKPOINT"))
        size = (
            conn.execute(
                text(
                    "SELECT pg_size_pretty(sum(pg_relation_size(indexrelid))) FROM pg_stat_user_indexes"
                    " WHERE indexrelname LIKE 'ix_search_doc_tsv_%' UNION ALL SELECT"
                    " pg_size_pretty(pg_total_relation_size('search_doc'))"
                )
            )
            .scalars()
            .all()
        )
    print(f"reindex {counts} in {seconds:.1f}s; GIN indexes {size[0]}, search_doc in all {size[1]}")
    engine.dispose()


def run(args, tmp: Path) -> int:
    if shutil.which("wrk") is None:
        print("wrk is needed: sudo apt-get install wrk")
        return 2
    use_wire()
    keep = Path(args.data_dir) if args.data_dir else None
    server = pg.start_embedded(keep or tmp / "pg", throwaway=keep is None)
    try:
        ready = keep is not None and (keep / "prepared").exists()
        url = pg.ensure_database(server.url, "hotpot_search_bench", fresh=not ready)
        if ready:
            print(f"reusing the data in {keep}")
            migrate.upgrade(url)
        else:
            prepare(url, args)
            if keep is not None:
                (keep / "prepared").write_text(f"{args.products} products, {args.enterprises} enterprises\n")
        popular, tail, forms = queries(args.seed)
        by_form: dict[str, int] = {}
        for f in forms.values():
            by_form[f] = by_form.get(f, 0) + 1
        print(f"query mix: {len(popular)} popular + {len(tail)} long-tail requests ({len(forms)} distinct queries)")
        print("  forms: " + ", ".join(f"{k} {v}" for k, v in sorted(by_form.items())))
        search_paths = mix(popular, tail, len(tail) * 2, args.seed)
        rng = random.Random(args.seed)
        prefixes = list(dict.fromkeys(q[: rng.randrange(1, len(q) + 1)] for q in forms))
        rng.shuffle(prefixes)
        # Suggestions alone use prefixes the suggestion mix never asks for, so that none comes from the cache.
        suggest_alone_paths = ["/api/v1/suggest?" + urlencode({"q": p}) for p in prefixes[:600]]
        suggest_paths = ["/api/v1/suggest?" + urlencode({"q": p}) for p in prefixes[600:]]
        with DocumentCount(url) as n_docs:
            select_paths = [f"/api/v1/bench/select?id={rng.randrange(1, n_docs)}" for _ in range(5000)]
        os.environ["HOTPOT_BENCH_ENDPOINTS"] = "1"
        from bench.stall import control, server_pids

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        # The control: the same SELECT with no HTTP and no platform, 16 threads of bare psycopg. What it shows of
        # the tail is the machine's (and PostgreSQL's); what the HTTP figure adds is the platform's.
        select_control = control(dsn, [int(p.rsplit("=", 1)[1]) for p in select_paths], min(args.seconds, 5))
        from bench.stall import reuseport_server

        # The server as `hotpot serve --workers N` runs it: uvicorn's own --workers, or a socket per worker.
        serve = reuseport_server if args.server == "reuseport" else app_server
        with serve(url, tmp, workers=args.workers) as base:
            wrk(base, search_paths[:500], 3, tmp, "warm-up")
            results = {}
            results["bare"] = wrk(base, ["/api/v1/bench/json"], args.seconds, tmp, "bare JSON")
            results["select"] = wrk(base, select_paths, args.seconds, tmp, "single SELECT")
            spread: list[dict[int, int]] = []
            port = int(base.rsplit(":", 1)[1])
            sampler = Sampler(lambda: spread.append(server_pids(port)))
            with sampler:
                results["search"] = wrk(base, search_paths, args.seconds, tmp, "search mix")
            results["suggest"] = wrk(base, suggest_paths, args.seconds, tmp, "suggest mix")
            from tests.search.test_relevance import RELEVANCE

            single = alone(base, [q for q, _ in RELEVANCE], args.runs)
            suggest_alone = []
            with httpx.Client(base_url=base, timeout=10) as client:
                for p in suggest_alone_paths:
                    t = time.perf_counter()
                    client.get(p).raise_for_status()
                    suggest_alone.append((time.perf_counter() - t) * 1000)
        # The same two runs on a server whose workers run routes on another number of threads (anyio's 40 was the
        # default before issue 12's stall was found): the thread pool's share of the tail, in the same run.
        others = {}
        if args.compare_threads:
            os.environ["HOTPOT_THREADS"] = str(args.compare_threads)
            try:
                with serve(url, tmp, workers=args.workers) as base:
                    wrk(base, search_paths[:500], 3, tmp, "warm-up")
                    n = args.compare_threads
                    for label, paths in (
                        (f"SELECT, {n} threads", select_paths),
                        (f"search, {n} threads", search_paths),
                    ):
                        others[label] = wrk(base, paths, args.seconds, tmp, label)
            finally:
                del os.environ["HOTPOT_THREADS"]
        # The machine's part (bench/sched.py, bench/README.md "The stall, explained"): the SELECT and the search mix
        # again on a server started with the kernel's autogroup off, so that PostgreSQL's backends, the workers and
        # wrk share the CPUs as tasks rather than as session groups (pg_ctl puts the postmaster in a session of its
        # own). Only where this process may switch it (root); the setting is put back after.
        if args.autogroup_control and sched.autogroup() and sched.can_switch():
            with sched.autogroup_set(False), serve(url, tmp, workers=args.workers) as base:
                wrk(base, search_paths[:500], 3, tmp, "warm-up")
                for label, paths in (("SELECT, autogroup off", select_paths), ("search, autogroup off", search_paths)):
                    others[label] = wrk(base, paths, args.seconds, tmp, label)
        print()
        print(sched.describe() + ("" if args.autogroup_control else " (control skipped: --no-autogroup-control)"))
        print(
            f"{args.products:,} products, {args.enterprises:,} enterprises; {args.workers} workers; "
            f"{CONCURRENCY} connections (wrk), {args.seconds}s each; {os.cpu_count()} CPUs; server: {args.server}; "
            f"route threads a worker: {os.environ.get('HOTPOT_THREADS') or get_settings().threads} (HOTPOT_THREADS)"
        )
        print(show(results["bare"]))
        c = select_control
        print(
            f"{'control: bare psycopg':<22} q/s={c['rps']:8.1f}  p50={c['p50']:6.2f}ms p95={c['p95']:6.2f}ms "
            f"p99={c['p99']:6.2f}ms max={c['max']:.1f}ms  (the same SELECT, {CONCURRENCY} threads, no HTTP, no app)"
        )
        print(show(results["select"], results["bare"]) + f"  p99 x{results['select']['p99'] / c['p99']:.1f} of control")
        print(
            show(
                results["search"],
                results["select"],
                f">= {TARGET_RPS} req/s, p95 < {TARGET_P95_MS} ms, p99 < {TARGET_P99_MS} ms, 0 errors",
            )
        )
        print(f"  wrk's connections per worker during the search mix (pid: connections): {spread}")
        closed = results["search"]
        print(
            f"  a closed loop: {CONCURRENCY} connections / {closed['rps']:.1f} req/s ="
            f" {CONCURRENCY / closed['rps'] * 1000:.1f} ms mean latency whatever the server does (mean measured"
            f" {closed['mean']:.1f} ms); the p95 is the uncached"
            " half's 90th percentile, so a faster kept answer moves time to it (bench/README.md, 2026-12-03"
            " afternoon); `--old-server REV --open-rate R` compares at a fixed offered rate"
        )
        print(show(results["suggest"], results["select"]))
        for label, r in others.items():
            print(show(r, results["select" if "SELECT" in label else "search"]))
        worst = sorted(single, key=lambda x: -x[2])
        print(
            f"relevance queries alone ({len(single)} queries x {args.runs} runs, uncached): "
            f"median of p95 {statistics.median(x[2] for x in single):.2f}ms, worst p95 {worst[0][2]:.2f}ms "
            f"({worst[0][0]}); over {ALONE_P95_MS}ms: {[q for q, _, p in single if p > ALONE_P95_MS]}"
        )
        print("  slowest: " + ", ".join(f"{q} {p:.1f}ms" for q, _, p in worst[:6]) + f"  [target < {ALONE_P95_MS} ms]")
        print(
            f"suggestions alone: p50 {pct(suggest_alone, 50):.2f}ms p95 {pct(suggest_alone, 95):.2f}ms "
            f"p99 {pct(suggest_alone, 99):.2f}ms  [target p95 < {SUGGEST_P95_MS} ms]"
        )
        if args.old:
            # Old code path against new, in-process and alternating (bench/inprocess.py): the ratio is what counts.
            from bench import inprocess, oldcode

            engine = create_engine(url)
            with Session(engine) as session:
                old = oldcode.load(args.old)
                old.search(session, old.SearchParams(q="预热 毛肚"))
                rows = inprocess.compare(session, old, [q for q, _ in RELEVANCE], max(4, args.runs // 2))
            engine.dispose()
            print()
            inprocess.report(rows, max(4, args.runs // 2), args.old)
        if args.old_server:
            side_by_side(args, url, tmp, search_paths)
        s = results["search"]
        share = s["rps"] / results["select"]["rps"]
        checks = {
            f"search mix >= {TARGET_RPS} req/s": s["rps"] >= TARGET_RPS,
            f"search mix p95 < {TARGET_P95_MS} ms": s["p95"] < TARGET_P95_MS,
            f"search mix p99 < {TARGET_P99_MS} ms": s["p99"] < TARGET_P99_MS,
            "search mix without errors": s["errors"] == 0,
            f"search mix >= {TARGET_SHARE:.0%} of single SELECT": share >= TARGET_SHARE,
            f"every relevance query alone p95 < {ALONE_P95_MS} ms": all(p < ALONE_P95_MS for _, _, p in single),
            f"suggestions alone p95 < {SUGGEST_P95_MS} ms": pct(suggest_alone, 95) < SUGGEST_P95_MS,
        }
        for label, ok in checks.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {label}")
        return 0 if all(checks.values()) else 1
    finally:
        server.stop()


class DocumentCount:
    """The number of search documents (for the single-row SELECT baseline's ids)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> int:
        engine = create_engine(self.url)
        with engine.connect() as conn:
            n = conn.execute(text("SELECT max(id) FROM search_doc")).scalar() or 1
        engine.dispose()
        return n

    def __exit__(self, *exc) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--products", type=int, default=100000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20, help="wrk duration of each scenario")
    parser.add_argument("--runs", type=int, default=20, help="runs of each relevance query alone")
    parser.add_argument("--seed", type=int, default=1126)
    parser.add_argument(
        "--compare-threads",
        type=int,
        default=0,
        help="then the SELECT and the search mix on a server with this many route threads a worker (0: skip)",
    )
    parser.add_argument(
        "--autogroup-control",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="then the SELECT and the search mix with the kernel's autogroup off, where root may switch it",
    )
    parser.add_argument("--data-dir", help="keep the generated database here and reuse it on the next run")
    parser.add_argument("--old", help="also time the search code of this git revision in-process against today's")
    parser.add_argument(
        "--old-server", help="also serve the whole app of this git revision beside today's and compare (step 9)"
    )
    parser.add_argument(
        "--open-rate",
        type=float,
        default=0,
        help="with --old-server: also offer the mix at about this many requests/s from 128 connections with a random"
        " think time (the open mode), in turns",
    )
    parser.add_argument(
        "--server",
        choices=["uvicorn", "reuseport"],
        default="uvicorn",
        help="uvicorn: its --workers (one shared socket, `hotpot serve`'s default); reuseport: a SO_REUSEPORT socket"
        " per worker (`hotpot serve` with HOTPOT_REUSE_PORT=true)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotpot-search-bench-") as tmp:
        sys.exit(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
