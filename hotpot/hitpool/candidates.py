"""Applications (申报) and screening (形式审查). (stub: the candidates helper fills it)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def unread_count(session: Session, user: Any) -> int:
    """The producer's bell: final decisions not read yet and applications returned for a fix."""
    return 0
