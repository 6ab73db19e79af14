"""The job queue for people: what ran, runs and waits (with progress and errors), starting a job, retrying one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from procrastinate import exceptions as queue_errors
from procrastinate import sql as queue_sql
from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.auth.models import User
from hotpot.db import utcnow
from hotpot.errors import Conflict, InvalidState, NotFound
from hotpot.jobs.models import JobProgress, queue_events, queue_jobs, queue_workers
from hotpot.jobs.queue import deferrer, raw_connection
from hotpot.jobs.tasks import JOBS, JobKind
from hotpot.pagination import Page, paginate

STATUS_LABELS = {
    "todo": "排队中",
    "doing": "运行中",
    "succeeded": "已完成",
    "failed": "失败",
    "cancelled": "已取消",
    "aborting": "正在中止",
    "aborted": "已中止",
}
# The statuses the page filters by, in the order a job moves through them.
STATUS_FILTERS = ("todo", "doing", "succeeded", "failed")
FINAL = ("succeeded", "failed", "cancelled", "aborted")
# A worker that has not beaten its heart for this long is taken for gone (procrastinate beats every 10 s).
WORKER_ALIVE_SECONDS = 60


@dataclass
class JobView:
    id: int
    name: str
    label: str
    status: str
    status_label: str
    runs: int
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    done: int | None
    total: int | None
    message: str | None
    error: str | None

    @property
    def percent(self) -> int | None:
        if self.total is None or self.done is None:
            return None
        return 100 if self.total == 0 else min(100, round(100 * self.done / self.total))

    @property
    def progress_label(self) -> str:
        if self.total is None:  # the job never said how much there is: a bare count means nothing
            return "—"
        return f"{self.done or 0} / {self.total}"

    @property
    def retryable(self) -> bool:
        return self.status == "failed"


def job_label(name: str) -> str:
    kind = JOBS.get(name)
    return kind.label if kind else "其他任务"


def kinds() -> list[JobKind]:
    """Every job the platform knows, in the order they are registered."""
    return list(JOBS.values())


def list_jobs(session: Session, *, status: str | None = None, page: int = 1, page_size: int = 20) -> Page[JobView]:
    """The newest jobs first, optionally of one status, with their times and progress."""
    stmt = select(queue_jobs.c.id).order_by(queue_jobs.c.id.desc())
    if status in STATUS_LABELS:
        stmt = stmt.where(queue_jobs.c.status == status)
    ids = paginate(session, stmt, page=page, page_size=page_size)
    views = _views(session, ids.items)
    return Page(items=[views[i] for i in ids.items], total=ids.total, page=ids.page, page_size=ids.page_size)


def get_job(session: Session, job_id: int) -> JobView:
    views = _views(session, [job_id])
    if job_id not in views:
        raise NotFound("这个后台任务不存在，可能已被清理。")
    return views[job_id]


def _views(session: Session, ids: list[int]) -> dict[int, JobView]:
    if not ids:
        return {}
    final = queue_events.c.type.in_(FINAL)
    times = (
        select(
            queue_events.c.job_id,
            func.min(queue_events.c.at).filter(queue_events.c.type == "deferred").label("queued_at"),
            func.max(queue_events.c.at).filter(queue_events.c.type == "started").label("started_at"),
            func.max(queue_events.c.at).filter(final).label("finished_at"),
            # procrastinate's `attempts` also counts a manual retry: the runs are the starts.
            func.count().filter(queue_events.c.type == "started").label("runs"),
        )
        .where(queue_events.c.job_id.in_(ids))
        .group_by(queue_events.c.job_id)
        .subquery()
    )
    rows = session.execute(
        select(
            queue_jobs.c.id,
            queue_jobs.c.task_name,
            queue_jobs.c.status,
            times.c.runs,
            times.c.queued_at,
            times.c.started_at,
            times.c.finished_at,
            JobProgress.done,
            JobProgress.total,
            JobProgress.message,
            JobProgress.error,
        )
        .outerjoin(times, times.c.job_id == queue_jobs.c.id)
        .outerjoin(JobProgress, JobProgress.job_id == queue_jobs.c.id)
        .where(queue_jobs.c.id.in_(ids))
    )
    views = {}
    for r in rows:
        finished = r.status in FINAL
        views[r.id] = JobView(
            id=r.id,
            name=r.task_name,
            label=job_label(r.task_name),
            status=r.status,
            status_label=STATUS_LABELS.get(r.status, "未知"),
            runs=r.runs or 0,
            queued_at=r.queued_at,
            started_at=r.started_at if r.status != "todo" else None,
            # A retried job keeps the events of its earlier run: it has finished only when it is final now.
            finished_at=r.finished_at if finished else None,
            done=r.done,
            total=r.total,
            message=r.message,
            error=r.error if r.status == "failed" else None,
        )
    return views


def status_counts(session: Session) -> dict[str, int]:
    """How many jobs are in each status (every status present, zero or not)."""
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for status, n in session.execute(select(queue_jobs.c.status, func.count()).group_by(queue_jobs.c.status)):
        counts[status] = n
    return counts


def worker_alive(session: Session) -> bool:
    """Whether some worker beat its heart within the last minute (else nothing picks up the queue)."""
    since = utcnow() - timedelta(seconds=WORKER_ALIVE_SECONDS)
    return session.scalar(select(func.count()).where(queue_workers.c.last_heartbeat > since)) > 0


def enqueue(session: Session, *, name: str, actor: User | None) -> int:
    """Queue one run of the job `name` in the caller's transaction (it runs only if that commits); audited."""
    kind = JOBS.get(name)
    if kind is None:
        raise NotFound("没有这个后台任务。")
    _refuse_if_waiting(session, name, kind.label)
    try:
        with session.begin_nested():
            job_id = deferrer(kind.task, session).defer()
    except queue_errors.AlreadyEnqueued:
        raise Conflict(f"“{kind.label}”已在排队，无需重复启动。") from None
    audit.record(
        session, actor=actor, action="job.enqueue", entity_type="job", entity_id=job_id, after={"job": kind.label}
    )
    return job_id


