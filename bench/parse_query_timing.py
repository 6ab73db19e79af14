"""How long the query reader (hotpot.search.text.parse_query) takes on the relevance table's queries.

No database: the vocabulary is loaded from seed_data/ (dictionary, taxonomy, synonyms) as the app loads it.
Run from a checkout: `PYTHONPATH=. python bench/parse_query_timing.py` (`--rounds N`; `--table PATH` reads the
queries of another copy of tests/search/test_relevance.py, to time an older checkout on the same queries); prints
the median and the 95th percentile per query over all queries and rounds, and the slowest queries.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import statistics
import time
from pathlib import Path

from hotpot.resources import resource_dir
from hotpot.search import text

TABLE = Path(__file__).resolve().parents[1] / "tests" / "search" / "test_relevance.py"


def relevance_queries(path: Path) -> list[str]:
    spec = importlib.util.spec_from_file_location("relevance_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [q for q, _ in module.RELEVANCE]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--table", type=Path, default=TABLE)
    args = parser.parse_args()
    with (resource_dir("seed_data") / "search_synonyms.csv").open(encoding="utf-8") as f:
        groups = [row["terms"].split("|") for row in csv.DictReader(f)]
    text.vocabulary.set_synonyms(groups, version=1)
    queries = relevance_queries(args.table)
    for q in queries:  # warm the per-word caches, as a running server has them
        text.parse_query(q)
    times: dict[str, list[float]] = {q: [] for q in queries}
    for _ in range(args.rounds):
        for q in queries:
            start = time.perf_counter()
            text.parse_query(q)
            times[q].append((time.perf_counter() - start) * 1e6)
    every = sorted(t for ts in times.values() for t in ts)
    print(f"{len(queries)} queries x {args.rounds} rounds")
    print(f"median {statistics.median(every):.0f} µs, p95 {every[int(len(every) * 0.95)]:.0f} µs")
    slow = sorted(queries, key=lambda q: -statistics.median(times[q]))[:5]
    print("slowest:", ", ".join(f"{q} {statistics.median(times[q]):.0f} µs" for q in slow))


if __name__ == "__main__":
    main()
