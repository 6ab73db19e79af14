"""Applications (申报) and screening (形式审查). (stub: the candidates helper fills it)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def unread_count(session: Session, user: Any) -> int:
    """The producer's bell: final decisions not read yet and applications returned for a fix."""
    return 0


def summary(session: Session, candidate: Any) -> dict[str, Any]:
    """What templates/hitpool/candidates/_summary.html shows of an application (the staff candidate page and the
    expert's review page include it): the candidates helper fills it."""
    return {}
