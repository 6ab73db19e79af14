"""Background jobs on PostgreSQL: a queue, a periodic schedule, a worker, and what each job reports while it runs.

Why procrastinate (3.10), compared with the other ways to queue work in the PostgreSQL we already run:

- **procrastinate** (chosen): a task queue whose whole state is PostgreSQL tables and PL/pgSQL functions it ships
  as SQL (so Alembic applies it like any migration, see migrations/sql/), workers that claim jobs with
  `FOR UPDATE SKIP LOCKED` and wake on LISTEN/NOTIFY, periodic tasks (`@app.periodic(cron=...)`) deduplicated
  across any number of workers by a unique row per tick, `lock` (never two runs at once) and `queueing_lock`
  (never two waiting), retry strategies, worker heartbeats (a killed worker's jobs are found), a status history per
  job (`procrastinate_events`) and manual retry of failed jobs. Sync tasks run in a thread, so our sync services
  are called as they are. Deferring takes an external connection (`task.configure(connection=...)`), so a job
  is enqueued inside the request's own transaction: rolled back with it, audited with it. Maintained since 2019,
  MIT, only psycopg and small pure-Python dependencies.
- **pgqueuer**: also PostgreSQL-only with LISTEN/NOTIFY, SKIP LOCKED and cron schedules, and faster at high
  throughput; but asyncio-first (entrypoints are coroutines; sync work needs wrapping), its schema is installed by
  its own CLI (`pgq install`) rather than shipped as plain SQL for our migrations, and it keeps no per-job status
  history beside a log table. Our jobs are few and long (a rebuild, a cleanup, mail), where its speed buys nothing.
- **a hand-written `SKIP LOCKED` table**: ~150 lines to start, but then the schedule (dedup across workers),
  stalled-worker recovery, locks, retries and LISTEN/NOTIFY are ours to write and to get right: exactly what a
  well-kept library already tested.

Pieces: `queue` (the procrastinate App and how to defer on a session), `tasks` (the jobs and their schedule),
`progress` (job_progress, written in its own transactions), `service` (the admin page's and CLI's reads, enqueue,
retry), `worker` (the worker process; `hotpot serve` and `hotpot demo` start one beside the web server).
"""
