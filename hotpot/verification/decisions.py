"""What the verification of enterprises, bases and certificates has in common: one decision, reasons, bulk decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotpot import workflow
from hotpot.errors import InvalidState, NotFound
from hotpot.validation import FieldErrors, InputSchema, StaleVersion

# More than a page of a queue at once is a slip of the hand, not a decision.
BULK_LIMIT = 100

R = TypeVar("R")


class DecisionIn(InputSchema):
    action: Literal["verify", "reject"]
    reason: str | None = Field(default=None, max_length=500)


def decide(session: Session, record: R, action: str, *, actor: Any, reason: str | None, version: int | None) -> R:
    """A staff decision on a registry record, by its model's workflow (hotpot/workflow.py).

    On the desk the decision is a button of the form, so a decision the record's state does not allow (another
    reviewer decided first, a stale tab) is shown next to the buttons, like any other field error."""
    try:
        return workflow.apply(session, record, action, actor=actor, reason=reason, version=version)
    except InvalidState as exc:
        raise FieldErrors({"action": exc.message}) from None


def require_reason(action: str, reason: str | None) -> None:
    """Refusals must say why: the producer sees the reason next to the record."""
    if action in ("reject", "suspend") and len((reason or "").strip()) < 4:
        raise FieldErrors({"reason": "退回或暂停时请填写原因（至少 4 个字），企业会看到这段说明"})


@dataclass
class BulkPick:
    """One record ticked in a queue, with the version its row was shown with."""

    id: int
    version: int | None


@dataclass
class BulkOutcome:
    """What a bulk decision did to each record: decided, refused as changed meanwhile, or refused for a reason."""

    action: str
    done: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    missing: int = 0


def parse_bulk(form: dict[str, Any]) -> tuple[DecisionIn, list[BulkPick]]:
    """The decision and the ticked rows of a queue's bulk form; every problem in one round."""
    errors: dict[str, str] = {}
    raw = form.get("ids")
    raw_ids = raw if isinstance(raw, list) else ([raw] if raw else [])
    picks: list[BulkPick] = []
    for value in raw_ids:
        if not isinstance(value, str) or not value.isdigit() or len(value) > 12:
            continue
        version = form.get(f"version_{value}")
        ok = isinstance(version, str) and version.isdigit() and len(version) < 10
        picks.append(BulkPick(id=int(value), version=int(version) if ok else -1))
    picks = list({p.id: p for p in picks}.values())
    if not picks:
        errors["ids"] = "请先勾选要处理的记录"
    elif len(picks) > BULK_LIMIT:
        errors["ids"] = f"一次最多处理 {BULK_LIMIT} 条"
    action = form.get("action")
    reason = form.get("reason") if isinstance(form.get("reason"), str) else None
    if action not in ("verify", "reject"):
        errors["action"] = "请选择“核验通过”或“退回”"
    else:
        try:
            require_reason(action, reason)
        except FieldErrors as exc:
            errors.update(exc.errors)
    if reason and len(reason) > 500:
        errors["reason"] = "不能超过 500 个字符"
    if errors:
        raise FieldErrors(errors)
    return DecisionIn(action=action, reason=(reason or "").strip() or None), picks


def bulk_decide(
    session: Session,
    *,
    action: str,
    picks: list[BulkPick],
    model: type[R],
    decide: Callable[[R, int | None], object],
    title: Callable[[R], str],
) -> BulkOutcome:
    """Decide each picked record in its own savepoint, with its own version check and audit event: a record that
    changed since the queue was shown (or that the decision does not fit) is reported, the others go through."""
    outcome = BulkOutcome(action=action)
    versions = {p.id: p.version for p in picks}
    ids = [p.id for p in picks]
    found = {r.id: r for r in session.scalars(select(model).where(model.id.in_(ids)))}
    records = [found[i] for i in ids if i in found]  # in the order they were listed
    outcome.missing = len(picks) - len(records)
    for record in records:
        name = title(record)
        try:
            with session.begin_nested():
                decide(record, versions[record.id])
        except StaleVersion:
            session.refresh(record)
            outcome.stale.append(name)
        except FieldErrors as exc:
            session.refresh(record)
            outcome.refused.append((name, next(iter(exc.errors.values()))))
        else:
            outcome.done.append(name)
    return outcome


def record_or_404(session: Session, model: type[R], record_id: int) -> R:
    """The record a desk page is about (staff see every state), or NotFound."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound("要审核的记录不存在或已被删除。")
    return record


def stored_file(session: Session, file_id: int | None) -> Any:
    """The stored file a desk page shows (an enterprise's business licence), or None."""
    from hotpot.files.models import StoredFile

    return session.get(StoredFile, file_id) if file_id else None
