"""Imports every installed domain's models so Base.metadata is complete (Alembic and the migration tests use it)."""

from hotpot.db import Base
from hotpot.domains import load_models

load_models()

__all__ = ["Base"]
