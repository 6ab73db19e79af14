"""The one audit writer every service calls when it changes a record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot import context
from hotpot.audit.models import AuditEvent
from hotpot.auth.models import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: object | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event (who, what, before and after) in the caller's transaction."""
    ctx = context.current()
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else "system"),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )
    session.add(event)
    session.flush()
    return event


def history(session: Session, *, entity_type: str, entity_id: object, limit: int = 100) -> list[AuditEvent]:
    """Events of one record, newest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def count(session: Session, *, entity_type: str | None = None) -> int:
    stmt = select(func.count()).select_from(AuditEvent)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    return session.scalar(stmt) or 0


def recent(session: Session, *, page: int, page_size: int, q: str | None = None):
    """All events, newest first, optionally filtered by action or entity type prefix."""
    from hotpot.pagination import paginate

    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if q:
        stmt = stmt.where((AuditEvent.action.startswith(q)) | (AuditEvent.actor_label.contains(q)))
    return paginate(session, stmt, page=page, page_size=page_size)
