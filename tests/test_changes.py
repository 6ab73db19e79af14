"""The change tracker (hotpot/changes.py): one audit event per change, stale forms refused, nothing half-saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotpot import changes
from hotpot.audit.models import AuditEvent
from hotpot.validation import FieldErrors, StaleVersion
from tests.auth.builders import make_user
from tests.bases.builders import make_base


def _events(db, base) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "base", AuditEvent.entity_id == str(base.id))
            .order_by(AuditEvent.id)
        )
    )


def test_tracked_bumps_the_version_and_records_before_and_after(db):
    base = make_base(db, verified=False)
    actor = make_user(db, role="reviewer")
    start = base.version
    with changes.tracked(db, base, actor=actor, action="base.update", version=start):
        base.name = "改名后的基地"
    assert base.version == start + 1
    event = _events(db, base)[-1]
    assert event.action == "base.update"
    assert event.before["name"] != "改名后的基地"
    assert event.after["name"] == "改名后的基地"
    assert set(event.after) == set(type(base).audit_fields)


def test_a_stale_form_is_refused_before_anything_changes(db):
    base = make_base(db, verified=False)
    count = len(_events(db, base))
    with (
        pytest.raises(StaleVersion),
        changes.tracked(db, base, actor=None, action="base.update", version=base.version - 1),
    ):
        base.name = "不应保存"
    assert base.name != "不应保存"
    assert len(_events(db, base)) == count


def test_an_error_in_the_body_leaves_the_record_as_it_was(db):
    base = make_base(db, verified=False)
    name, version, count = base.name, base.version, len(_events(db, base))

    def half_way() -> None:
        with changes.tracked(db, base, actor=None, action="base.update"):
            base.name = "半途而废"
            raise FieldErrors({"area_mu": "面积有误"})

    with pytest.raises(FieldErrors):
        half_way()
    db.flush()  # a later flush (the request's commit) must not write the discarded change
    db.expire_all()
    assert (base.name, base.version) == (name, version)
    assert len(_events(db, base)) == count


def test_created_and_deleted_record_first_and_last_state(db):
    base = make_base(db, verified=False)
    assert _events(db, base)[0].action == "base.create"
    assert _events(db, base)[0].before is None
    base_id = base.id
    changes.deleted(db, base, actor=None, action="base.delete")
    last = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(base_id)).order_by(AuditEvent.id.desc())
    ).first()
    assert (last.action, last.after) == ("base.delete", None)
    assert last.before["name"] == base.name
