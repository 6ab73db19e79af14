"""`make demo` start-up: time to the first page on fresh data and on a second start, memory of the server.

.venv/bin/python -m bench.startup
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.common import free_port, rss_mib, start, wait_for


def one_start(data_dir: Path) -> tuple[float, float]:
    port = free_port()
    proc = start(["hotpot.cli", "demo", "--port", str(port)], {"HOTPOT_DATA_DIR": str(data_dir)})
    try:
        seconds = wait_for(f"http://127.0.0.1:{port}/")
        time.sleep(0.5)
        return seconds, rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="hotpot-bench-"))
    try:
        fresh, rss_fresh = one_start(data_dir)
        second, rss_second = one_start(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"demo, fresh data:   first page after {fresh:5.2f}s, server RSS {rss_fresh:6.1f} MiB")
    print(f"demo, second start: first page after {second:5.2f}s, server RSS {rss_second:6.1f} MiB")


if __name__ == "__main__":
    main()
