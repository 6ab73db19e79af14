"""Shared pieces of the benchmarks: a server process, a request driver, percentiles."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_for(url: str, timeout: float = 120) -> float:
    """Poll url until it answers 200; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(url)


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class Result:
    name: str
    latencies_ms: list[float]
    errors: int
    seconds: float

    def pct(self, p: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        k = min(len(data) - 1, round(p / 100 * (len(data) - 1)))
        return data[k]

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def line(self, baseline: Result | None = None) -> str:
        ratio = f"  p50 x{self.pct(50) / baseline.pct(50):.2f} of {baseline.name}" if baseline else ""
        return (
            f"{self.name:<28} n={len(self.latencies_ms):<6} req/s={self.rps:8.1f}  "
            f"p50={self.pct(50):7.2f}ms p95={self.pct(95):7.2f}ms p99={self.pct(99):7.2f}ms "
            f"mean={statistics.fmean(self.latencies_ms or [0]):7.2f}ms errors={self.errors}{ratio}"
        )


def drive(
    name: str, base: str, paths: list[str], *, concurrency: int = 8, requests: int = 2000, cookies: dict | None = None
) -> Result:
    """Send `requests` GETs (cycling through paths) with `concurrency` clients; collect latencies."""
    latencies: list[float] = []
    errors = 0

    def worker(offset: int) -> tuple[list[float], int]:
        lat: list[float] = []
        err = 0
        with httpx.Client(base_url=base, cookies=cookies, timeout=10) as client:
            for i in range(offset, requests, concurrency):
                t = time.perf_counter()
                try:
                    ok = client.get(paths[i % len(paths)]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                lat.append((time.perf_counter() - t) * 1000)
                err += 0 if ok else 1
        return lat, err

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for lat, err in pool.map(worker, range(concurrency)):
            latencies.extend(lat)
            errors += err
    return Result(name, latencies, errors, time.perf_counter() - started)


class Sampler:
    """Calls `fn` every `every` seconds in a thread of its own while the block runs."""

    def __init__(self, fn: Callable[[], object], *, every: float = 1.0) -> None:
        self.fn, self.every = fn, every
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.done.wait(self.every):
            self.fn()

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()
