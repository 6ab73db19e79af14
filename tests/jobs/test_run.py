"""Jobs enqueued and run by a real procrastinate worker against the real database: progress, failure, retry,
the schedule, and what each job really does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from croniter import croniter
from sqlalchemy import select, text

from hotpot.auth.models import LoginAttempt
from hotpot.db import transaction, utcnow
from hotpot.errors import Conflict, InvalidState, NotFound
from hotpot.jobs import service as jobs
from hotpot.jobs.models import JobProgress
from hotpot.jobs.progress import Progress
from hotpot.jobs.queue import queue
from hotpot.jobs.worker import INTERRUPTED
from hotpot.mail.models import OutboxMail
from tests.enterprises.builders import make_product


def _enqueue(factory, name: str) -> int:
    with transaction(factory) as session:
        return jobs.enqueue(session, name=name, actor=None)


def _job(factory, job_id: int) -> jobs.JobView:
    with factory() as session:
        return jobs.get_job(session, job_id)


def test_a_queued_rebuild_runs_and_reports_its_progress_while_its_work_is_uncommitted(
    factory, jobs_engine, run_queue, monkeypatch
):
    with transaction(factory) as session:
        make_product(session, name="牛油火锅底料")
        make_product(session, name="千层毛肚")
    with jobs_engine.connect() as conn:
        docs_before = conn.scalar(text("SELECT count(*) FROM search_doc"))
    assert docs_before > 0
    job_id = _enqueue(factory, "search_reindex")
    assert _job(factory, job_id).status == "todo"

    seen: list[tuple] = []
    write = Progress._write

    def watched(self, **values):
        write(self, **values)
        # Read from another connection, as the admin page does, while the job's transaction is still open.
        with jobs_engine.connect() as conn:
            row = conn.execute(
                text("SELECT done, total, message FROM job_progress WHERE job_id = :id"), {"id": self.job_id}
            ).first()
            seen.append((row, conn.scalar(text("SELECT count(*) FROM search_doc"))))

    monkeypatch.setattr(Progress, "_write", watched)
    run_queue()

    view = _job(factory, job_id)
    assert view.status == "succeeded"
    assert (view.label, view.status_label) == ("重建搜索索引", "已完成")
    assert None not in (view.queued_at, view.started_at, view.finished_at)
    assert view.message.startswith("已重建：产品 ")
    products = [row for row, _ in seen if row and row.message and row.message.startswith("产品：")]
    assert products, seen
    assert products[-1].done == products[-1].total > 0
    # Every report was visible at once, and the rebuild (which deletes every document first) was not yet.
    assert all(docs == docs_before for _, docs in seen[1:-1])


def test_a_failed_job_keeps_its_error_and_a_retry_runs_it_again(factory, run_queue, monkeypatch):
    from hotpot.search import service as search

    job_id = _enqueue(factory, "search_reindex")

    def broken(session, *, progress=None):
        raise RuntimeError("索引表被锁定")

    monkeypatch.setattr(search, "rebuild", broken)
    run_queue()
    view = _job(factory, job_id)
    assert (view.status, view.status_label) == ("failed", "失败")
    assert view.error == "RuntimeError: 索引表被锁定"
    assert view.retryable
    assert view.finished_at is not None

    with transaction(factory) as session:
        jobs.retry(session, job_id=job_id, actor=None)
    view = _job(factory, job_id)
    assert (view.status, view.runs, view.finished_at) == ("todo", 1, None)
    with transaction(factory) as session, pytest.raises(InvalidState):
        jobs.retry(session, job_id=job_id, actor=None)

    monkeypatch.undo()
    run_queue()
    view = _job(factory, job_id)
    assert (view.status, view.runs) == ("succeeded", 2)
    assert view.error is None


def test_a_second_start_of_a_waiting_job_is_refused(factory):
    first = _enqueue(factory, "search_reindex")
    with transaction(factory) as session, pytest.raises(Conflict, match="已在排队"):
        jobs.enqueue(session, name="search_reindex", actor=None)
    with transaction(factory) as session, pytest.raises(NotFound):
        jobs.enqueue(session, name="no_such_job", actor=None)
    with factory() as session:
        assert jobs.status_counts(session)["todo"] == 1
        assert jobs.list_jobs(session).items[0].id == first


def test_an_enqueue_in_a_rolled_back_transaction_leaves_nothing(factory):
    def failing_request() -> None:
        with transaction(factory) as session:
            jobs.enqueue(session, name="search_reindex", actor=None)
            raise RuntimeError("the request failed after the enqueue")

    with pytest.raises(RuntimeError):
        failing_request()
    with factory() as session:
        assert jobs.list_jobs(session).total == 0


def test_the_schedule_has_the_cleanup_daily_and_the_mail_retry_every_ten_minutes():
    periodic = {task.task.name: task.cron for task in queue.periodic_registry.periodic_tasks.values()}
    assert periodic == {"daily_cleanup": "17 3 * * *", "mail_retry": "*/10 * * * *"}
    for cron in periodic.values():
        assert croniter.is_valid(cron)
    assert {k.name for k in jobs.kinds()} == {"search_reindex", "daily_cleanup", "mail_retry"}


def test_the_daily_cleanup_prunes_old_login_attempts_and_old_finished_jobs(factory, run_queue):
    old = utcnow() - timedelta(days=400)
    with transaction(factory) as session:
        session.add(LoginAttempt(email="old@hotpot.example", ip="10.0.0.1", succeeded=False, attempted_at=old))
        session.add(LoginAttempt(email="new@hotpot.example", ip="10.0.0.1", succeeded=False))
    finished = _enqueue(factory, "search_reindex")
    run_queue()
    recent_rebuild = _enqueue(factory, "search_reindex")
    run_queue()
    routine = _enqueue(factory, "mail_retry")
    run_queue()
    with transaction(factory) as session:  # finished 40 days ago, 3 days ago, 3 days ago
        for job, days in ((finished, 40), (recent_rebuild, 3), (routine, 3)):
            session.execute(
                text("UPDATE procrastinate_events SET at = at - make_interval(days => :d) WHERE job_id = :id"),
                {"id": job, "d": days},
            )
    job_id = _enqueue(factory, "daily_cleanup")
    run_queue()
    view = _job(factory, job_id)
    assert view.status == "succeeded", view.error
    assert view.message == "已删除过期登录记录 1 条、旧任务记录 2 条"
    with factory() as session:
        assert session.scalars(select(LoginAttempt.email)).all() == ["new@hotpot.example"]
        assert session.get(JobProgress, finished) is None
        for gone in (finished, routine):  # any job after 30 days; a routine success of the schedule after 2
            with pytest.raises(NotFound):
                jobs.get_job(session, gone)
        assert jobs.get_job(session, recent_rebuild).status == "succeeded"


def test_the_mail_retry_delivers_unsent_mail_by_smtp(factory, run_queue, sink):
    with transaction(factory) as session:
        session.add(OutboxMail(to_address="a@hotpot.example", subject="重试", body="正文", kind="test"))
        session.add(OutboxMail(to_address="b@hotpot.example", subject="放弃", body="正文", kind="test", attempts=20))
    job_id = _enqueue(factory, "mail_retry")
    run_queue()
    view = _job(factory, job_id)
    assert view.status == "succeeded", view.error
    assert view.message == "已发送 1 封邮件"
    assert (view.done, view.total) == (1, 1)
    assert len(sink.messages) == 1
    with factory() as session:
        unsent = session.scalars(select(OutboxMail.to_address).where(OutboxMail.sent_at.is_(None))).all()
    assert unsent == ["b@hotpot.example"]  # tried too often: left for `hotpot mail send`


def test_the_mail_retry_without_smtp_says_so(factory, run_queue, monkeypatch):
    monkeypatch.delenv("HOTPOT_SMTP_HOST", raising=False)
    job_id = _enqueue(factory, "mail_retry")
    run_queue()
    assert "未配置发信服务器" in _job(factory, job_id).message


def test_a_job_left_running_by_a_dead_worker_is_marked_failed_with_the_reason(factory, run_queue):
    job_id = _enqueue(factory, "search_reindex")
    with transaction(factory) as session:  # fetched by a worker that then died (no worker row, no heartbeat)
        session.execute(text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"), {"id": job_id})
    run_queue()
    view = _job(factory, job_id)
    assert view.status == "failed"
    assert view.error == INTERRUPTED
