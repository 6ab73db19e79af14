"""The audit log records who changed what and cannot be altered."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hotpot import context
from hotpot.audit import service as audit
from tests.auth.builders import make_user


def test_record_keeps_actor_before_after_and_request(db):
    actor = make_user(db, role="admin")
    token = context.set_current(context.RequestContext(request_id="req-12345678", ip="192.0.2.1"))
    try:
        event = audit.record(
            db,
            actor=actor,
            action="thing.update",
            entity_type="thing",
            entity_id=7,
            before={"name": "旧"},
            after={"name": "新"},
        )
    finally:
        context.reset(token)
    history = audit.history(db, entity_type="thing", entity_id=7)
    assert history == [event]
    assert event.actor_label == actor.email
    assert event.before == {"name": "旧"}
    assert event.after == {"name": "新"}
    assert event.request_id == "req-12345678"
    assert event.ip == "192.0.2.1"


def test_audit_event_is_append_only(db):
    event = audit.record(db, actor=None, action="thing.create", entity_type="thing", entity_id=1)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("UPDATE audit_event SET action = 'forged' WHERE id = :id"), {"id": event.id})
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event.id})


def test_registration_writes_one_event(client, db):
    before = audit.count(db, entity_type="user")
    client.post(
        "/register",
        data={
            "role": "producer",
            "email": "maker@hotpot.example",
            "display_name": "王厂长",
            "organization": "渝合食品",
            "password": "Tallow-Pot-2026",
            "password_confirm": "Tallow-Pot-2026",
            "agree": "on",
        },
    )
    events = audit.count(db, entity_type="user") - before
    assert events == 1  # user.register; the session starts only after the mailed verification link


def test_history_view_for_owner_and_staff_only(client, make_client, db):
    from tests.auth.builders import log_in
    from tests.enterprises.builders import make_product, owner_of, product_form

    product = make_product(db)
    owner = owner_of(db, product.enterprise)
    log_in(client, owner.email)
    client.post(f"/my/products/{product.id}/edit", data={**product_form(price_min="52"), "version": product.version})
    page = client.get(f"/history/product/{product.id}")
    assert page.status_code == 200
    assert "修改产品" in page.text
    assert "product.update" not in page.text
    assert "<ins>52" in page.text
    stranger = make_client()
    log_in(stranger, make_user(db, role="producer").email)
    assert stranger.get(f"/history/product/{product.id}").status_code == 403
    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    assert reviewer.get(f"/history/enterprise/{product.enterprise_id}").status_code == 200
    assert reviewer.get("/history/user/1").status_code == 404
