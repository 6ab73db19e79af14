"""The `hotpot` command: serve, demo, worker, jobs, db, seed, user."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from hotpot.config import get_settings

app = typer.Typer(help="合川火锅食材数字化平台 — command line", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema (Alembic migrations)", no_args_is_help=True)
user_app = typer.Typer(help="Accounts", no_args_is_help=True)
mail_app = typer.Typer(help="Mail", no_args_is_help=True)
search_app = typer.Typer(help="The search index", no_args_is_help=True)
jobs_app = typer.Typer(help="Background jobs", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(search_app, name="search")
app.add_typer(user_app, name="user")
app.add_typer(mail_app, name="mail")
app.add_typer(jobs_app, name="jobs")
console = Console()
err_console = Console(stderr=True)

_server_handle = None  # keeps an embedded PostgreSQL alive as long as the command runs


def database_url() -> str:
    """The configured URL, or the embedded server's (started now, stopped when this process exits)."""
    global _server_handle
    from hotpot.pg import PostgresUnavailable, resolve_database_url

    settings = get_settings()
    try:
        url, server = resolve_database_url(database_url=settings.database_url, data_dir=settings.data_dir)
    except PostgresUnavailable as exc:
        err_console.print(str(exc))
        raise typer.Exit(2) from exc
    if server is not None:
        _server_handle = server
    return url


@contextmanager
def session_scope(url: str):
    """One transaction for a CLI command: commit at the end, roll back on error."""
    from hotpot import domains
    from hotpot.db import make_engine, make_session_factory

    engine = make_engine(url, pool_size=2, max_overflow=0)
    session = domains.prepare_session_factory(make_session_factory(engine))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()


# --- db ----------------------------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the schema up (to head by default)."""
    from hotpot import migrate

    migrate.upgrade(database_url(), revision)
    console.print(f"[green]schema at {revision}[/green]")


@db_app.command("downgrade")
def db_downgrade(revision: str = "-1") -> None:
    """Migrate the schema down (one step by default)."""
    from hotpot import migrate

    migrate.downgrade(database_url(), revision)
    console.print(f"[yellow]schema downgraded to {revision}[/yellow]")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    from hotpot import migrate

    console.print(migrate.current(database_url()) or "(empty database)")


# --- seed --------------------------------------------------------------------------------------------------------


def _seed(url: str, *, demo: bool) -> list:
    from hotpot import demo as demo_data
    from hotpot.reference import service as reference
    from hotpot.search import service as search

    steps = ["reference"] + (["demo"] if demo else [])
    logins: list = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("加载数据 / seeding", total=len(steps))
        with session_scope(url) as session:
            counts = reference.load_reference(session)
            synonyms_added = search.load_seed_synonyms(session)
            synonyms_total = len(search.synonym_groups(session))
            progress.advance(task)
            if demo:
                logins = demo_data.load_demo(session, progress=lambda msg: progress.update(task, description=msg))
                progress.advance(task)
    console.print(_seed_summary(counts, synonyms_added=synonyms_added, synonyms_total=synonyms_total))
    with session_scope(url) as session:
        state = search.status(session)
    if state.needs_reindex:
        if demo or not state.documents:
            _reindex(url)
        else:
            console.print(
                f"[yellow]搜索索引由分词版本 {state.stored_version} 建立，当前为 {state.current_version}："
                "请运行 `hotpot search reindex`[/yellow]"
            )
    return logins


REFERENCE_LABELS = {"town": ("镇街", "个"), "chain_link": ("产业链环节", "个"), "food_class": ("SC 食品类别", "个")}


def _seed_summary(counts: dict[str, int], *, synonyms_added: int, synonyms_total: int) -> str:
    """One line that says what is there, and for the synonyms whether this run added any (the admins' edits stay)."""
    parts = [f"{label} {counts[key]} {unit}" for key, (label, unit) in REFERENCE_LABELS.items() if key in counts]
    if "product_category" in counts:
        parts.append(f"产品品类 {counts['product_category']} 个（六大类及细分品类）")
    note = f"本次新增 {synonyms_added} 组" if synonyms_added else "已存在，未改动"
    parts.append(f"同义词组 {synonyms_total} 组（{note}）")
    return "参考数据：" + "，".join(parts)


def _reindex(url: str) -> dict[str, int]:
    from hotpot.search import service as search

    labels = {"product": "产品", "enterprise": "企业", "base": "基地", "brand": "品牌"}
    with Progress(console=console) as progress:
        tasks: dict[str, int] = {}

        def report(p) -> None:
            if p.kind not in tasks:
                tasks[p.kind] = progress.add_task(f"重建搜索索引：{labels[p.kind]}", total=max(p.total, 1))
            progress.update(tasks[p.kind], completed=p.done if p.total else 1)

        with session_scope(url) as session:
            counts = search.rebuild(session, progress=report)
    console.print("search index: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="also load the fictional demo data set")] = False,
) -> None:
    """Load the reference data (towns, chain links, SC food classes); --demo adds the demo set."""
    url = database_url()
    logins = _seed(url, demo=demo)
    if logins:
        _print_logins(logins)


