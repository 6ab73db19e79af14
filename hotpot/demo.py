"""The demo data set: fictional accounts, one per role (demo mode only, never in production)."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hotpot.auth import service as auth_service
from hotpot.auth.schemas import StaffCreateIn
from hotpot.resources import resource_dir


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    display_name: str


def demo_logins() -> list[DemoLogin]:
    path = resource_dir("seed_data") / "demo_accounts.csv"
    with path.open(encoding="utf-8") as fh:
        return [DemoLogin(r["email"], r["password"], r["role"], r["display_name"]) for r in csv.DictReader(fh)]


def load_demo(session: Session) -> list[DemoLogin]:
    """Create the demo accounts that do not exist yet; return every demo login."""
    organizations = {}
    with (resource_dir("seed_data") / "demo_accounts.csv").open(encoding="utf-8") as fh:
        organizations = {r["email"]: r["organization"] for r in csv.DictReader(fh)}
    logins = demo_logins()
    for login in logins:
        if auth_service.get_by_email(session, login.email) is None:
            data = StaffCreateIn(
                email=login.email,
                display_name=login.display_name,
                organization=organizations[login.email],
                role=login.role,
            )
            auth_service.create_user(session, actor=None, data=data, password=login.password, is_demo=True)
    return logins
