"""Imports every domain's models so Base.metadata is complete (Alembic and the migration tests use it)."""

from hotpot.audit.models import AuditEvent
from hotpot.auth.models import ApiToken, LoginAttempt, User, UserSession
from hotpot.db import Base
from hotpot.files.models import StoredFile
from hotpot.reference.models import ChainLink, FoodClass, Town

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "ChainLink",
    "FoodClass",
    "LoginAttempt",
    "StoredFile",
    "Town",
    "User",
    "UserSession",
]