def _print_logins(logins) -> None:
    table = Table(title="演示账号 / demo logins (demo only)", show_lines=False)
    table.add_column("role")
    table.add_column("email")
    table.add_column("password")
    for login in logins:
        table.add_row(login.role, login.email, login.password)
    console.print(table)


# --- search ------------------------------------------------------------------------------------------------------


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild every search document and suggestion (after a tokenizer or dictionary change)."""
    _reindex(database_url())


@search_app.command("status")
def search_status() -> None:
    """Show which tokenizer built the index, and whether it needs a rebuild."""
    from hotpot.search import service as search

    with session_scope(database_url()) as session:
        state = search.status(session)
    console.print(f"documents: {state.documents or '{}'}")
    console.print(f"built by tokenizer {state.stored_version or '(never)'} at {state.reindexed_at or '-'}")
    console.print(f"this code's tokenizer: {state.current_version}")
    if state.needs_reindex:
        console.print("[yellow]the index needs `hotpot search reindex`[/yellow]")
        raise typer.Exit(1)
    console.print("[green]up to date[/green]")


# --- serve and demo ----------------------------------------------------------------------------------------------


def _serve(url: str, *, host: str | None, port: int | None, workers: int | None, reload: bool = False) -> None:
    import uvicorn

    settings = get_settings()
    supervisor = None
    if _server_handle is not None:
        from hotpot.pg import supervise

        # The embedded server belongs to this process: when it dies, start it again (pages answer 503 meanwhile).
        supervisor = supervise(_server_handle)
    # Worker processes find the database through the environment (the embedded server belongs to this process).
    os.environ["HOTPOT_DATABASE_URL"] = url
    get_settings.cache_clear()
    job_worker = None
    if settings.job_worker:
        from hotpot.jobs.worker import start_beside_server

        # Background jobs run in a child process beside the web server: started now, restarted when it dies,
        # stopped below when the server stops (HOTPOT_JOB_WORKER=false where a separate `hotpot worker` runs).
        job_worker = start_beside_server(os.environ)
    try:
        _run_uvicorn(uvicorn, settings, host=host, port=port, workers=workers, reload=reload)
    finally:
        if job_worker is not None:
            job_worker.stop()
        if supervisor is not None:
            supervisor.stop()


def _run_uvicorn(uvicorn, settings, *, host, port, workers, reload) -> None:
    from hotpot import serving

    options = {
        "factory": True,
        "host": host or settings.host,
        "port": port or settings.port,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.trusted_proxies,
        "log_level": settings.log_level,
        "server_header": False,
    }
    workers = workers or settings.workers
    if workers > 1 and not reload and settings.reuse_port and serving.supported():
        # A socket per worker (SO_REUSEPORT): the kernel spreads the connections, not the first worker awake.
        serving.run_workers("hotpot.main:create_app", workers, options)
        return
    uvicorn.run("hotpot.main:create_app", workers=workers, reload=reload, **options)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default HOTPOT_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="default HOTPOT_PORT or 8000")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes, default HOTPOT_WORKERS or 1")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate", help="apply migrations first")] = True,
) -> None:
    """Serve the platform (migrating the schema first)."""
    from hotpot import migrate

    url = database_url()
    if migrate_first:
        migrate.upgrade(url)
        _check_search_index(url)
    _serve(url, host=host, port=port, workers=workers)


def _check_search_index(url: str) -> None:
    """Build the search index the first time (an upgraded database has none); warn when its tokenizer is old."""
    from hotpot.search import service as search

    with session_scope(url) as session:
        state = search.status(session)
    if state.stored_version is None:
        _reindex(url)
    elif state.needs_reindex:
        err_console.print(
            f"[yellow]搜索索引由分词版本 {state.stored_version} 建立，当前为 {state.current_version}："
            "请运行 `hotpot search reindex`（在此之前搜索仍可用）[/yellow]"
        )


@app.command()
def demo(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Migrate, load reference and demo data, print the demo logins, and serve."""
    from hotpot import migrate
    from hotpot.pg import describe

    started = time.perf_counter()
    os.environ["HOTPOT_DEMO"] = "1"
    url = database_url()
    console.print(f"PostgreSQL: {describe(url)}")
    migrate.upgrade(url)
    logins = _seed(url, demo=True)
    _print_logins(logins)
    settings = get_settings()
    console.print(
        f"[bold green]合川火锅食材数字化平台[/bold green] http://{host or settings.host}:{port or settings.port}/ "
        f"(ready in {time.perf_counter() - started:.1f}s; Ctrl+C to stop)"
    )
    _serve(url, host=host, port=port, workers=1)


# --- background jobs --------------------------------------------------------------------------------------------


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="run what is queued, then stop")] = False,
    parent: Annotated[int | None, typer.Option(hidden=True, help="stop when this process is gone")] = None,
) -> None:
    """Run the background-job worker alone (`hotpot serve` and `hotpot demo` start one themselves)."""
    from hotpot.jobs import worker as job_worker

    url = database_url()
    if parent is None:
        console.print("后台任务进程已启动 / job worker started (Ctrl+C to stop)")
    job_worker.run(url, wait=not once, parent_pid=parent)


