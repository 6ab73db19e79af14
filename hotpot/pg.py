"""Find PostgreSQL: HOTPOT_DATABASE_URL, else an embedded server (pgserver, then binaries on PATH)."""

from __future__ import annotations

import atexit
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
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
    pgdata: Path | None = None
    _restart_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def stop(self) -> None:
        cleanup = getattr(self.handle, "cleanup", None)
        if callable(cleanup):
            cleanup()

    def is_alive(self) -> bool:
        """Whether the postmaster named in the data directory's postmaster.pid runs (a killed one does not)."""
        return self.pgdata is not None and running_postmaster(self.pgdata) is not None

    def restart(self) -> None:
        """Start the server again on the same data directory (and so the same socket and URL) after it died."""
        if self.pgdata is None:
            raise PostgresUnavailable("not an embedded server")
        with self._restart_lock:
            if self.is_alive():
                return
            clear_stale_pidfile(self.pgdata)
            if self.kind == "pgserver":
                server = self.handle
                with server._lock:  # pgserver's own inter-process lock, as in its constructor
                    if server.system_user is not None:
                        # Under root the server runs as its own account: keep the path to the data directory open
                        # to it, as pgserver does on first start (something may have tightened it since).
                        from pgserver.utils import ensure_prefix_permissions

                        ensure_prefix_permissions(self.pgdata)
                    server.ensure_postgres_running()
                url = normalize_url(server.get_uri())
            else:
                url = _start_from_path(self.pgdata).url
            if make_url(url).set(database=None) != make_url(self.url).set(database=None):
                log.error("embedded PostgreSQL restarted at %s, not %s: restart the platform", url, self.url)


def _process_cmdline(pid: int) -> list[str] | None:
    """The command line of a live process, None when there is none (gone, or a zombie nobody reaped)."""
    try:
        import psutil
    except ImportError:  # the PostgreSQL-from-PATH case may run without psutil: read /proc
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return None
            return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, IndexError):
            return None
    try:
        process = psutil.Process(pid)
        if process.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return None
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return ["?"]  # alive, someone else's: not our postmaster


def _read_pidfile(pgdata: Path) -> list[str] | None:
    try:
        return (pgdata / "postmaster.pid").read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return None


def running_postmaster(pgdata: Path) -> int | None:
    """The pid of the PostgreSQL postmaster that runs on pgdata, as its postmaster.pid says, if it really does."""
    lines = _read_pidfile(pgdata)
    if not lines:
        return None
    try:
        pid = int(lines[0].strip())
    except ValueError:
        return None
    cmdline = _process_cmdline(pid) if pid > 0 else None
    if not cmdline or ("postgres" not in os.path.basename(cmdline[0]) and "postmaster" not in cmdline[0]):
        return None
    return pid if str(pgdata) in cmdline or str(pgdata.resolve()) in cmdline else None


def _shared_memory_attached(lines: list[str]) -> int:
    """How many processes are still attached to the dead server's System V shared memory (line 7 of
    postmaster.pid: key and id): its backends outlive a killed postmaster for a moment."""
    try:
        shmid = int(lines[6].split()[1])
        table = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    except (IndexError, ValueError, OSError):
        return 0
    for row in table:
        fields = row.split()
        if len(fields) > 6 and fields[1] == str(shmid):
            return int(fields[6])
    return 0


def clear_stale_pidfile(pgdata: Path, *, wait: float = 15.0) -> bool:
    """Remove a postmaster.pid that a crash left behind, so the next start is not refused; return whether it did.

    Stale: its pid is gone, a zombie, or another program (pids are reused after a reboot, and PostgreSQL refuses to
    start while that pid lives), or the file is cut short (pgserver cannot read it). A running postmaster of this
    data directory keeps its file: a live server is never started twice. The dead server's backends may still hold
    its shared memory for a moment (PostgreSQL's own interlock, which deleting the file would skip): wait for them.
    """
    lines = _read_pidfile(pgdata)
    if lines is None or running_postmaster(pgdata) is not None:
        return False
    deadline = time.monotonic() + wait
    while (attached := _shared_memory_attached(lines)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if attached:
        raise PostgresUnavailable(
            f"{pgdata}: {attached} old PostgreSQL processes are still attached to the crashed server's shared "
            "memory; stop them (ps -ef | grep postgres) and start again"
        )
    (pgdata / "postmaster.pid").unlink(missing_ok=True)
    log.warning("removed the stale postmaster.pid of %s (pid %s no longer runs PostgreSQL)", pgdata, lines[0])
    return True


class Supervisor(threading.Thread):
    """Watches an embedded server for the serving process and starts it again when it died (kill -9, OOM killer).

    Meanwhile pages answer 503 (hotpot/main.py); once it is back, the pool replaces the connections that do not
    answer (hotpot.db: a connection idle for a while is pinged before use)."""

    def __init__(self, server: EmbeddedPostgres, *, interval: float = 2.0):
        super().__init__(name="hotpot-pg-supervisor", daemon=True)
        self.server = server
        self.interval = interval
        self.restarts = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        pending = False  # a start of ours that reported failure
        while not self._stopped.wait(self.interval):
            if self.server.is_alive():
                if pending:  # it outlived pg_ctl's wait (a busy machine) and came up after all: a restart
                    pending = False
                    self._restarted()
                continue
            log.warning("embedded PostgreSQL in %s is not running: starting it again", self.server.pgdata)
            try:
                self.server.restart()
            except Exception:  # keep watching: the next round tries again
                pending = True
                log.exception("could not restart the embedded PostgreSQL; trying again in %.0fs", self.interval)
            else:
                pending = False
                self._restarted()

    def _restarted(self) -> None:
        self.restarts += 1
        log.warning("embedded PostgreSQL running again")

    def stop(self) -> None:
        self._stopped.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=30)


def supervise(server: EmbeddedPostgres, *, interval: float = 2.0) -> Supervisor:
    """Start watching server; stopped before the server's own exit handler stops it (atexit runs last-in first)."""
    supervisor = Supervisor(server, interval=interval)
    supervisor.start()
    atexit.register(supervisor.stop)
    return supervisor


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
    if pgdata.exists():
        clear_stale_pidfile(pgdata)
    if pgserver is not None:
        server = pgserver.get_server(pgdata, cleanup_mode="delete" if throwaway else "stop")
        return EmbeddedPostgres(url=normalize_url(server.get_uri()), kind="pgserver", handle=server, pgdata=pgdata)
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
    return EmbeddedPostgres(url=url.render_as_string(hide_password=False), kind="path", pgdata=pgdata)


def ensure_database(server_url: str, name: str, *, fresh: bool = False, template: str = "template0") -> str:
    """Create database `name` on the server if missing (drop it first when fresh); return its URL.

    `template`: the database it starts as a copy of (one nobody is connected to), template0 (empty) by default.
    """
    import psycopg

    conninfo = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE "{template}"')
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
