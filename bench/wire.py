"""Latencies read off the wire: tcpdump on loopback during a wrk run, each request paired with its response.

Why (issue 12, 2026-12-02): under the single SELECT, wrk 4.1 (Debian's) reported p95 0.9-2.5 s and a mean of
125-270 ms in runs where the capture of the same requests gave p95 20-23 ms and a mean of 10-12 ms. Little's law
sides with the capture: 16 connections at 1,365 requests a second is 11.7 ms a request, and a mean of 200 ms would
allow 80 a second. wrk's figures agreed with the capture only in the runs without any slow response; with a few
dozen responses of 0.3-5 s in a run, its percentiles counted far more slow requests than the wire carried. So the
benchmarks take wrk's load and request count, and the latencies from here when tcpdump can capture (root, or
CAP_NET_RAW; `apt-get install tcpdump`); otherwise they say the figures are wrk's.

A request is the first segment of a connection's client side starting with an HTTP method, its response the next
segment from the server starting with "HTTP/1."; wrk keeps one request in flight per connection, so they pair.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"PATCH ")


def available() -> str | None:
    """None when captures can be taken here, else why not."""
    if shutil.which("tcpdump") is None:
        return "tcpdump is not installed (apt-get install tcpdump)"
    try:
        import dpkt  # noqa: F401
    except ImportError:
        return "dpkt is not installed (the dev extras)"
    if os.geteuid() != 0:
        probe = subprocess.run(["tcpdump", "-i", "lo", "-c", "0", "-w", "/dev/null"], capture_output=True, timeout=10)
        if probe.returncode != 0:
            return "tcpdump may not capture here (needs root or CAP_NET_RAW)"
    return None


@dataclass
class Capture:
    path: Path
    latencies_ms: list[float] = field(default_factory=list)
    dropped: int = 0

    def pct(self, p: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))]

    def summary(self) -> dict:
        lat = self.latencies_ms
        return {
            "n": len(lat),
            "p50": self.pct(50),
            "p95": self.pct(95),
            "p99": self.pct(99),
            "max": max(lat, default=float("nan")),
            "mean": sum(lat) / len(lat) if lat else float("nan"),
            "over_300ms": sum(1 for x in lat if x > 300),
            "dropped": self.dropped,
        }


@contextlib.contextmanager
def captured(port: int, directory: Path, name: str) -> Iterator[Capture]:
    """tcpdump on lo for the server's port while the block runs; the pairs are read when it ends."""
    cap = Capture(directory / f"{name}.pcap")
    proc = subprocess.Popen(
        ["tcpdump", "-i", "lo", "-w", str(cap.path), "-s", "256", "-B", "65536", "-n", f"tcp port {port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)  # tcpdump is listening before the first request
    try:
        yield cap
    finally:
        time.sleep(0.5)
        proc.terminate()
        _, err = proc.communicate(timeout=30)
        for line in err.splitlines():  # "N packets dropped by kernel"
            if "dropped by kernel" in line:
                cap.dropped = int(line.split()[0])
        cap.latencies_ms = pairs(cap.path, port)
        cap.path.unlink(missing_ok=True)


def pairs(path: Path, port: int) -> list[float]:
    """Milliseconds from each request's first segment to its response's first segment."""
    import dpkt

    started: dict[int, float] = {}
    out: list[float] = []
    with path.open("rb") as fh:
        for ts, buf in dpkt.pcap.Reader(fh):
            ip = dpkt.ethernet.Ethernet(buf).data
            if not isinstance(ip, dpkt.ip.IP) or not isinstance(ip.data, dpkt.tcp.TCP):
                continue
            tcp = ip.data
            if not tcp.data:
                continue
            if tcp.dport == port and tcp.data.startswith(_METHODS):
                started[tcp.sport] = ts
            elif tcp.sport == port and tcp.data.startswith(b"HTTP/1."):
                t0 = started.pop(tcp.dport, None)
                if t0 is not None:
                    out.append((ts - t0) * 1000)
    return out
