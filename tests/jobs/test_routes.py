"""/admin/jobs against the jobs database: statuses and job names in Chinese, progress, the error of a failed job,
retry and start buttons (POST with CSRF, audited), and htmx polling while something runs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from hotpot.audit.models import AuditEvent
from hotpot.db import transaction
from hotpot.jobs import service as jobs
from hotpot.jobs.progress import Progress
from tests.auth.builders import log_in, make_user


@pytest.fixture
def admin_client(factory, jobs_client):
    with transaction(factory) as session:
        admin = make_user(session, role="admin")
    log_in(jobs_client, admin.email)
    return jobs_client


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


def test_the_page_shows_failed_jobs_with_their_error_in_chinese_and_retries_them(
    factory, admin_client, run_queue, monkeypatch
):
    from hotpot.search import service as search

    with transaction(factory) as session:
        job_id = jobs.enqueue(session, name="search_reindex", actor=None)

    def broken(session, *, progress=None):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(search, "rebuild", broken)
    run_queue()
    monkeypatch.undo()

    page = admin_client.get("/admin/jobs?status=failed")
    assert page.status_code == 200
    words = _visible_text(page.text)
    assert "重建搜索索引" in words
    assert "失败" in words
    assert "RuntimeError: 磁盘已满" in words
    for code in ("search_reindex", "failed", "succeeded", "todo", "doing"):
        assert code not in words, code
    assert f'action="/admin/jobs/{job_id}/retry"' in page.text

    response = admin_client.post(f"/admin/jobs/{job_id}/retry")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/jobs"
    with factory() as session:
        assert jobs.get_job(session, job_id).status == "todo"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "job.retry")).one()
        assert event.entity_type == "job"
        assert event.entity_id == str(job_id)
    # retrying what is no longer failed: the 409 page, not a 500
    assert admin_client.post(f"/admin/jobs/{job_id}/retry").status_code == 409
    assert admin_client.post("/admin/jobs/2000000000/retry").status_code == 404

    run_queue()
    with factory() as session:
        assert jobs.get_job(session, job_id).status == "succeeded"


def test_an_admin_starts_the_search_rebuild_and_watches_its_progress(factory, admin_client):
    response = admin_client.post("/admin/jobs/run", data={"name": "search_reindex"})
    assert response.status_code == 303
    with factory() as session:
        [job] = jobs.list_jobs(session).items
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "job.enqueue")).one()
    assert event.entity_id == str(job.id)
    assert event.actor_id is not None
    # A second start while it waits: refused with a message, nothing queued twice.
    again = admin_client.post("/admin/jobs/run", data={"name": "search_reindex"})
    assert again.status_code == 409
    assert "已在排队" in again.text
    assert admin_client.post("/admin/jobs/run", data={"name": "rm -rf"}).status_code == 404

    # The job runs (as the worker would) and reports half-way: the page polls and shows the figures.
    with transaction(factory) as session:
        session.execute(text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"), {"id": job.id})
    Progress(factory, job.id).update(550, 1100, "产品：550 / 1100", force=True)
    page = admin_client.get("/admin/jobs")
    assert 'hx-trigger="every 3s"' in page.text
    words = _visible_text(page.text)
    assert "运行中" in words
    assert "产品：550 / 1100" in words
    assert '<progress class="job-progress" max="100" value="50">' in page.text

    block = admin_client.get("/admin/jobs", headers={"HX-Request": "true", "HX-Target": "job-table"})
    assert block.text.lstrip().startswith('<section class="card" id="job-table"')
    assert "<html" not in block.text


def test_the_page_without_jobs_does_not_poll_and_says_when_no_worker_runs(admin_client):
    page = admin_client.get("/admin/jobs")
    assert page.status_code == 200
    assert "every 3s" not in page.text
    assert "还没有后台任务" in page.text
    assert "后台任务进程未在运行" in page.text
    for label in ("重建搜索索引", "日常清理", "重发未送达邮件", "每天 03:17", "每 10 分钟"):
        assert label in page.text


def test_starting_a_job_needs_the_csrf_token(factory, admin_client):
    refused = admin_client.post("/admin/jobs/run", data={"name": "search_reindex"}, headers={"X-CSRF-Token": "forged"})
    assert refused.status_code == 403
    with factory() as session:
        assert jobs.list_jobs(session).total == 0
