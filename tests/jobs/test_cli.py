"""`hotpot jobs run`, `hotpot jobs list` and `hotpot worker --once` against the jobs database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hotpot.config import get_settings
from hotpot.jobs import service as jobs


@pytest.fixture
def run(jobs_url, factory, monkeypatch):
    monkeypatch.setenv("HOTPOT_DATABASE_URL", jobs_url)
    get_settings.cache_clear()
    from hotpot.cli import app

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False, terminal_width=200)

    yield invoke
    get_settings.cache_clear()


def test_run_queues_a_job_the_worker_runs_it_and_list_prints_it(run, factory):
    queued = run("jobs", "run", "daily_cleanup")
    assert queued.exit_code == 0, queued.output
    assert "queued job" in queued.stdout
    waiting = run("jobs", "list")
    assert "日常清理" in waiting.stdout
    assert "排队中" in waiting.stdout

    assert run("worker", "--once").exit_code == 0
    done = run("jobs", "list", "--status", "succeeded")
    assert done.exit_code == 0
    assert "已完成" in done.stdout
    assert "已删除" in done.stdout  # the final message (rich may wrap it in a narrow terminal)
    with factory() as session:
        # the worker also ran the periodic mail retry that fell due
        [job] = [j for j in jobs.list_jobs(session, status="succeeded").items if j.name == "daily_cleanup"]
    assert str(job.id) in done.stdout


def test_run_refuses_an_unknown_job_and_a_second_start(run):
    unknown = run("jobs", "run", "alert_scan")
    assert unknown.exit_code == 1
    assert "search_reindex" in unknown.output
    assert run("jobs", "run", "search_reindex").exit_code == 0
    twice = run("jobs", "run", "search_reindex")
    assert twice.exit_code == 1
    assert "已在排队" in twice.output
