"""Background jobs' declaration: the admins' jobs page, its messages, the job progress table."""

from __future__ import annotations

from hotpot.domains import Domain

DOMAIN = Domain(
    name="jobs",
    # The page is reached from the administration's tab bar (templates/admin/_tabs.html).
    routers=("hotpot.jobs.routes:router",),
    flash={
        "job_queued": ("success", "任务已加入队列，后台任务进程会依次运行；本页自动刷新进度"),
        "job_retried": ("success", "任务已重新加入队列"),
    },
    models=("hotpot.jobs.models",),
)
