"""The public notice (公示): its working-day period, the public page, objections raised and handled, publication."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hotpot.errors import InvalidState
from hotpot.files.models import StoredFile
from hotpot.hitpool import decisions
from hotpot.hitpool.models import Decision, Objection
from hotpot.validation import FieldErrors
from tests.auth.builders import log_in, make_user
from tests.hitpool.builders import make_batch, make_candidate

REASONS = "该企业申报的上年销售额与税务数据明显不符，请核实。"


def test_working_days_skip_the_weekend():
    friday = date(2026, 12, 4)
    assert friday.weekday() == 4
    assert decisions.add_working_days(friday, 5) == date(2026, 12, 11)  # Mon-Fri of the next week
    assert decisions.add_working_days(friday, 1) == date(2026, 12, 7)  # Monday
    saturday = date(2026, 12, 5)
    assert decisions.add_working_days(saturday, 1) == date(2026, 12, 7)
    assert decisions.add_working_days(date(2026, 12, 1), 5) == date(2026, 12, 8)  # Tuesday -> next Tuesday


def _deciding(db, *, accepted: bool = True):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="deciding", manager=staff, notice_days=5)
    c = make_candidate(db, batch=batch)
    if accepted:
        decisions.propose(db, actor=staff, candidate=c, form={"outcome": "accepted"}, version=0)
    return staff, batch, c


def test_on_notice_sets_the_period_and_refuses_without_an_accepted_candidate(db, monkeypatch):
    staff, batch, _ = _deciding(db, accepted=False)
    with pytest.raises(InvalidState, match="拟入库"):
        decisions.on_notice(db, batch, staff)
    staff, batch, _ = _deciding(db)
    monkeypatch.setattr(decisions, "today", lambda: date(2026, 12, 4))  # a Friday
    decisions.on_notice(db, batch, staff)
    assert (batch.notice_starts_on, batch.notice_ends_on) == (date(2026, 12, 4), date(2026, 12, 11))


@pytest.fixture
def in_notice(db):
    staff, batch, c = _deciding(db)
    other = make_candidate(db, batch=batch)
    decisions.propose(db, actor=staff, candidate=other, form={"outcome": "not_accepted", "note": "名额有限"}, version=0)
    decisions.on_notice(db, batch, staff)
    batch.status = "notice"
    c.product.name = "入库的千层毛肚"
    other.product.name = "不入库的手工腐竹"
    db.flush()
    return staff, batch, c, other


def test_the_notice_page_is_public_and_lists_only_the_accepted(db, in_notice, make_client):
    _, batch, _c, _other = in_notice
    page = make_client().get(f"/notices/{batch.id}")
    assert page.status_code == 200
    assert "入库的千层毛肚" in page.text
    assert "登录后提出异议" in page.text
    assert "不入库的手工腐竹" not in page.text
    assert "加权" not in page.text
    assert "专家" not in page.text.replace("专家评审", "")


def test_no_notice_page_before_the_notice(db, make_client):
    _, batch, _ = _deciding(db)
    assert make_client().get(f"/notices/{batch.id}").status_code == 404


def test_an_objection_with_evidence(db, in_notice, make_client):
    _, batch, c, _ = in_notice
    buyer = make_user(db, role="buyer")
    client = make_client()
    log_in(client, buyer.email)
    response = client.post(
        f"/notices/{batch.id}/objections",
        data={"candidate_id": str(c.id), "reasons": REASONS},
        files={"evidence": ("证明.pdf", b"%PDF-1.4 evidence", "application/pdf")},
    )
    assert response.status_code == 303
    objection = db.scalars(select(Objection)).one()
    assert (objection.candidate_id, objection.raised_by_id, objection.status) == (c.id, buyer.id, "pending")
    assert objection.evidence_file_id is not None


def test_a_bad_objection_lists_every_problem_and_keeps_nothing(db, in_notice, make_client):
    _, batch, _, other = in_notice
    files_before = db.scalar(select(func.count()).select_from(StoredFile))
    client = make_client()
    log_in(client, make_user(db, role="producer").email)
    response = client.post(
        f"/notices/{batch.id}/objections",
        data={"candidate_id": str(other.id), "reasons": "太短了"},
        files={"evidence": ("x.exe", b"MZ\x90\x00 not a document", "application/octet-stream")},
    )
    assert response.status_code == 422
    for text in ("异议理由需 10 至 2000 个字", "请选择公示名单中的一项", "文件类型不支持"):
        assert text in response.text, text
    assert db.scalar(select(func.count()).select_from(Objection)) == 0
    assert db.scalar(select(func.count()).select_from(StoredFile)) == files_before


def test_objections_only_during_the_period(db, in_notice):
    staff, batch, c, _ = in_notice
    batch.notice_ends_on = decisions.today() - timedelta(days=1)
    db.flush()
    with pytest.raises(InvalidState, match="公示期"):
        decisions.raise_objection(
            db, user=staff, batch=batch, form={"candidate_id": str(c.id), "reasons": REASONS}, evidence=None
        )


def _objection(db, batch, c) -> Objection:
    return decisions.raise_objection(
        db,
        user=make_user(db, role="buyer"),
        batch=batch,
        form={"candidate_id": str(c.id), "reasons": REASONS},
        evidence=None,
    )


def test_an_upheld_objection_changes_the_decision_with_its_reason(db, in_notice, make_client):
    staff, batch, c, _ = in_notice
    objection = _objection(db, batch, c)
    client = make_client()
    log_in(client, staff.email)
    missing = client.post(
        f"/pool/objections/{objection.id}/handle",
        data={"version": str(objection.version), "action": "upheld", "reason": "经核实属实"},
    )
    assert missing.status_code == 422
    assert "请选择更改后的决定" in missing.text
    done = client.post(
        f"/pool/objections/{objection.id}/handle",
        data={
            "version": str(objection.version),
            "action": "upheld",
            "new_outcome": "not_accepted",
            "reason": "经核实销售数据不实",
        },
    )
    assert done.status_code == 303
    db.refresh(objection)
    decision = decisions.decision_of(db, c)
    assert (objection.status, objection.new_outcome, objection.handling_reason) == (
        "upheld",
        "not_accepted",
        "经核实销售数据不实",
    )
    assert decision.outcome == "not_accepted"
    assert "经核实销售数据不实" in decision.note
    again = client.post(
        f"/pool/objections/{objection.id}/handle",
        data={"version": str(objection.version), "action": "dismissed", "reason": "重复处理"},
    )
    assert again.status_code == 409
    page = client.get(f"/pool/batches/{batch.id}/objections")
    assert page.status_code == 200
    assert "异议成立" in page.text


def test_a_dismissed_objection_needs_a_reason_and_keeps_the_decision(db, in_notice):
    staff, batch, c, _ = in_notice
    objection = _objection(db, batch, c)
    with pytest.raises(FieldErrors) as exc:
        decisions.handle_objection(
            db, actor=staff, objection=objection, form={"action": "dismissed"}, version=objection.version
        )
    assert "reason" in exc.value.errors
    decisions.handle_objection(
        db,
        actor=staff,
        objection=objection,
        form={"action": "dismissed", "reason": "数据已由税务部门核实"},
        version=objection.version,
    )
    assert objection.status == "dismissed"
    assert decisions.decision_of(db, c).outcome == "accepted"


def test_publication_waits_for_pending_objections_and_the_end_of_the_period(db, in_notice):
    staff, batch, c, _ = in_notice
    objection = _objection(db, batch, c)
    batch.notice_ends_on = decisions.today() - timedelta(days=1)
    db.flush()
    with pytest.raises(InvalidState, match="待处理"):
        decisions.on_publish(db, batch, staff)
    decisions.handle_objection(
        db,
        actor=staff,
        objection=objection,
        form={"action": "dismissed", "reason": "经核实不属实"},
        version=objection.version,
    )
    batch.notice_ends_on = decisions.today()
    db.flush()
    with pytest.raises(InvalidState, match="期满"):
        decisions.on_publish(db, batch, staff)
    batch.notice_ends_on = decisions.today() - timedelta(days=1)
    db.flush()
    decisions.on_publish(db, batch, staff)
    finals = list(db.scalars(select(Decision.final_at).where(Decision.batch_id == batch.id)))
    assert len(finals) == 2
    assert all(finals)


def test_on_notice_inside_the_batch_transition_records_the_dates(db):
    from hotpot import workflow as _workflow  # noqa: F401  (the batch moves by its declared workflow)
    from hotpot.audit.models import AuditEvent

    staff, batch, _ = _deciding(db)
    version = batch.version
    batch.workflow.apply(db, batch, "notice", actor=staff, version=version)
    decisions.on_notice(db, batch, staff)
    assert batch.status == "notice"
    assert batch.notice_ends_on == decisions.add_working_days(decisions.today(), 5)
    actions = list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "hit_batch", AuditEvent.entity_id == str(batch.id))
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["hit_batch.notice", "hit_batch.notice_dates"]


def test_the_panel_shows_the_form_while_deciding_and_the_objections_later(db, in_notice):
    staff, batch, c, _ = in_notice
    _objection(db, batch, c)
    panel = decisions.panel(db, c, staff)
    assert panel["can_decide"] is False
    assert "异议" in panel["state_note"]
    assert len(panel["objections"]) == 1
    assert decisions.panel(db, c, make_user(db, role="buyer")) == {"hidden": True}
    staff2, _batch2, c2 = _deciding(db, accepted=False)
    fresh = decisions.panel(db, c2, staff2)
    assert fresh["can_decide"] is True
    assert fresh["decision"] is None
