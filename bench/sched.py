"""The kernel scheduler's share of issue 12's stall: autogroup, and how long PostgreSQL's backends wait for a CPU.

What was found (2026-12-03, bench/README.md "The stall, explained"): during a stall the slow requests sit inside
cursor.execute, the workers' event loops and a watchdog thread run on time, and PostgreSQL's backends are runnable
(state R) but not running: their run-queue wait (/proc/PID/schedstat, second field) grows by 0.4-2.7 s in a window
of the same length while the Python workers and wrk use the two CPUs. Linux's autogroup
(/proc/sys/kernel/sched_autogroup_enabled) gives every session its own scheduling group and shares the CPUs
between groups first; pg_ctl starts the postmaster in a session of its own (setsid), so every backend is in one
group and the server, wrk and the bench in another. With autogroup off, the same runs have no request over 300 ms.

This module reads the setting, turns it off for a block when it may (root), samples the run-queue waits of
PostgreSQL's client backends while a block runs, and reads the CPU the server's processes and the backends used, so
the benchmarks print the machine's part beside the platform's.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil

from bench.common import Sampler

AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled")


def autogroup() -> bool | None:
    """Whether the kernel groups tasks by session (None: this kernel has no autogroup)."""
    try:
        return AUTOGROUP.read_text().strip() == "1"
    except OSError:
        return None


def can_switch() -> bool:
    """Whether this process may turn autogroup off and on again (root, a writable /proc/sys)."""
    try:
        with AUTOGROUP.open("r+"):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def autogroup_set(enabled: bool) -> Iterator[None]:
    """The block runs with autogroup on or off; the setting before is put back after."""
    before = AUTOGROUP.read_text().strip()
    AUTOGROUP.write_text("1" if enabled else "0")
    try:
        yield
    finally:
        AUTOGROUP.write_text(before)


def describe() -> str:
    """One line for a benchmark's header: the setting, and whether it can be switched for the control."""
    state = autogroup()
    if state is None:
        return "kernel autogroup: not in this kernel"
    switch = "switchable here (root)" if can_switch() else "not switchable here (needs root)"
    return f"kernel autogroup: {'on' if state else 'off'}, {switch}"


def postgres_pids() -> list[int]:
    """PostgreSQL's client backends (their title names the client: "[local]" or "host(port)"), not its own helpers."""
    out = []
    for p in psutil.process_iter(["name", "cmdline"]):
        title = " ".join(p.info["cmdline"] or ())
        if p.info["name"] == "postgres" and ("[local]" in title or "(" in title):
            out.append(p.pid)
    return out


def _run_delay_ns(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None


class RunQueueWaits:
    """Samples every `every` s the run-queue wait of each process `pids()` names while the block runs.

    `worst(window)`: the most one process waited for a CPU within any `window` seconds (ms). A backend that waits
    1 s within 1 s was runnable all that second and never ran."""

    def __init__(self, pids: Callable[[], list[int]], *, every: float = 0.05) -> None:
        self.pids = pids
        self.samples: dict[int, list[tuple[float, int]]] = {}
        self._known: list[int] = []
        self._rounds = 0
        self._sampler = Sampler(self._sample, every=every)

    def _sample(self) -> None:
        if self._rounds % 20 == 0:
            self._known = self.pids()  # backends come and go as the pools grow
        self._rounds += 1
        for pid in self._known:
            delay = _run_delay_ns(pid)
            if delay is not None:  # stamped as read: this thread may wait for a CPU itself
                self.samples.setdefault(pid, []).append((time.monotonic(), delay))

    def __enter__(self) -> RunQueueWaits:
        self._sampler.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._sampler.__exit__(*exc)

    def worst(self, window: float = 1.0) -> float:
        best = 0
        for rows in self.samples.values():
            j = 0
            for i in range(len(rows)):
                while rows[i][0] - rows[j][0] > window:
                    j += 1
                best = max(best, rows[i][1] - rows[j][1])
        return best / 1e6


def server_processes(port: int) -> list[int]:
    """The processes listening on the port (uvicorn's master or each SO_REUSEPORT worker) and their children."""
    pids: set[int] = set()
    # Each process asked for its own sockets: psutil.net_connections() names one holder of a shared socket only.
    for proc in psutil.process_iter():
        try:
            if any(
                c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
                for c in proc.net_connections(kind="tcp")
            ):
                pids.add(proc.pid)
                pids.update(child.pid for child in proc.children(recursive=True))
        except psutil.Error:
            continue
    return sorted(pids)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU the processes used so far (those that are gone count nothing)."""
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total
