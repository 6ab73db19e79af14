"""Where a waiting request waits: issue 12's stalls of the single indexed SELECT, with a control that leaves out the
platform.

On bench/search.py's kept database (`--data-dir`), in one run:
1. control: the same one-row SELECT through bare psycopg, 16 threads with a connection each, no HTTP, no app;
2. the server as bench/search.py starts it (uvicorn, 2 workers, HOTPOT_BENCH_ENDPOINTS=1) under wrk with 16
   connections on /api/v1/bench/select, while sampling every 0.1 s: which worker holds each of wrk's connections
   (psutil), what the PostgreSQL backends do (pg_stat_activity: state and wait event), and, a few times, py-spy
   dumps of both workers (where each thread is: the event loop, the thread pool, the SQLAlchemy pool, psycopg);
3. the same with each worker on its own SO_REUSEPORT socket on the port (hotpot/serving.py, as
   `hotpot serve --workers N` now runs), so that the kernel, not the first worker awake, spreads wrk's connections;
4. where root may switch it, step 2 again with the kernel's autogroup off (bench/sched.py: the stall's cause).
Beside each run: the longest any PostgreSQL backend waited for a CPU within one second (its run-queue wait).

It prints the latencies of both, the connection spread, PostgreSQL's wait events, and the threads' places, so the
layer a slow request sits in can be read off. Short by design (the machine is shared): `--seconds 5`.
Run: `.venv/bin/python -m bench.stall --data-dir DIR` (py-spy from the dev extras; wrk from Debian).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg

from bench import sched
from bench.common import free_port, wait_for
from bench.registry import app_server
from bench.search import CONCURRENCY, pct, wrk
from hotpot import pg


def control(dsn: str, ids: list[int], seconds: float) -> dict:
    """The SELECT through bare psycopg, CONCURRENCY threads: the machine and PostgreSQL without the platform."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(n: int) -> None:
        mine = []
        rng = random.Random(n)
        with psycopg.connect(dsn, autocommit=True) as conn:
            while time.monotonic() < stop:
                t = time.perf_counter()
                conn.execute("SELECT ref_id, kind FROM search_doc WHERE id = %s", (rng.choice(ids),)).fetchone()
                mine.append((time.perf_counter() - t) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "rps": len(latencies) / seconds,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "max": max(latencies),
    }


def server_pids(port: int) -> dict[int, int]:
    """pid → established connections on the server's port (the workers that hold wrk's connections)."""
    out: collections.Counter = collections.Counter()
    for c in psutil.net_connections(kind="tcp"):
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED and c.pid:
            out[c.pid] += 1
    return dict(out)


def where_threads(pid: int) -> collections.Counter:
    """Each thread of a worker, by the innermost frame of ours or of a library that tells the layer."""
    dump = subprocess.run(
        ["py-spy", "dump", "--pid", str(pid), "--json", "--nonblocking"], capture_output=True, text=True, timeout=20
    )
    places: collections.Counter = collections.Counter()
    try:
        threads = json.loads(dump.stdout)
    except json.JSONDecodeError:
        return places
    for thread in threads:
        frames = thread.get("frames", [])
        label = "idle thread"
        for f in frames:  # innermost first
            name, path = f.get("name", ""), f.get("filename", "")
            if "psycopg" in path:
                label = f"psycopg {name} (waiting on PostgreSQL)"
            elif "sqlalchemy/pool" in path or "sqlalchemy/util/queue" in path:
                label = f"SQLAlchemy pool {name}"
            elif "asyncio/base_events" in path or "selectors" in path:
                label = f"event loop {name}"
            elif "anyio" in path and "worker" in name.lower():
                label = "thread pool worker waiting for work"
            elif "/hotpot/" in path:
                label = f"hotpot {Path(path).name}:{name}"
            else:
                continue
            break
        if thread.get("active") and frames:
            # A thread on the CPU: where exactly (the innermost frame) and in which package.
            inner = frames[0]
            package = next(
                (
                    p
                    for p in ("hotpot", "starlette", "fastapi", "anyio", "sqlalchemy", "psycopg", "uvicorn", "asyncio")
                    if f"/{p}/" in inner.get("filename", "")
                ),
                Path(inner.get("filename", "?")).name,
            )
            label = f"{label} | on CPU in {package}: {inner.get('name')}"
        places[("active " if thread.get("active") else "") + label] += 1
    return places


