"""The change tracker: every service that creates, edits or deletes an audited record goes through here.

A model declares once what the audit log records of it::

    class RawBase(Versioned, Base):
        audit_entity = "base"
        audit_fields = ("name", "town_code", ..., "status", "status_reason")

and a use case writes only what is its own::

    with changes.tracked(session, base, actor=user, action="base.update", version=form_version):
        for key, value in values.items():
            setattr(base, key, value)

An entry of `audit_fields` is an attribute's name, or a pair (key, getter) for a value the record does not hold
as one attribute (`("chain_links", lambda e: [c.code for c in e.chain_links])`), so the log keeps its keys.

`tracked` checks the form's version (a stale form is refused before anything changes), takes the before snapshot,
lets the body change the record, bumps the version of a `Versioned` record, flushes (the UPDATE itself is
conditioned on the loaded version, see `hotpot.db.Versioned`, so a writer who committed in between makes this one
fail with `StaleVersion`), and appends one audit event with before and after. When the body raises (a `FieldErrors`
found half-way, a `NotAllowed`), the record's unflushed changes are discarded, so nothing is half-saved even if the
caller goes on to render the form and the request commits.

A use case that changes association rows of the record (a product's sources, photos, a brand's licences) says
itself what the event records, by setting `change.before` / `change.after` on what the block yields; with
`bump_first=True` the record's conditioned UPDATE (its version bump) runs before the body, inside a savepoint, so
of two such saves from the same version the second waits on the row and is refused before it rewrites any rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.db import Versioned
from hotpot.validation import check_version


def entity_type(record: Any) -> str:
    return type(record).audit_entity


AuditField = str | tuple[str, Callable[[Any], Any]]


def snapshot(record: Any) -> dict[str, Any]:
    """The audited fields of record, as the audit log stores them (one declaration per model: `audit_fields`)."""
    values: dict[str, Any] = {}
    for field in type(record).audit_fields:
        if isinstance(field, str):
            values[field] = getattr(record, field)
        else:
            key, getter = field
            values[key] = getter(record)
    return values


_UNSET: Any = object()


class Change:
    """What one `tracked` block records: before is the record's snapshot when the block began; a use case whose
    change is not in the record's own fields (association rows) sets before and after itself (None: nothing)."""

    def __init__(self, record: Any, before: dict[str, Any] | None):
        self.record = record
        self.before = before
        self.after: dict[str, Any] | None = _UNSET


def _discard(session: Session, record: Any) -> None:
    """Forget what the failed body changed on record (a pending record is simply dropped)."""
    state = inspect(record)
    if state.pending:
        session.expunge(record)
    elif state.persistent:
        session.expire(record)


@contextmanager
def tracked(
    session: Session,
    record: Any,
    *,
    actor: Any,
    action: str,
    version: int | None = None,
    actor_label: str | None = None,
    bump: bool = True,
    bump_first: bool = False,
) -> Iterator[Change]:
    """Edit record inside the block: version check, before/after snapshot, version bump, flush, one audit event.

    version is the version the user's form was loaded at (None: no form, e.g. the CLI or a bulk decision that
    checked it itself). bump=False records the change without making open forms stale (a counter, a login time).
    bump_first=True bumps and flushes the record before the body (in a savepoint that a failed body rolls back).
    """
    check_version(record, version)
    change = Change(record, snapshot(record))
    savepoint = None
    if bump_first and bump and isinstance(record, Versioned):
        savepoint = session.begin_nested()
        record.version += 1
        session.flush()  # a stale record raises here (StaleVersion), before the body has written anything
    try:
        yield change
        if bump and savepoint is None and isinstance(record, Versioned):
            record.version += 1
        session.flush()
    except BaseException:
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
        _discard(session, record)
        raise
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type(record),
        entity_id=record.id,
        before=change.before,
        after=snapshot(record) if change.after is _UNSET else change.after,
        actor_label=actor_label,
    )
    if savepoint is not None:
        savepoint.commit()


def created(session: Session, record: Any, *, actor: Any, action: str, actor_label: str | None = None) -> Any:
    """Add a new record, flush it (so it has its id) and record its first state."""
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type(record),
        entity_id=record.id,
        after=snapshot(record),
        actor_label=actor_label,
    )
    return record


def deleted(
    session: Session,
    record: Any,
    *,
    actor: Any,
    action: str,
    version: int | None = None,
    actor_label: str | None = None,
) -> None:
    """Delete record (conditioned on its loaded version when it is Versioned) and record its last state."""
    check_version(record, version)
    before = snapshot(record)
    record_id = record.id
    session.delete(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type(record),
        entity_id=record_id,
        before=before,
        actor_label=actor_label,
    )
