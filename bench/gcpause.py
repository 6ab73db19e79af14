"""Garbage-collection pauses in a serving process (issue 12's stalls): the search mix in-process, with and without
the start-up heap frozen (hotpot.main's lifespan calls gc.freeze()).

Each mode runs in its own child process: the app (TestClient, no HTTP, one client) on a database kept by
`bench.search --data-dir DIR`, the first `--requests` paths of bench.search's query mix, every full (generation 2)
collection timed by a gc callback. Printed per mode: the request latencies (p50, p99, max), each full collection's
pause, and how many objects the freeze moved to the permanent generation. The explicit collection that precedes
the freeze at start-up is a full collection too: it is the first pause of the frozen mode.

Run: .venv/bin/python -m bench.gcpause --data-dir DIR [--requests 1500]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def child(data_dir: Path, requests: int, freeze: bool) -> dict:
    from hotpot import pg

    server = pg.start_embedded(data_dir)
    url = pg.ensure_database(server.url, "hotpot_search_bench", fresh=False)
    os.environ.update(
        HOTPOT_DATABASE_URL=url, HOTPOT_DATA_DIR=str(data_dir / "gcpause-var"), HOTPOT_LOG_LEVEL="warning"
    )
    import hotpot.main as app_module

    if not freeze:

        async def _unfrozen(app):
            yield

        app_module._lifespan = contextlib.asynccontextmanager(_unfrozen)
    from fastapi.testclient import TestClient

    from bench.search import mix, queries

    popular, tail, _ = queries(1126)
    paths = mix(popular, tail, len(tail) * 2, 1126)[:requests]
    pauses: list[float] = []
    started = [0.0]

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif info["generation"] == 2:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(timed)
    latencies = []
    with TestClient(app_module.create_app()) as client:
        for path in paths:
            t = time.perf_counter()
            client.get(path).raise_for_status()
            latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return {
        "requests": len(latencies),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max": latencies[-1],
        "pauses": pauses,
        "frozen": gc.get_freeze_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", required=True, help="the --data-dir of a bench.search run (kept database)")
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--child", choices=["frozen", "unfrozen"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(Path(args.data_dir), args.requests, args.child == "frozen")))
        return
    for mode in ("unfrozen", "frozen"):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.gcpause",
                "--data-dir",
                args.data_dir,
                "--requests",
                str(args.requests),
                "--child",
                mode,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
        pauses = ", ".join(f"{p:.0f}" for p in r["pauses"]) or "none"
        print(
            f"{mode:<9} {r['requests']} requests  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
            f"  max {r['max']:7.1f} ms  full collections: {pauses} ms  (objects frozen at start-up: {r['frozen']:,})"
        )


if __name__ == "__main__":
    main()
