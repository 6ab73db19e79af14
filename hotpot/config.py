"""Settings of the platform, read once from HOTPOT_* environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTPOT_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; when unset an embedded server is started under data_dir"
    )
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # Several workers each accept on their own SO_REUSEPORT socket (hotpot/serving.py) instead of sharing uvicorn's
    # one socket, where the first worker awake can take every connection opened at once (bench/stall.py).
    reuse_port: bool = False
    # `hotpot serve` / `hotpot demo` start the background-job worker beside the web server (false where a separate
    # `hotpot worker` runs, as in docker-compose.yml).
    job_worker: bool = True
    # Sync routes and dependencies run in a worker's thread pool; this many at once per worker (anyio's default is
    # 40). With 40, requests waited 0.3-5 s in about half the benchmark runs; with 4, in a fifth, and the search mix's
    # p99 fell (issue 12, bench/README.md "the stall": the cause is not found). Sessions are ended on a pool of their
    # own (hotpot.db), so a small number here cannot keep a commit from running.
    threads: int = Field(default=4, ge=1, le=256)
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # Cookies get the Secure flag when the request came over HTTPS (directly or via X-Forwarded-Proto from a
    # trusted proxy); force it on in production behind a proxy that does not forward the scheme.
    force_secure_cookies: bool = False
    trusted_proxies: str = "127.0.0.1"
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    api_token_days: int = 30
    login_window_minutes: int = 15
    login_max_failures_per_account_ip: int = 5
    login_max_failures_per_account: int = 20
    login_max_failures_per_ip: int = 50
    # After this many attempts on an account from browsers and addresses it does not know, a login also needs a
    # one-time code mailed to the account's owner (instead of a flat lockout).
    login_code_after_failures: int = 10
    # Growing delay between attempts past the limits: base * 2^(n - limit - 1) seconds, at most the window.
    login_delay_base_seconds: int = 30
    known_device_days: int = 180
    email_verification_hours: int = 48
    password_reset_minutes: int = 60
    # Mail: delivered by SMTP when HOTPOT_SMTP_HOST is set; otherwise (and always in demo mode, for the
    # /dev/outbox page) every message stays in the mail_outbox table.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "合川火锅食材数字化平台 <noreply@hotpot.example>"
    smtp_starttls: bool = True
    smtp_timeout_seconds: int = 10
    # The address people reach the platform at, for links in mails (never taken from the request's Host header,
    # which a client chooses); default http://HOST:PORT.
    public_url: str | None = None
    max_upload_bytes: int = 10 * 1024 * 1024
    inquiries_per_hour: int = 10
    # Argon2id cost; the defaults follow argon2-cffi's RFC 9106 "low memory" profile.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4
    demo: bool = False
    # Mount /api/v1/bench/* (baselines for bench/search.py); never in production.
    bench_endpoints: bool = False
    log_level: str = "info"


@lru_cache
def get_settings() -> Settings:
    return Settings()
