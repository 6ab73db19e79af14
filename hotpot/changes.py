"""The change tracker: every service that creates, edits or deletes an audited record goes through here.

A model declares once what the audit log records of it::

    class RawBase(Versioned, Base):
        audit_entity = "base"
        audit_fields = ("name", "town_code", ..., "status", "status_reason")

and a use case writes only what is its own::

    with changes.tracked(session, base, actor=user, action="base.update", version=form_version):
        for key, value in values.items():
            setattr(base, key, value)

`tracked` checks the form's version (a stale form is refused before anything changes), takes the before snapshot,
lets the body change the record, bumps the version of a `Versioned` record, flushes (the UPDATE itself is
conditioned on the loaded version, see `hotpot.db.Versioned`, so a writer who committed in between makes this one
fail with `StaleVersion`), and appends one audit event with before and after. When the body raises (a `FieldErrors`
found half-way, a `NotAllowed`), the record's unflushed changes are discarded, so nothing is half-saved even if the
caller goes on to render the form and the request commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.db import Versioned
from hotpot.validation import check_version


def entity_type(record: Any) -> str:
    return type(record).audit_entity


def snapshot(record: Any) -> dict[str, Any]:
    """The audited fields of record, as the audit log stores them (one declaration per model: `audit_fields`)."""
    return {name: getattr(record, name) for name in type(record).audit_fields}


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
) -> Iterator[Any]:
    """Edit record inside the block: version check, before/after snapshot, version bump, flush, one audit event.

    version is the version the user's form was loaded at (None: no form, e.g. the CLI or a bulk decision that
    checked it itself). bump=False records the change without making open forms stale (a counter, a login time).
    """
    check_version(record, version)
    before = snapshot(record)
    try:
        yield record
    except BaseException:
        _discard(session, record)
        raise
    if bump and isinstance(record, Versioned):
        record.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type(record),
        entity_id=record.id,
        before=before,
        after=snapshot(record),
        actor_label=actor_label,
    )


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
