"""Proposed and final decisions, the public notice and objections. (stub: the decisions helper fills it)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotpot.hitpool.models import Batch


def on_notice(session: Session, batch: Batch, actor: Any) -> None:
    """Called by the batch service inside the "notice" transition: set the notice dates."""


def on_publish(session: Session, batch: Batch, actor: Any) -> None:
    """Called by the batch service inside the "publish" transition: decisions become final, producers are notified,
    accepted candidates get their incubation plans (hotpot.hitpool.incubation.start_plans)."""


def panel(session: Session, candidate: Any, viewer: Any) -> dict[str, Any]:
    """What templates/hitpool/decisions/_panel.html shows on the staff candidate page (the proposed or final
    decision, its form while deciding, objections): the decisions helper fills it."""
    return {}
