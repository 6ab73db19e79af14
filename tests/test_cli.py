"""The `hotpot` command: db, seed, user create/disable, against a database of its own."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hotpot.auth.models import User, UserSession
from hotpot.config import get_settings
from hotpot.reference.models import ChainLink, Town
from hotpot.search.models import SynonymGroup
from tests.conftest import fresh_database


@pytest.fixture(scope="module")
def cli_url(server_url):
    return fresh_database(server_url, "hotpot_cli")


@pytest.fixture
def run(cli_url, monkeypatch):
    monkeypatch.setenv("HOTPOT_DATABASE_URL", cli_url)
    get_settings.cache_clear()
    from hotpot.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    yield invoke
    get_settings.cache_clear()


def test_db_upgrade_current_seed_user(run, cli_url):
    assert run("db", "upgrade").exit_code == 0
    current = run("db", "current")
    assert current.exit_code == 0
    assert current.stdout.strip()

    result = run("seed")
    assert result.exit_code == 0
    assert "镇街 30 个" in result.stdout
    engine = create_engine(cli_url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Town)) == 30
        assert s.scalar(select(func.count()).select_from(ChainLink)) == 8
        assert s.scalar(select(Town.name).where(Town.code == "500117121")) == "龙市镇"
    with Session(engine) as s:
        groups = s.scalar(select(func.count()).select_from(SynonymGroup))
    assert groups > 0
    assert f"同义词组 {groups} 组（本次新增 {groups} 组）" in result.stdout
    # Seeding again changes nothing (idempotent), and says the synonyms are there rather than "synonym_groups 0".
    again = run("seed")
    assert again.exit_code == 0
    assert f"同义词组 {groups} 组（已存在，未改动）" in again.stdout
    assert "synonym_groups" not in again.stdout

    created = run("user", "create", "first.admin@hotpot.example", "--role", "admin")
    assert created.exit_code == 0, created.stdout
    assert "one-time password" in created.stdout

    piped = run(
        "user", "create", "ops@hotpot.example", "--role", "reviewer", "--password-stdin", input="Hechuan-Ops-2026\n"
    )
    assert piped.exit_code == 0, piped.stdout
    assert "one-time password" not in piped.stdout

    weak = run("user", "create", "weak@hotpot.example", "--role", "buyer", "--password-stdin", input="123456\n")
    assert weak.exit_code == 1
    bad_role = run("user", "create", "who@hotpot.example", "--role", "chef")
    assert bad_role.exit_code == 1

    from hotpot.auth import service

    with Session(engine) as s:
        # A printed one-time password must be changed at the first login; a chosen one need not be.
        assert service.get_by_email(s, "first.admin@hotpot.example").must_change_password
        user = service.get_by_email(s, "ops@hotpot.example")
        assert not user.must_change_password
        assert user.role == "reviewer"
        service.start_session(s, user=user)
        s.commit()
    reset = run("user", "reset-password", "ops@hotpot.example")
    assert reset.exit_code == 0, reset.stdout
    assert "one-time password" in reset.stdout
    with Session(engine) as s:
        assert service.get_by_email(s, "ops@hotpot.example").must_change_password
    assert run("user", "reset-password", "nobody@hotpot.example").exit_code == 1
    disabled = run("user", "disable", "ops@hotpot.example")
    assert disabled.exit_code == 0
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.email == "ops@hotpot.example"))
        assert not user.is_active
        open_sessions = s.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        )
        assert open_sessions == 0
        assert s.scalar(select(func.count()).select_from(User).where(User.email == "weak@hotpot.example")) == 0
    engine.dispose()


def test_seed_demo_creates_one_account_per_role(run, cli_url):
    assert run("db", "upgrade").exit_code == 0
    result = run("seed", "--demo")
    assert result.exit_code == 0
    assert "admin@hotpot.example" in result.stdout
    engine = create_engine(cli_url)
    with Session(engine) as s:
        roles = set(s.scalars(select(User.role).where(User.is_demo)))
    engine.dispose()
    assert roles == {"admin", "reviewer", "producer", "buyer", "expert"}


def test_search_reindex_and_status(run, cli_url):
    assert run("db", "upgrade").exit_code == 0
    assert run("seed", "--demo").exit_code == 0  # the demo seeding builds the index itself
    status = run("search", "status")
    assert status.exit_code == 0
    assert "up to date" in status.stdout
    engine = create_engine(cli_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE search_state SET tokenizer_version = '0-old'")
    stale = run("search", "status")
    assert stale.exit_code == 1
    assert "needs `hotpot search reindex`" in stale.stdout
    rebuilt = run("search", "reindex")
    assert rebuilt.exit_code == 0
    assert "search index: product" in rebuilt.stdout
    assert run("search", "status").exit_code == 0
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM search_doc WHERE kind = 'product'").scalar() > 500
    engine.dispose()


def test_no_postgres_message_names_three_ways(monkeypatch, tmp_path):
    import builtins

    from hotpot import pg

    real_import = builtins.__import__

    def no_pgserver(name, *args, **kwargs):
        if name == "pgserver":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pgserver)
    monkeypatch.setattr(pg.shutil, "which", lambda _name: None)
    with pytest.raises(pg.PostgresUnavailable) as exc:
        pg.start_embedded(tmp_path)
    message = str(exc.value)
    assert "HOTPOT_DATABASE_URL" in message
    assert "pgserver" in message
    assert "initdb" in message


def test_database_url_normalized_to_psycopg():
    from hotpot.pg import normalize_url

    assert normalize_url("postgresql://u:p@db:5432/hotpot").startswith("postgresql+psycopg://u:p@db:5432/hotpot")
    assert normalize_url("postgres://u@db/h").startswith("postgresql+psycopg://")


def test_embedded_start_does_not_warn_about_xdg_runtime_dir(tmp_path):
    """pgserver's lock needs a runtime dir: without XDG_RUNTIME_DIR every command printed a RuntimeDirWarning."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["TMPDIR"] = str(tmp_path)
    code = (
        "import os, warnings; warnings.simplefilter('always')\n"
        "from hotpot import pg\n"
        "pg._ensure_runtime_dir()\n"
        "import pgserver\n"
        "print(os.environ['XDG_RUNTIME_DIR'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "XDG_RUNTIME_DIR" not in done.stderr
    runtime = tmp_path / f"runtime-{os.geteuid()}"
    assert done.stdout.strip() == str(runtime)
    assert runtime.stat().st_mode & 0o777 == 0o700
