"""Decisions: propose, change, bulk, the rules (state, note, conflicts, versions) and immutability once published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.errors import InvalidState, NotFound
from hotpot.hitpool import decisions
from hotpot.hitpool.decision_schemas import DecisionIn
from hotpot.hitpool.models import Decision, Tie
from hotpot.validation import FieldErrors, StaleVersion
from tests.auth.builders import log_in, make_user
from tests.hitpool.builders import make_batch, make_candidate, make_expert, make_review


@pytest.fixture
def scene(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="deciding", manager=staff, quota=1)
    e = make_expert(db)
    first = make_candidate(db, batch=batch)
    second = make_candidate(db, batch=batch)
    make_review(db, candidate=first, expert=e, scores=9)
    make_review(db, candidate=second, expert=e, scores=5)
    return staff, batch, first, second


def _decisions(db) -> int:
    return db.scalar(select(func.count()).select_from(Decision))


def test_propose_then_change_with_version_and_audit(db, scene):
    staff, _batch, first, _ = scene
    d = decisions.propose(db, actor=staff, candidate=first, form={"outcome": "accepted"}, version=0)
    assert (d.outcome, d.rank, d.version) == ("accepted", 1, 1)
    d = decisions.propose(
        db, actor=staff, candidate=first, form={"outcome": "revise", "note": "请补充检测报告"}, version=1
    )
    assert (d.outcome, d.note, d.version) == ("revise", "请补充检测报告", 2)
    actions = list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "hit_decision", AuditEvent.entity_id == str(d.id))
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["hit_decision.propose", "hit_decision.update"]
    with pytest.raises(StaleVersion):
        decisions.propose(db, actor=staff, candidate=first, form={"outcome": "accepted"}, version=1)


def test_a_form_that_saw_no_decision_is_stale_once_someone_decided(db, scene):
    staff, _, first, _ = scene
    decisions.propose(db, actor=staff, candidate=first, form={"outcome": "accepted"}, version=0)
    with pytest.raises(StaleVersion):
        decisions.propose(
            db, actor=make_user(db, role="admin"), candidate=first, form={"outcome": "accepted"}, version=0
        )


@pytest.mark.parametrize("outcome", ["not_accepted", "revise"])
def test_a_refusal_needs_a_note_and_nothing_is_saved(db, scene, outcome):
    staff, _, first, _ = scene
    with pytest.raises(FieldErrors) as exc:
        decisions.propose(db, actor=staff, candidate=first, form={"outcome": outcome, "note": "差"}, version=0)
    assert "说明" in exc.value.errors["note"]
    assert _decisions(db) == 0


def test_decisions_only_while_deciding(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing")
    c = make_candidate(db, batch=batch)
    with pytest.raises(InvalidState):
        decisions.decide(db, actor=staff, candidate=c, data=DecisionIn(outcome="accepted"), version=0)


def test_a_conflicted_staff_member_cannot_decide(db, scene):
    _, _, first, _ = scene
    conflicted = make_user(db, role="reviewer")
    db.add(Tie(user_id=conflicted.id, enterprise_id=first.enterprise_id, reason="曾任顾问"))
    db.flush()
    with pytest.raises(NotFound):
        decisions.propose(db, actor=conflicted, candidate=first, form={"outcome": "accepted"}, version=0)


def test_bulk_decides_the_ticked_rows_and_reports_a_stale_one(db, scene):
    staff, batch, first, second = scene
    decisions.propose(db, actor=staff, candidate=second, form={"outcome": "accepted"}, version=0)
    form = {
        "ids": [str(first.id), str(second.id)],
        f"version_{first.id}": "0",
        f"version_{second.id}": "0",  # stale: second has a decision at version 1 now
        "outcome": "not_accepted",
        "note": "本批次名额有限，建议完善后再申报",
    }
    result = decisions.decide_many(db, actor=staff, batch=batch, form=form)
    assert result.done == [first.product.name]
    assert result.stale == [second.product.name]
    assert decisions.decision_of(db, first).outcome == "not_accepted"
    assert decisions.decision_of(db, second).outcome == "accepted"
    bulk = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "hit_decision.bulk"))
    assert bulk == 1


def test_bulk_input_errors_come_in_one_round(db, scene):
    staff, batch, _, _ = scene
    with pytest.raises(FieldErrors) as exc:
        decisions.decide_many(db, actor=staff, batch=batch, form={"outcome": "revise"})
    assert set(exc.value.errors) == {"ids", "note"}
    assert _decisions(db) == 0


def test_a_published_decision_is_immutable(db, scene):
    staff, batch, first, _ = scene
    decisions.propose(db, actor=staff, candidate=first, form={"outcome": "accepted"}, version=0)
    batch.status = "notice"
    batch.notice_starts_on = decisions.today() - timedelta(days=10)
    batch.notice_ends_on = decisions.today() - timedelta(days=3)
    db.flush()
    decisions.on_publish(db, batch, staff)
    d = decisions.decision_of(db, first)
    assert d.final_at is not None
    batch.status = "deciding"  # even if the batch were moved back, the service refuses
    db.flush()
    with pytest.raises(InvalidState, match="正式发布"):
        decisions.propose(
            db, actor=staff, candidate=first, form={"outcome": "revise", "note": "改一改吧"}, version=d.version
        )
    assert decisions.decision_of(db, first).outcome == "accepted"


# --- pages ------------------------------------------------------------------------------------------------------


def test_ranking_page_and_decision_form(db, scene, make_client):
    staff, batch, first, second = scene
    c = make_client()
    log_in(c, staff.email)
    page = c.get(f"/pool/batches/{batch.id}/ranking")
    assert page.status_code == 200
    assert "入库名额线" in page.text
    assert first.product.name in page.text
    assert c.get(f"/pool/batches/{batch.id}/ranking?sort=raw").status_code == 200
    bad = c.post(f"/pool/candidates/{first.id}/decision", data={"version": "0", "outcome": "revise"})
    assert bad.status_code == 422
    assert "请写明给企业的说明" in bad.text
    assert _decisions(db) == 0
    ok = c.post(f"/pool/candidates/{first.id}/decision", data={"version": "0", "outcome": "accepted"})
    assert ok.status_code == 303
    stale = c.post(f"/pool/candidates/{first.id}/decision", data={"version": "0", "outcome": "accepted"})
    assert stale.status_code == 409
    bulk = c.post(
        f"/pool/batches/{batch.id}/decisions",
        data={"ids": [str(second.id)], f"version_{second.id}": "0", "outcome": "not_accepted", "note": "名额已满"},
    )
    assert bulk.status_code == 200
    assert "已将 1 项拟定为“不入库”" in bulk.text


def test_conflicted_staff_gets_404_on_the_candidate_routes(db, scene, make_client):
    _, batch, first, _ = scene
    conflicted = make_user(db, role="reviewer")
    db.add(Tie(user_id=conflicted.id, enterprise_id=first.enterprise_id, reason="亲属任职"))
    db.flush()
    c = make_client()
    log_in(c, conflicted.email)
    assert c.get(f"/pool/candidates/{first.id}/dossier").status_code == 404
    assert (
        c.post(f"/pool/candidates/{first.id}/decision", data={"version": "0", "outcome": "accepted"}).status_code == 404
    )
    page = c.get(f"/pool/batches/{batch.id}/ranking")
    assert page.status_code == 200
    assert f'href="/pool/candidates/{first.id}"' not in page.text
    assert 'href="/pool/candidates/' in page.text  # the other candidate is there


def test_the_dossier_shows_reviews_revisions_decision_and_history(db, scene, make_client):
    staff, _, first, _ = scene
    old = make_review(db, candidate=first, expert=make_expert(db, name="修订专家"), scores=4, status="superseded")
    old.revision_reason = None
    decisions.propose(db, actor=staff, candidate=first, form={"outcome": "accepted"}, version=0)
    c = make_client()
    log_in(c, staff.email)
    page = c.get(f"/pool/candidates/{first.id}/dossier")
    assert page.status_code == 200
    for text in ("申报档案", "修订专家", "已被修订版取代", "入库", "拟定入库决定", "市场潜力"):
        assert text in page.text, text


def test_the_ranking_page_shows_a_hundred_rows_a_page(db, make_client):
    from hotpot.hitpool.decision_routes import RANKING_PAGE

    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", quota=2)
    for _ in range(RANKING_PAGE + 2):
        make_candidate(db, batch=batch)
    c = make_client()
    log_in(c, staff.email)
    first = c.get(f"/pool/batches/{batch.id}/ranking")
    assert first.text.count('class="row-title"') == RANKING_PAGE
    assert "第 1 / 2 页" in first.text
    second = c.get(f"/pool/batches/{batch.id}/ranking?page=2")
    assert second.text.count('class="row-title"') == 2
