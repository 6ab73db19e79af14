"""The platform's background jobs and their schedule. Each runs in its own db.transaction on the worker's session
factory and reports its progress (hotpot.jobs.progress) as it goes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from procrastinate import JobContext
from procrastinate.tasks import Task

from hotpot.db import transaction
from hotpot.jobs.progress import Progress, session_factory
from hotpot.jobs.queue import queue

log = logging.getLogger("hotpot.jobs")

# A mail that failed this many times is left in the outbox for `hotpot mail send` (a bad address is not retried
# every ten minutes for ever).
MAIL_MAX_ATTEMPTS = 20
# Finished jobs (and their progress) are kept this long on the admin page.
KEEP_FINISHED_DAYS = 30


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    description: str
    task: Task
    cron: str | None = None
    schedule: str | None = None  # the schedule in words, for the admin page
    manual: bool = True  # admins may start it from /admin/jobs


JOBS: dict[str, JobKind] = {}


def job(name: str, label: str, description: str, *, cron: str | None = None, schedule: str | None = None):
    """Register fn(progress, session_factory) -> final message as a procrastinate task named `name`.

    lock: never two runs at once; queueing_lock: never two waiting (a second start is refused, a periodic tick
    while one waits is skipped). The wrapper records the start, the final message and the error of a failure."""

    def register(fn: Callable[[Progress, Callable], str]) -> Task:
        def run(context: JobContext, **kwargs) -> None:
            kwargs.pop("timestamp", None)  # what a periodic tick passes
            factory = session_factory()
            assert context.job.id is not None
            progress = Progress(factory, context.job.id)
            progress.start("开始运行")
            try:
                message = fn(progress, factory)
            except Exception as exc:
                log.exception("job %s (%s) failed", context.job.id, name)
                progress.fail(exc)
                raise
            progress.finish(message)

        run.__name__ = run.__qualname__ = name
        run.__module__ = __name__
        task = queue.task(name=name, pass_context=True, lock=name, queueing_lock=name)(run)
        if cron:
            task = queue.periodic(cron=cron)(task)
        JOBS[name] = JobKind(name, label, description, task, cron, schedule)
        return task

    return register


SEARCH_KINDS = {"product": "产品", "enterprise": "企业", "base": "基地", "brand": "品牌"}


@job(
    "search_reindex",
    "重建搜索索引",
    "重新生成所有产品、企业、基地和品牌的搜索文档与联想词（分词词典或规则变更后使用）。",
)
def search_reindex(progress: Progress, factory) -> str:
    from hotpot.search import service as search

    seen: list[str] = []

    def report(p) -> None:
        # The rebuild goes kind by kind: the figures are the current kind's, the message says which of them.
        if p.kind not in seen:
            seen.append(p.kind)
        step = f"（第 {len(seen)} / {len(SEARCH_KINDS)} 类）"
        progress.update(p.done, p.total, f"{SEARCH_KINDS.get(p.kind, p.kind)}：{p.done} / {p.total}{step}")

    with transaction(factory) as session:
        counts = search.rebuild(session, progress=report)
    parts = [f"{label} {counts[kind]}" for kind, label in SEARCH_KINDS.items() if kind in counts]
    return "已重建：" + "，".join(parts)


@job(
    "daily_cleanup",
    "日常清理",
    f"删除过期的登录尝试、登录计数、一次性令牌和设备记录，{KEEP_FINISHED_DAYS} 天前结束的后台任务记录，"
    "以及 2 天前定时任务的成功记录。",
    cron="17 3 * * *",
    schedule="每天 03:17",
)
def daily_cleanup(progress: Progress, factory) -> str:
    from hotpot.auth import service as auth
    from hotpot.jobs import service as jobs

    with transaction(factory) as session:
        attempts = auth.prune_login_attempts(session)
        progress.update(1, 2, f"已删除 {attempts} 条过期登录记录", force=True)
        finished = jobs.prune_finished(session, days=KEEP_FINISHED_DAYS)
    progress.update(2, 2, force=True)
    return f"已删除过期登录记录 {attempts} 条、旧任务记录 {finished} 条"


@job(
    "mail_retry",
    "重发未送达邮件",
    f"通过 SMTP 重新发送发件箱中尚未送达的邮件（每封最多尝试 {MAIL_MAX_ATTEMPTS} 次）。",
    cron="*/10 * * * *",
    schedule="每 10 分钟",
)
def mail_retry(progress: Progress, factory) -> str:
    from hotpot.mail import service as mail

    if not mail.smtp_configured():
        return "未配置发信服务器（HOTPOT_SMTP_HOST），邮件保留在发件箱中"
    with factory() as session:
        engine = session.get_bind()

    def report(done: int, total: int) -> None:
        progress.update(done, total, f"邮件 {done} / {total}")

    sent = mail.deliver(engine, max_attempts=MAIL_MAX_ATTEMPTS, progress=report)
    return f"已发送 {sent} 封邮件"
