"""Several worker processes that share the connections evenly: each accepts on its own SO_REUSEPORT socket.

uvicorn's `--workers` hand one listening socket to every worker; whichever wakes first accepts whatever arrives at
once, so clients that open their connections together (a load balancer's pool, a benchmark's 16) can all land on
one worker while the others idle: bench/stall.py saw 16/0 and 14/2 of wrk's connections on two workers. With
SO_REUSEPORT the kernel spreads new connections over the workers' sockets itself (8/8 in that run, where the
single-row SELECT went from 85 req/s and p99 3.1 s to 407 req/s and p99 1.0 s; a later run split 5/11 and gained
nothing: the machine was shared by other work at a load average of 9-12 on 2 CPUs both times).

`hotpot serve --workers N` uses it with HOTPOT_REUSE_PORT=true. The kernel picks a socket by a hash of the
connection's addresses, so 16 connections split about evenly, not exactly (8/8 and 5/11 were seen); on a machine
other work shares, whether that beats one shared socket is still to be measured when it is quiet
(`bench.search --server reuseport` against `--server uvicorn`, `bench.stall`).

`run_workers` starts the workers (spawned, so each imports the app afresh), restarts one that dies, and stops them
all on SIGINT or SIGTERM (each finishes its requests: uvicorn's graceful shutdown).
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import time
from typing import Any

BACKLOG = 2048


def reuseport_socket(host: str, port: int, *, listen: bool = True) -> socket.socket:
    """A TCP socket bound to host:port with SO_REUSEPORT (every worker binds its own on the same port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        if listen:
            sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _worker(app: str, options: dict[str, Any]) -> None:
    import uvicorn

    config = uvicorn.Config(app, **options)
    sock = reuseport_socket(options["host"], options["port"])
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(app: str, workers: int, options: dict[str, Any], *, poll: float = 0.5) -> None:
    """Serve `app` (an import string; options are uvicorn.Config's, with host and port) from `workers` processes."""
    # Fails here, once, when the port is taken by a server that is not ours (a bound socket that never listens
    # joins no group: nothing is routed to it).
    reuseport_socket(options["host"], options["port"], listen=False).close()
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(app, options), daemon=False)
        process.start()
        return process

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(poll)
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    processes[i] = start()  # a worker died (killed, out of memory): the others go on serving
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn stops accepting and finishes what it serves
        deadline = time.monotonic() + 30
        for process in processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)
        for s, handler in previous.items():
            signal.signal(s, handler)
