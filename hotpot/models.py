"""Imports every domain's models so Base.metadata is complete (Alembic and the migration tests use it)."""

from hotpot.audit.models import AuditEvent
from hotpot.auth.models import ApiToken, LoginAttempt, User, UserSession
from hotpot.db import Base
from hotpot.enterprises.models import Enterprise
from hotpot.files.models import StoredFile
from hotpot.products.models import Product
from hotpot.reference.models import ChainLink, FoodClass, ProductCategory, Town

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "ChainLink",
    "Enterprise",
    "FoodClass",
    "LoginAttempt",
    "Product",
    "ProductCategory",
    "StoredFile",
    "Town",
    "User",
    "UserSession",
]