@contextlib.contextmanager
def reuseport_server(url: str, data_dir: Path, *, workers: int) -> Iterator[str]:
    """The app as `hotpot serve --workers N` runs it (hotpot/serving.py): each worker with its own SO_REUSEPORT
    socket on one port, so the kernel spreads new connections (uvicorn's --workers share one socket, and whoever
    accepts first takes them)."""
    port = free_port()
    env = {
        **os.environ,
        "HOTPOT_DATABASE_URL": url,
        "HOTPOT_DATA_DIR": str(data_dir / "var"),
        "HOTPOT_LOG_LEVEL": "warning",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.reuseport", "127.0.0.1", str(port), str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", timeout=120)
        time.sleep(2)  # every process listening, not only the first
        yield base
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def sampled(dsn: str, base: str, paths: list[str], seconds: int, tmp: Path, name: str) -> dict:
    """wrk on the paths while sampling connections per worker, PostgreSQL's waits and py-spy dumps; prints all."""
    port = int(base.rsplit(":", 1)[1])
    waits: collections.Counter = collections.Counter()
    spread: list[dict[int, int]] = []
    places: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    done = threading.Event()

    def sample() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            k = 0
            while not done.is_set():
                for state, event in conn.execute(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'on CPU')"
                    " FROM pg_stat_activity WHERE application_name = 'hotpot' AND pid <> pg_backend_pid()"
                ):
                    waits[f"{state} / {event}"] += 1
                if k % 10 == 5:
                    spread.append(server_pids(port))
                if k % 15 == 7:
                    for pid in spread[-1] if spread else {}:
                        places[pid].update(where_threads(pid))
                k += 1
                time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    r = wrk(base, paths, seconds, tmp, name)
    done.set()
    sampler.join()
    print(
        f"{name}: {r['rps']:.0f} req/s p50 {r['p50']:.2f} p95 {r['p95']:.2f} p99 {r['p99']:.2f} ms,"
        f" errors {r['errors']}; the longest a PostgreSQL backend waited for a CPU within 1 s:"
        f" {r['pg_cpu_wait_ms']:.0f} ms"
    )
    print("  wrk's connections per worker (samples, pid: connections):", spread)
    total = sum(waits.values()) or 1
    print("  PostgreSQL backends of the app, sampled every 0.1 s (state / wait):")
    for key, k in waits.most_common(6):
        print(f"    {k / total:6.1%}  {key}")
    for pid, counter in places.items():
        print(f"  worker {pid}, threads by place over {sum(counter.values())} thread samples:")
        for key, k in counter.most_common(6):
            print(f"    {k:4d}  {key}")
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None or (shutil.which("py-spy") is None and not Path(sys.executable).with_name("py-spy")):
        sys.exit("needs wrk (apt-get install wrk) and py-spy (the dev extras)")
    os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    from bench import search as search_bench

    search_bench.use_wire()
    keep = Path(args.data_dir)
    server = pg.start_embedded(keep, throwaway=False)
    try:
        url = pg.ensure_database(server.url, "hotpot_search_bench", fresh=False)
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as conn:
            n = conn.execute("SELECT max(id) FROM search_doc").fetchone()[0]
        rng = random.Random(7)
        ids = [rng.randrange(1, n) for _ in range(5000)]
        paths = [f"/api/v1/bench/select?id={i}" for i in ids]
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
        c = control(dsn, ids, args.seconds)
        print(
            f"control (bare psycopg, {CONCURRENCY} threads): {c['rps']:.0f} q/s p50 {c['p50']:.2f} p95 {c['p95']:.2f}"
            f" p99 {c['p99']:.2f} max {c['max']:.1f} ms"
        )
        os.environ["HOTPOT_BENCH_ENDPOINTS"] = "1"
        results = {}
        with tempfile.TemporaryDirectory(prefix="hotpot-stall-") as tmp:
            with app_server(url, Path(tmp), workers=args.workers) as base:
                results["shared"] = sampled(
                    dsn, base, paths, args.seconds, Path(tmp), f"uvicorn --workers {args.workers} (one socket)"
                )
            with reuseport_server(url, Path(tmp), workers=args.workers) as base:
                results["reuseport"] = sampled(
                    dsn, base, paths, args.seconds, Path(tmp), f"{args.workers} processes, SO_REUSEPORT each"
                )
            # The machine's part (bench/sched.py): the same with the kernel's autogroup off, where root may switch it.
            if sched.autogroup() and sched.can_switch():
                with sched.autogroup_set(False), app_server(url, Path(tmp), workers=args.workers) as base:
                    results["autogroup off"] = sampled(
                        dsn, base, paths, args.seconds, Path(tmp), f"uvicorn --workers {args.workers}, autogroup off"
                    )
        print(sched.describe())
        for name, r in results.items():
            print(f"  {name}: p99 x{r['p99'] / c['p99']:.1f} of the control, req/s x{r['rps'] / c['rps']:.2f}")
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
