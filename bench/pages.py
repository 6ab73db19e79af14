"""Latency of the foundation's pages over loopback, against a bare endpoint of the same server in the same run.

.venv/bin/python -m bench.pages [--requests 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import httpx

from bench.common import drive, free_port, start, wait_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hotpot-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(
        ["hotpot.cli", "demo", "--port", str(port)], {"HOTPOT_DATA_DIR": str(data_dir), "HOTPOT_LOG_LEVEL": "warning"}
    )
    try:
        wait_for(base + "/healthz")
        with httpx.Client(base_url=base) as c:
            c.get("/login")
            c.post(
                "/login",
                data={
                    "email": "admin@hotpot.example",
                    "password": "Hotpot-Admin-2026",
                    "csrf_token": c.cookies["hotpot_csrf"],
                },
            )
            admin_cookies = dict(c.cookies)
        n, k = args.requests, args.concurrency
        drive("warm-up", base, ["/", "/static/css/app.css"], concurrency=k, requests=200)
        baseline = drive("bare: /static/css/app.css", base, ["/static/css/app.css"], concurrency=k, requests=n)
        results = [
            drive("healthz (SELECT 1)", base, ["/healthz"], concurrency=k, requests=n),
            drive("home page (anonymous)", base, ["/"], concurrency=k, requests=n),
            drive("login page", base, ["/login"], concurrency=k, requests=n),
            drive("admin users list", base, ["/admin/users"], concurrency=k, requests=n, cookies=admin_cookies),
        ]
        print(baseline.line())
        for r in results:
            print(r.line(baseline))
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
