"""The assignment matrix and single assignments: conflict cells, review state, a fixed number of queries, adding by
hand (refused when conflicted or already assigned), moving with a reason (refused once reviewed)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from hotpot.audit.models import AuditEvent
from hotpot.errors import Conflict, NotAllowed
from hotpot.hitpool import access, assignment
from hotpot.hitpool.models import Assignment, Tie
from hotpot.validation import FieldErrors
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_enterprise
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review


@pytest.fixture
def scene(db):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=2)
    enterprise = make_enterprise(db)
    cand = make_candidate(db, batch=batch, enterprise=enterprise)
    a, b, c = (make_expert(db, name=n) for n in ("甲专家", "乙专家", "丙专家"))
    tied = make_expert(db, name="关联专家")
    db.add(Tie(user_id=tied.user_id, enterprise_id=enterprise.id, reason="持股"))
    db.flush()
    first = assign(db, cand, a, by=manager)
    second = assign(db, cand, b, by=manager)
    make_review(db, candidate=cand, expert=b)
    return {
        "manager": manager,
        "batch": batch,
        "cand": cand,
        "a": a,
        "b": b,
        "c": c,
        "tied": tied,
        "first": first,
        "second": second,
    }


def test_matrix_marks_assigned_reviewed_and_conflicted_cells(db, scene):
    m = assignment.matrix(db, scene["batch"], scene["manager"])
    row = m.rows[0]
    assert row.cell(scene["a"].id).assignment is not None
    assert not row.cell(scene["a"].id).reviewed
    assert row.cell(scene["b"].id).reviewed
    assert row.cell(scene["tied"].id).conflicted
    assert row.cell(scene["tied"].id).assignment is None
    assert row.cell(scene["c"].id).assignment is None
    assert not row.cell(scene["c"].id).conflicted
    assert row.missing == 0
    assert m.counts == {"passed": 1, "lacking": 0, "assignments": 2, "reviews": 1}
    assert m.can_manage
    assert m.can_assign


def test_matrix_runs_a_fixed_number_of_queries_whatever_its_size(db, connection):
    manager = make_user(db, role="reviewer")

    def build(n_cands, n_experts):
        batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=2)
        experts = [make_expert(db) for _ in range(n_experts)]
        for i in range(n_cands):
            cand = make_candidate(db, batch=batch)
            assign(db, cand, experts[i % n_experts])
            assign(db, cand, experts[(i + 1) % n_experts])
        return batch

    small, big = build(2, 3), build(25, 12)
    counted = []

    def count(conn, cursor, statement, *_args):
        counted.append(statement.split("FROM")[1][:60] if "FROM" in statement else statement[:60])

    def queries(batch):
        db.expire_all()
        access.forget(db)  # the per-request memo of conflicts: each call is a fresh request
        counted.clear()
        event.listen(connection, "before_cursor_execute", count)
        try:
            m = assignment.matrix(db, batch, manager)
            for row in m.rows:  # what the template reads
                for a in row.active:
                    _ = (a.expert.name, row.candidate.product.name, row.candidate.enterprise.name)
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(counted)

    big_n = queries(big)
    big_q = list(counted)
    small_n = queries(small)
    assert big_n == small_n, (big_q, counted)
    assert big_n <= 15


def test_add_by_hand_is_refused_when_conflicted_or_already_assigned(db, scene):
    manager, batch, cand = scene["manager"], scene["batch"], scene["cand"]
    with pytest.raises(FieldErrors) as conflicted:
        assignment.add(db, batch, actor=manager, candidate=cand, expert=scene["tied"], reason="测试")
    assert "利益关联" in conflicted.value.errors["expert_id"]
    with pytest.raises(FieldErrors) as twice:
        assignment.add(db, batch, actor=manager, candidate=cand, expert=scene["a"], reason="测试")
    assert "已是该申报的评审专家" in twice.value.errors["expert_id"]
    added = assignment.add(db, batch, actor=manager, candidate=cand, expert=scene["c"], reason="需要第三位意见")
    assert added.source == "manual"
    assert added.reason == "需要第三位意见"
    with pytest.raises(NotAllowed):
        assignment.add(db, batch, actor=make_user(db, role="reviewer"), candidate=cand, expert=scene["c"], reason="x")


def test_move_ends_the_old_assignment_and_creates_a_manual_one(db, scene):
    manager = scene["manager"]
    new = assignment.move(db, scene["first"], actor=manager, expert=scene["c"], reason="甲专家出差")
    db.refresh(scene["first"])
    assert scene["first"].ended_at is not None
    assert scene["first"].end_reason == "调换：甲专家出差"
    assert new.expert_id == scene["c"].id
    assert new.source == "manual"
    assert new.ended_at is None
    event_ = db.scalars(select(AuditEvent).where(AuditEvent.action == "hit_assignment.move")).one()
    assert event_.after["new_expert_id"] == scene["c"].id
    with pytest.raises(Conflict):  # already moved
        assignment.move(db, scene["first"], actor=manager, expert=scene["a"], reason="再调")
    with pytest.raises(Conflict) as reviewed:  # 乙 submitted a review
        assignment.move(db, scene["second"], actor=manager, expert=scene["a"], reason="调走")
    assert "已提交评审意见" in reviewed.value.message
    with pytest.raises(FieldErrors):  # to a conflicted expert
        assignment.move(db, new, actor=manager, expert=scene["tied"], reason="调换")
    db.refresh(new)
    assert new.ended_at is None


def test_the_matrix_page_for_the_manager_and_read_only_for_other_staff(db, scene, make_client):
    manager, batch = scene["manager"], scene["batch"]
    client = make_client()
    log_in(client, manager.email)
    page = client.get(f"/pool/batches/{batch.id}/assignments")
    assert page.status_code == 200
    assert "开始抽取" in page.text
    assert "甲专家" in page.text
    matrix = client.get(f"/pool/batches/{batch.id}/assignments?view=matrix")
    assert "回避" in matrix.text
    assert "已评" in matrix.text
    other = make_client()
    log_in(other, make_user(db, role="reviewer").email)
    ro = other.get(f"/pool/batches/{batch.id}/assignments")
    assert ro.status_code == 200
    assert "只读" in ro.text
    assert "开始抽取" not in ro.text
    other.get("/pool/experts")
    refused = other.post(
        f"/pool/assignments/{scene['first'].id}/move", data={"expert_id": scene["c"].id, "reason": "x"}
    )
    assert refused.status_code == 403


def test_http_add_and_move_with_errors_next_to_the_field(db, scene, make_client):
    manager, batch, cand = scene["manager"], scene["batch"], scene["cand"]
    client = make_client()
    log_in(client, manager.email)
    client.get(f"/pool/batches/{batch.id}/assignments")
    bad = client.post(
        f"/pool/batches/{batch.id}/assignments",
        data={"candidate_id": cand.id, "expert_id": scene["tied"].id, "reason": "请评审"},
    )
    assert bad.status_code == 422
    assert "须回避" in bad.text
    missing = client.post(f"/pool/batches/{batch.id}/assignments", data={"candidate_id": cand.id})
    assert missing.status_code == 422
    assert missing.text.count("此项为必填项") == 2
    ok = client.post(
        f"/pool/batches/{batch.id}/assignments",
        data={"candidate_id": cand.id, "expert_id": scene["c"].id, "reason": "补充意见"},
    )
    assert ok.status_code == 303
    no_reason = client.post(f"/pool/assignments/{scene['first'].id}/move", data={"expert_id": scene["tied"].id})
    assert no_reason.status_code == 422
    assert "此项为必填项" in no_reason.text
    db.refresh(scene["first"])
    assert scene["first"].ended_at is None
    active = db.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.candidate_id == cand.id, Assignment.ended_at.is_(None))
    )
    assert active == 3


def test_a_conflicted_staff_member_does_not_see_the_candidate_in_the_matrix(db, scene):
    staff = make_user(db, role="reviewer")
    db.add(Tie(user_id=staff.id, enterprise_id=scene["cand"].enterprise_id, reason="亲属"))
    db.flush()
    assert assignment.matrix(db, scene["batch"], staff).rows == []


def test_the_lacking_filter_shows_only_candidates_that_need_experts(db, scene, make_client):
    needy = make_candidate(db, batch=scene["batch"])
    m = assignment.matrix(db, scene["batch"], scene["manager"], lacking=True)
    assert [r.candidate.id for r in m.rows] == [needy.id]
    assert m.counts["lacking"] == 1
    client = make_client()
    log_in(client, scene["manager"].email)
    page = client.get(f"/pool/batches/{scene['batch'].id}/assignments?lacking=1&view=matrix")
    assert page.status_code == 200
    assert "专家不足的申报" in page.text