def _time(value) -> str:
    from hotpot.web import local_time

    return local_time(value, "%m-%d %H:%M:%S") if value else "-"


@jobs_app.command("list")
def jobs_list(
    status: Annotated[str | None, typer.Option(help="todo | doing | succeeded | failed")] = None,
    limit: Annotated[int, typer.Option(help="how many, newest first")] = 30,
) -> None:
    """The newest jobs: id, job, status, progress, queued/started/finished times (the same as /admin/jobs)."""
    from hotpot.jobs import service as jobs

    with session_scope(database_url()) as session:
        page = jobs.list_jobs(session, status=status, page=1, page_size=max(1, min(limit, 100)))
    table = Table(title=f"后台任务 / jobs ({page.total})")
    for column in ("id", "任务", "状态", "进度", "排队", "开始", "结束", "说明"):
        table.add_column(column)
    for job in page.items:
        note = job.error or job.message or ""
        table.add_row(
            str(job.id),
            job.label,
            job.status_label,
            job.progress_label + (f" ({job.percent}%)" if job.percent is not None else ""),
            _time(job.queued_at),
            _time(job.started_at),
            _time(job.finished_at),
            note[:80],
        )
    console.print(table)


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="search_reindex | daily_cleanup | mail_retry")]) -> None:
    """Queue one run of a job (the worker picks it up)."""
    from hotpot.errors import DomainError
    from hotpot.jobs import service as jobs

    if name not in {k.name for k in jobs.kinds()}:
        known = ", ".join(f"{k.name} ({k.label})" for k in jobs.kinds())
        err_console.print(f"[red]no job {name}; known: {known}[/red]")
        raise typer.Exit(1)
    try:
        with session_scope(database_url()) as session:
            job_id = jobs.enqueue(session, name=name, actor=None)
    except DomainError as exc:
        err_console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"queued job {job_id} ({name})")


# --- user --------------------------------------------------------------------------------------------------------


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="admin | reviewer | producer | buyer")],
    name: Annotated[str | None, typer.Option(help="display name (default: the part before @)")] = None,
    organization: Annotated[str | None, typer.Option()] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Create an account; without --password-stdin a one-time random password is printed."""
    from pydantic import ValidationError

    from hotpot.auth import service
    from hotpot.auth.schemas import StaffCreateIn
    from hotpot.validation import FieldErrors, errors_from_validation

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        data = StaffCreateIn(
            email=email, role=role, display_name=(name or email.split("@")[0])[:50], organization=organization
        )
    except ValidationError as exc:
        for field, msg in errors_from_validation(exc).items():
            err_console.print(f"[red]{field}: {msg}[/red]")
        raise typer.Exit(1) from exc
    url = database_url()
    try:
        with session_scope(url) as session:
            user, generated = service.create_user(session, actor=None, data=data, password=password)
    except FieldErrors as exc:
        for field, msg in exc.errors.items():
            err_console.print(f"[red]{field}: {msg}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"created {user.email} ({user.role})")
    if generated:
        console.print(f"one-time password (shown once; the first login must change it): [bold]{generated}[/bold]")


@user_app.command("reset-password")
def user_reset_password(email: str) -> None:
    """Give an account a one-time password (printed once) that must be changed at its next login; its sessions
    and API tokens end. The way back in for an admin who forgot the password."""
    from hotpot.auth import service

    url = database_url()
    with session_scope(url) as session:
        user = service.get_by_email(session, email)
        if user is None:
            err_console.print(f"[red]no account {email}[/red]")
            raise typer.Exit(1)
        password = service.admin_reset_password(session, actor=None, user=user, mode="password")
    console.print(f"one-time password for {email} (shown once; the next login must change it): [bold]{password}[/bold]")


@user_app.command("disable")
def user_disable(email: str) -> None:
    """Disable an account and end its sessions and API tokens."""
    from hotpot.auth import service

    url = database_url()
    with session_scope(url) as session:
        user = service.get_by_email(session, email)
        if user is None:
            err_console.print(f"[red]no account {email}[/red]")
            raise typer.Exit(1)
        service.set_active(session, actor=None, user=user, active=False)
    console.print(f"disabled {email}; its sessions and API tokens have ended")


@mail_app.command("send")
def mail_send() -> None:
    """Send the outbox's unsent mail by SMTP (HOTPOT_SMTP_*), e.g. after the mail server was unreachable."""
    from hotpot.db import make_engine
    from hotpot.mail import service as mail

    if not mail.smtp_configured():
        err_console.print("[red]HOTPOT_SMTP_HOST is not set: mail stays in the mail_outbox table[/red]")
        raise typer.Exit(1)
    engine = make_engine(database_url(), pool_size=1, max_overflow=0)
    sent = mail.deliver(engine)
    engine.dispose()
    console.print(f"sent {sent} mail(s)")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
