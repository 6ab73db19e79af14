"""Incubation plans, milestones, support, progress and graduation. (stub: the incubation helper fills it)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotpot.hitpool.models import Batch


def start_plans(session: Session, batch: Batch, actor: Any) -> None:
    """A plan for every accepted candidate of a published batch (called by decisions.on_publish)."""
