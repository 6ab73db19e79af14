"""The app served the way `hotpot serve --workers N` serves it (hotpot/serving.py: a SO_REUSEPORT socket per worker).

`python -m bench.reuseport HOST PORT WORKERS`, for the benchmarks (bench/stall.py, bench/search.py), which compare it
with uvicorn's own `--workers` (one socket shared by every worker).
"""

from __future__ import annotations

import sys

from hotpot import serving


def main() -> None:
    host, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    options = {"factory": True, "host": host, "port": port, "log_level": "warning", "server_header": False}
    serving.run_workers("hotpot.main:create_app", workers, options)


if __name__ == "__main__":
    main()
