"""Find PostgreSQL: HOTPOT_DATABASE_URL, else an embedded server (pgserver, then binaries on PATH)."""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

log = logging.getLogger(__name__)

NO_POSTGRES_MESSAGE = """\
找不到可用的 PostgreSQL / No PostgreSQL available. Use one of these three ways:
  1. set HOTPOT_DATABASE_URL=postgresql+psycopg://USER:PASSWORD@HOST:5432/DBNAME (PostgreSQL 14 or newer);
  2. install the embedded server package:  pip install pgserver  (it bundles PostgreSQL binaries);
  3. install PostgreSQL so that `initdb` and `pg_ctl` are on PATH (e.g. apt-get install postgresql).
"""


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL could be found or started."""


@dataclass
class EmbeddedPostgres:
    """A server this process started (or found running) in a local data directory."""

    url: str
    kind: str
    handle: object | None = None

    def stop(self) -> None:
        cleanup = getattr(self.handle, "cleanup", None)
        if callable(cleanup):
            cleanup()


def normalize_url(url: str) -> str:
    """Make any postgres:// or postgresql:// URL use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def _ensure_runtime_dir() -> None:
    """Give pgserver the private runtime directory it looks for, so it does not warn on every command.

    pgserver keeps its inter-process lock in platformdirs' user runtime dir, which needs $XDG_RUNTIME_DIR (absent in
    containers, cron and ssh without a login session). Without it platformdirs warns and falls back to
    $TMPDIR/runtime-<uid>; we name that same directory (so processes started either way share the lock), created or
    repaired to what the XDG spec asks: owned by us, not a symlink, mode 0700.
    """
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    path = Path(tempfile.gettempdir()) / f"runtime-{os.geteuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
        if not path.is_symlink() and path.is_dir() and info.st_uid == os.geteuid():
            if info.st_mode & 0o777 != 0o700:
                path.chmod(0o700)
            os.environ["XDG_RUNTIME_DIR"] = str(path)
    except OSError:
        return  # platformdirs falls back (and says so) on its own


def start_embedded(data_dir: Path, *, throwaway: bool = False) -> EmbeddedPostgres:
    """Start (or reuse) a PostgreSQL server whose files live in data_dir/pgdata."""
    pgdata = (data_dir / "pgdata").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _ensure_runtime_dir()
    try:
        import pgserver
    except ImportError:
        pgserver = None
    if pgserver is not None:
        server = pgserver.get_server(pgdata, cleanup_mode="delete" if throwaway else "stop")
        return EmbeddedPostgres(url=normalize_url(server.get_uri()), kind="pgserver", handle=server)
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return _start_from_path(pgdata)
    raise PostgresUnavailable(NO_POSTGRES_MESSAGE)


def _start_from_path(pgdata: Path) -> EmbeddedPostgres:
    """Run initdb/pg_ctl from PATH; PostgreSQL refuses to run as root, so use the `postgres` account then."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable(NO_POSTGRES_MESSAGE) from exc
        prefix = ["runuser", "-u", "postgres", "--"]
        pgdata.mkdir(parents=True, exist_ok=True)
        shutil.chown(pgdata, "postgres", "postgres")
    socket_dir = pgdata
    if not (pgdata / "PG_VERSION").exists():
        subprocess.run(
            [*prefix, "initdb", "-D", str(pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
        )
    status = subprocess.run([*prefix, "pg_ctl", "-D", str(pgdata), "status"], capture_output=True)
    if status.returncode != 0:
        subprocess.run(
            [
                *prefix,
                *("pg_ctl", "-D", str(pgdata), "-w", "-l", str(pgdata / "server.log")),
                *("-o", f"-h '' -k {socket_dir}", "start"),
            ],
            check=True,
            capture_output=True,
        )
    url = URL.create("postgresql+psycopg", username="postgres", database="postgres", query={"host": str(socket_dir)})
    return EmbeddedPostgres(url=url.render_as_string(hide_password=False), kind="path")


def ensure_database(server_url: str, name: str, *, fresh: bool = False) -> str:
    """Create database `name` on the server if missing (drop it first when fresh); return its URL."""
    import psycopg

    conninfo = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    return with_database(server_url, name)


def resolve_database_url(*, database_url: str | None, data_dir: Path) -> tuple[str, EmbeddedPostgres | None]:
    """Return the URL to use, starting the embedded server when no URL is configured."""
    if database_url:
        return normalize_url(database_url), None
    server = start_embedded(data_dir)
    log.info("embedded PostgreSQL (%s) in %s", server.kind, data_dir / "pgdata")
    return ensure_database(server.url, "hotpot"), server


def describe(url: str) -> str:
    """A URL safe to print: password hidden."""
    return make_url(url).render_as_string(hide_password=True)