def retry(session: Session, *, job_id: int, actor: User | None) -> None:
    """Queue a failed job again (same job id, one more attempt); audited."""
    row = session.execute(
        select(queue_jobs.c.task_name, queue_jobs.c.status).where(queue_jobs.c.id == job_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound("这个后台任务不存在，可能已被清理。")
    label = job_label(row.task_name)
    if row.status != "failed":
        raise InvalidState(f"只有失败的任务可以重试，这个任务{STATUS_LABELS.get(row.status, '')}。")
    _refuse_if_waiting(session, row.task_name, label)
    args = {"job_id": job_id, "retry_at": utcnow(), "new_priority": None, "new_queue_name": None, "new_lock": None}
    try:
        with session.begin_nested(), raw_connection(session).cursor() as cursor:
            cursor.execute(queue_sql.queries["retry_job"], args)
    except psycopg.errors.UniqueViolation:  # a twin queued meanwhile: the queueing lock's unique index refused it
        raise Conflict(f"“{label}”已在排队，无需重试。") from None
    audit.record(
        session,
        actor=actor,
        action="job.retry",
        entity_type="job",
        entity_id=job_id,
        before={"status": STATUS_LABELS["failed"]},
        after={"status": STATUS_LABELS["todo"], "job": label},
    )


def _refuse_if_waiting(session: Session, name: str, label: str) -> None:
    waiting = session.scalar(
        select(queue_jobs.c.id).where(queue_jobs.c.queueing_lock == name, queue_jobs.c.status == "todo").limit(1)
    )
    if waiting is not None:
        raise Conflict(f"“{label}”已在排队（任务 {waiting} 号），无需重复启动。")


def prune_finished(session: Session, *, days: int, routine_days: int = 2) -> int:
    """Forget jobs that finished more than `days` ago, and the successful runs of scheduled jobs (every ten minutes
    a mail retry) after `routine_days`; then progress rows whose job is gone. Returns how many jobs went."""
    now = utcnow()
    scheduled = [k.name for k in JOBS.values() if k.cron]
    removed = 0
    routine = and_(queue_jobs.c.status == "succeeded", queue_jobs.c.task_name.in_(scheduled))
    for cutoff, condition in (
        (now - timedelta(days=days), queue_jobs.c.status.in_(FINAL)),
        (now - timedelta(days=routine_days), routine),
    ):
        recent = select(queue_events.c.job_id).where(queue_events.c.at >= cutoff)
        removed += session.execute(delete(queue_jobs).where(condition, queue_jobs.c.id.not_in(recent))).rowcount or 0
    session.execute(delete(JobProgress).where(JobProgress.job_id.not_in(select(queue_jobs.c.id))))
    return removed


@dataclass
class Overview:
    """What /admin/jobs shows: one page of jobs, the count per status, the jobs one may start, the worker's state."""

    page: Page[JobView]
    counts: dict[str, int]
    kinds: list[JobKind]
    worker_alive: bool

    @property
    def active(self) -> bool:
        """Something waits or runs: the page keeps itself up to date."""
        return bool(self.counts.get("todo") or self.counts.get("doing"))


def overview(session: Session, *, status: str | None, page: int, page_size: int) -> Overview:
    return Overview(
        page=list_jobs(session, status=status, page=page, page_size=page_size),
        counts=status_counts(session),
        kinds=kinds(),
        worker_alive=worker_alive(session),
    )
