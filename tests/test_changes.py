"""The change tracker (hotpot/changes.py): one audit event per change, stale forms refused, nothing half-saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from hotpot import changes
from hotpot.audit.models import AuditEvent
from hotpot.db import AppSession
from hotpot.validation import FieldErrors, StaleVersion
from tests.auth.builders import make_user
from tests.bases.builders import make_base
from tests.enterprises.builders import make_enterprise, make_product


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


def test_bump_first_runs_the_records_update_before_the_body(db):
    """An association edit (sources, photos) locks the record first: its conditioned UPDATE is in the database
    before the body writes any rows, and the event records what the body says changed."""
    base = make_base(db, verified=False)
    start = base.version
    seen = []
    with changes.tracked(db, base, actor=None, action="base.photos_add", bump_first=True) as change:
        seen.append(db.scalar(text("SELECT version FROM base WHERE id = :id"), {"id": base.id}))
        change.before, change.after = None, {"photos": [7]}
    assert seen == [start + 1]
    assert base.version == start + 1  # bumped once, not again after the body
    event = _events(db, base)[-1]
    assert (event.action, event.before, event.after) == ("base.photos_add", None, {"photos": [7]})


def test_bump_first_with_a_failed_body_keeps_neither_the_bump_nor_the_rows(db):
    base = make_base(db, verified=False)
    start, description, count = base.version, base.description, len(_events(db, base))

    def half_way() -> None:
        with changes.tracked(db, base, actor=None, action="base.photos_add", bump_first=True):
            db.execute(text("UPDATE base SET description = '半途而废' WHERE id = :id"), {"id": base.id})
            raise FieldErrors({"photos": "照片有误"})

    with pytest.raises(FieldErrors):
        half_way()
    db.flush()
    db.expire_all()
    assert (base.version, base.description) == (start, description)
    assert len(_events(db, base)) == count


def test_bump_first_on_a_stale_record_is_refused_before_the_body(connection):
    session = AppSession(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    base = make_base(session, verified=False)
    session.commit()  # into the test's outer transaction: the base is loaded, as a request finds it
    session.execute(text("UPDATE base SET version = version + 1 WHERE id = :id"), {"id": base.id})  # another writer
    ran = []
    with (
        pytest.raises(StaleVersion),
        changes.tracked(session, base, actor=None, action="base.photos_add", bump_first=True),
    ):
        ran.append(True)
    assert ran == []
    session.close()


def test_audit_fields_keep_the_keys_the_log_had(db):
    """Entries may be (key, getter) pairs, for values that are not one attribute: the audit log's keys stay."""
    enterprise = make_enterprise(db)
    after = changes.snapshot(enterprise)
    assert after["chain_links"] == [c.code for c in enterprise.chain_links]
    assert after["chain_links"]
    assert all(isinstance(code, str) for code in after["chain_links"])
    assert list(after) == LOGGED_KEYS["enterprise"].split()
    product = make_product(db, enterprise=enterprise)
    assert changes.snapshot(product)["category"] == product.category_code
    assert "category_code" not in changes.snapshot(product)


# The keys each model's events had when every service wrote its own snapshot function.
LOGGED_KEYS = {
    "enterprise": "uscc name short_name legal_representative town_code outside_address park_group address "
    "contact_person phone scale employees annual_capacity_t founded_on chain_links description status status_reason "
    "licence_file_id",
    # name_en: the product's English name joined the record (issue 11), so its events carry it from then on
    "product": "category name name_en spec storage shelf_life_days standard_code min_order min_order_unit price_min "
    "price_max price_unit description brand_id status",
    "certificate": "holder_type product_id base_id kind kind_other number issuer issued_on valid_until scan_file_id "
    "verification verification_note",
    "brand": "level name owner_enterprise_id owner_body trademark_no nice_class valid_until honors description",
    "user": "email display_name organization role is_active",
    "synonym_group": "terms note",
}


@pytest.mark.parametrize("entity", sorted(LOGGED_KEYS))
def test_every_audited_model_keeps_the_keys_of_its_events(entity):
    from hotpot.auth.models import User
    from hotpot.brands.models import Brand
    from hotpot.certificates.models import Certificate
    from hotpot.enterprises.models import Enterprise
    from hotpot.products.models import Product
    from hotpot.search.models import SynonymGroup

    models = {"enterprise": Enterprise, "product": Product, "certificate": Certificate, "brand": Brand, "user": User}
    model = models.get(entity, SynonymGroup)
    assert model.audit_entity == entity
    keys = [f if isinstance(f, str) else f[0] for f in model.audit_fields]
    assert keys == LOGGED_KEYS[entity].split()
