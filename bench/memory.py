"""Memory of a serving process (issue 12: under 250 MB RSS), and what each part of it costs.

One fresh child process adds the parts of a serving worker one at a time and reads its resident memory (VmRSS,
after a full garbage collection) after each:

1. the interpreter alone;
2. the platform's modules imported (FastAPI, SQLAlchemy, Jinja2, pydantic and ours);
3. pypinyin's tables (its single-character and phrase dictionaries, loaded when it is imported; the phrases
   through hotpot/search/pinyin_tables.py, which shares their readings);
4. the search vocabulary: jieba's dictionary with our trade words on top (moved into a trie:
   hotpot/search/wordcut.py), their pinyin, the category names;
5. the query reader (towns, conditions, noise words);
6. the app built (`create_app()`: routes, templates, the database engine; its start-up hooks load the vocabulary,
   which step 4 did already);
7. with `--data-dir` (a database kept by `bench.search --data-dir DIR`), bench.search's mix served through the app
   (TestClient, one client): its first 50 requests (connections, threads, what loads on first use); then on until
   the result cache holds 90 % of its bound or the mix ends; then the whole mix once more (the steady state: hits
   for the popular half, the long tail replacing itself); then what `malloc_trim` gives back of the C heap.

Printed: each step's RSS and its cost (the difference to the step before), beside the 250 MB target.

Run: .venv/bin/python -m bench.memory [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

TARGET_MB = 250


def rss_mb() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(data_dir: str | None) -> list[tuple[str, float]]:
    steps = [("interpreter", rss_mb())]
    import hotpot.main as app_module  # the import is what is measured
    from hotpot import pg

    steps.append(("modules imported", rss_mb()))
    server = None
    if data_dir:
        server = pg.start_embedded(Path(data_dir))
        url = pg.ensure_database(server.url, "hotpot_search_bench", fresh=False)
        os.environ.update(
            HOTPOT_DATABASE_URL=url, HOTPOT_DATA_DIR=str(Path(data_dir) / "memory-var"), HOTPOT_LOG_LEVEL="warning"
        )
    else:
        # No database is opened before step 6: the app's engine connects lazily.
        os.environ.setdefault("HOTPOT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    from hotpot.search import pinyin_tables  # pypinyin as the platform loads it (its phrase table compacted)

    pinyin_tables.lazy_pinyin("毛肚")
    steps.append(("pypinyin's tables", rss_mb()))
    from hotpot.search import engine, understand
    from hotpot.search import text as tokens

    tokens.vocabulary.ensure_loaded()
    steps.append(("search vocabulary (jieba's dictionary and ours)", rss_mb()))
    understand.reader()
    steps.append(("query reader", rss_mb()))
    app = app_module.create_app()  # its start-up hooks load the vocabulary: loaded above, so not counted twice
    steps.append(("app built", rss_mb()))
    if data_dir:
        from fastapi.testclient import TestClient

        from bench.search import mix, queries

        popular, tail, _ = queries(1126)
        paths = mix(popular, tail, len(tail) * 2, 1126)
        with TestClient(app) as client:
            for path in paths[:50]:
                client.get(path)
            steps.append(("the first 50 requests (connections, threads, what loads on first use)", rss_mb()))
            served = 50
            for path in paths[50:]:
                client.get(path)
                served += 1
                if engine._cache.currsize >= 0.9 * engine._cache.maxsize:
                    break
            held = f"{len(engine._cache):,} entries, about {engine._cache.currsize / 2**20:.0f} MB"
            steps.append((f"result cache filled ({held}, {served:,} requests)", rss_mb()))
            for path in paths:
                client.get(path)
            held = f"{len(engine._cache):,} entries, about {engine._cache.currsize / 2**20:.0f} MB"
            steps.append((f"the whole mix again ({len(paths):,} requests; cache {held})", rss_mb()))
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            steps.append(("the C heap's free memory given back (malloc_trim)", rss_mb()))
        server.stop()
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", help="a database kept by bench.search --data-dir (for the served mix)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("JSON " + json.dumps(child(args.data_dir)))
        return
    cmd = [sys.executable, "-m", "bench.memory", "--child"] + (["--data-dir", args.data_dir] if args.data_dir else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    steps = json.loads(next(line for line in out.splitlines() if line.startswith("JSON "))[5:])
    print(f"{'a serving process, step by step':<78} {'RSS MB':>7} {'cost MB':>8}")
    before = 0.0
    for name, mb in steps:
        print(f"{name:<78} {mb:7.1f} {mb - before:8.1f}")
        before = mb
    last = steps[-1][1]
    print(f"\nlast: {last:.1f} MB  [target < {TARGET_MB} MB: {'met' if last < TARGET_MB else 'NOT MET'}]")


if __name__ == "__main__":
    main()
