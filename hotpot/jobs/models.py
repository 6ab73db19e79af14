"""What a background job reports while it runs (job_progress), and a read-only view of the queue's own tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, func
from sqlalchemy.dialects.postgresql import ENUM, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from hotpot.db import Base


class JobProgress(Base):
    """One row per job that reported anything: how far it got, what it is doing, and why it failed.

    Written by the job in transactions of its own (committed at once), so the admin page sees it while the job's
    work is still uncommitted. Keyed by procrastinate's job id; no foreign key, since the queue's tables belong to
    procrastinate's schema, not to our models (the daily cleanup removes rows whose job is gone)."""

    __tablename__ = "job_progress"

    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    done: Mapped[int] = mapped_column(default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


# procrastinate's tables, described for reading only. They live in their own MetaData: the schema is created by
# procrastinate's SQL (see the migration), and Alembic never compares or alters it.
queue_metadata = MetaData()
JOB_STATUS = ENUM(
    "todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted",
    name="procrastinate_job_status",
    create_type=False,
    metadata=queue_metadata,
)  # fmt: skip
EVENT_TYPE = ENUM(
    "deferred", "started", "deferred_for_retry", "failed", "succeeded", "cancelled", "abort_requested", "aborted",
    "scheduled", "retried",
    name="procrastinate_job_event_type",
    create_type=False,
    metadata=queue_metadata,
)  # fmt: skip

queue_workers = Table(
    "procrastinate_workers",
    queue_metadata,
    Column("id", BigInteger, primary_key=True),
    Column("last_heartbeat", DateTime(timezone=True)),
)

queue_jobs = Table(
    "procrastinate_jobs",
    queue_metadata,
    Column("id", BigInteger, primary_key=True),
    Column("queue_name", String(128)),
    Column("task_name", String(128)),
    Column("priority", Integer),
    Column("lock", Text),
    Column("queueing_lock", Text),
    Column("args", JSONB),
    Column("status", JOB_STATUS),
    Column("scheduled_at", DateTime(timezone=True)),
    Column("attempts", Integer),
    Column("abort_requested", Boolean),
    Column("worker_id", BigInteger),
)

queue_events = Table(
    "procrastinate_events",
    queue_metadata,
    Column("id", BigInteger, primary_key=True),
    Column("job_id", BigInteger),
    Column("type", EVENT_TYPE),
    Column("at", DateTime(timezone=True)),
)

queue_periodic_defers = Table(
    "procrastinate_periodic_defers",
    queue_metadata,
    Column("id", BigInteger, primary_key=True),
    Column("task_name", String(128)),
    Column("defer_timestamp", BigInteger),
    Column("job_id", BigInteger),
    Column("periodic_id", String(128)),
)
