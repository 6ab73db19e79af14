"""The random draw (随机抽取): deterministic by seed, fields first, loads balanced, conflicts never drawn, shortfall
reported, and a re-check that catches a tampered record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.errors import InvalidState, NotAllowed
from hotpot.hitpool import assignment
from hotpot.hitpool.models import Assignment, Draw, Tie
from tests.auth.builders import make_user
from tests.enterprises.builders import make_enterprise, make_product
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert


def _inputs(n_cands=6, n_experts=5, per=3, kind="shuifa", fields=("shuifa",)):
    return {
        "per_candidate": per,
        "candidates": [{"id": 100 + i, "kind": kind, "assigned": []} for i in range(n_cands)],
        "experts": [{"id": 1 + j, "fields": list(fields), "load": 0} for j in range(n_experts)],
        "excluded": [],
        "removed": [],
    }


def test_same_inputs_and_seed_give_the_same_result_and_another_seed_another():
    inputs = _inputs(n_cands=20, n_experts=9)
    first = assignment.compute(inputs, "abc123")
    assert first == assignment.compute(inputs, "abc123")
    others = {tuple(map(tuple, assignment.compute(inputs, f"seed{i}"))) for i in range(5)}
    assert len(others) > 1, "the seed must change the draw"


def test_loads_differ_by_at_most_one_when_fields_allow():
    inputs = _inputs(n_cands=17, n_experts=7, per=3)
    result = assignment.compute(inputs, "balance")
    loads = {}
    for _, e in result:
        loads[e] = loads.get(e, 0) + 1
    assert len(result) == 17 * 3
    assert max(loads.values()) - min(loads.values()) <= 1
    # never the same expert twice on one candidate
    assert len({tuple(p) for p in result}) == len(result)


def test_matching_fields_are_drawn_first_then_disciplines():
    inputs = _inputs(n_cands=1, n_experts=0, per=3, kind="rou")
    inputs["experts"] = [
        {"id": 1, "fields": ["shucai"], "load": 0},  # neither the kind nor a discipline
        {"id": 2, "fields": ["rou", "quality"], "load": 5},  # the kind, even though loaded
        {"id": 3, "fields": ["marketing"], "load": 0},  # a discipline
        {"id": 4, "fields": ["finance"], "load": 0},  # a discipline
    ]
    for seed in ("a", "b", "c", "d"):
        result = assignment.compute(inputs, seed)
        assert result[0] == [100, 2]
        assert {e for _, e in result[1:]} == {3, 4}


def test_conflicts_are_never_drawn_and_the_shortfall_is_reported():
    inputs = _inputs(n_cands=3, n_experts=4, per=3)
    inputs["excluded"] = [[100, 1], [100, 2]]
    for seed in ("x", "y", "z"):
        result = assignment.compute(inputs, seed)
        assert [100, 1] not in result
        assert [100, 2] not in result
        assert assignment.shortfall(inputs, result) == {100: 1}


def test_draw_records_seed_inputs_result_and_assignments(db):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=2)
    experts = [make_expert(db, fields=("shuifa",)) for _ in range(4)]
    cands = [make_candidate(db, batch=batch) for _ in range(3)]
    outcome = assignment.draw(db, batch, manager, seed="fixedseed")
    record = outcome.draw
    assert record.seed == "fixedseed"
    assert record.algorithm == "draw-v1"
    assert outcome.shortfall == {}
    assert {c["id"] for c in record.inputs["candidates"]} == {c.id for c in cands}
    assert {e["id"] for e in record.inputs["experts"]} >= {e.id for e in experts}
    rows = db.scalars(select(Assignment).where(Assignment.draw_id == record.id)).all()
    assert sorted([a.candidate_id, a.expert_id] for a in rows) == sorted(record.result)
    assert all(a.source == "draw" for a in rows)
    assert len(rows) == 6
    assert assignment.recheck(record).matches
    # one audit event for the whole draw
    events = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "hit_assignment.draw"))
    assert events == 1
    # a second draw finds nothing to fill and records nothing
    again = assignment.draw(db, batch, manager)
    assert again.draw is None
    assert db.scalar(select(func.count()).select_from(Draw).where(Draw.batch_id == batch.id)) == 1


def test_draw_without_a_seed_makes_one(db):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="screening", manager=manager, experts_per_candidate=1)
    make_expert(db)
    make_candidate(db, batch=batch)
    record = assignment.draw(db, batch, manager).draw
    assert len(record.seed) == 16
    assert int(record.seed, 16) >= 0


def test_draw_avoids_declared_and_known_ties_and_fills_only_what_is_missing(db):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=3)
    enterprise = make_enterprise(db)
    cand = make_candidate(db, batch=batch, enterprise=enterprise)
    tied = make_expert(db)
    db.add(Tie(user_id=tied.user_id, enterprise_id=enterprise.id, reason="曾任顾问"))
    # an expert whose account belongs to the enterprise itself: a tie the platform knows
    staffer = make_user(db, role="expert")
    staffer.enterprise_id = enterprise.id
    own = make_expert(db, user=staffer)
    already = make_expert(db)
    assign(db, cand, already)
    free = [make_expert(db) for _ in range(1)]
    db.flush()
    outcome = assignment.draw(db, batch, manager, seed="s")
    drawn = {e for _, e in outcome.pairs}
    assert tied.id not in drawn
    assert own.id not in drawn
    assert already.id not in drawn
    assert drawn == {free[0].id}
    assert outcome.shortfall == {cand.id: 1}
    assert [cand.id, tied.id] in outcome.draw.inputs["excluded"]
    assert [cand.id, own.id] in outcome.draw.inputs["excluded"]


def test_inactive_experts_are_not_drawn(db):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=2)
    make_candidate(db, batch=batch)
    off = make_expert(db, active=False)
    on = make_expert(db)
    outcome = assignment.draw(db, batch, manager, seed="s")
    assert {e for _, e in outcome.pairs} == {on.id}
    assert off.id not in {e["id"] for e in outcome.draw.inputs["experts"]}


def test_recheck_detects_a_tampered_result(db):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=1)
    experts = [make_expert(db) for _ in range(3)]
    make_candidate(db, batch=batch)
    record = assignment.draw(db, batch, manager, seed="t").draw
    chosen = record.result[0][1]
    other = next(e.id for e in experts if e.id != chosen)
    record.result = [[record.result[0][0], other]]
    db.flush()
    check = assignment.recheck(record)
    assert not check.matches
    assert check.differences == 2
    assert "不一致" in check.message
    record.result = [list(p) for p in check.recomputed]
    record.seed = "other-seed-that-gives-another-draw"
    # a changed seed is caught too, unless it happens to give the same pairs
    assert assignment.recheck(record).matches == (assignment.compute(record.inputs, record.seed) == record.result)


def test_fields_first_in_a_real_batch(db):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=1)
    product = make_product(db)
    cand = make_candidate(db, batch=batch, product=product)
    matching = make_expert(db, fields=(product.kind_code,))
    others = [make_expert(db, fields=("finance",)) for _ in range(3)]
    outcome = assignment.draw(db, batch, manager, seed="k")
    assert outcome.pairs == [[cand.id, matching.id]]
    assert others


def test_only_the_manager_or_an_admin_draws_and_only_while_screening_or_reviewing(db):
    manager = make_user(db, role="reviewer")
    other = make_user(db, role="reviewer")
    admin = make_user(db, role="admin")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=1)
    make_expert(db)
    make_candidate(db, batch=batch)
    with pytest.raises(NotAllowed):
        assignment.draw(db, batch, other)
    assert assignment.draw(db, batch, admin, seed="adm").draw is not None
    closed = make_batch(db, status="deciding", manager=manager)
    with pytest.raises(InvalidState):
        assignment.draw(db, closed, manager)


def test_the_draw_page_shows_seed_result_and_recheck(db, make_client):
    from tests.auth.builders import log_in

    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager, experts_per_candidate=2)
    make_expert(db, name="王抽取")
    make_candidate(db, batch=batch)
    client = make_client()
    log_in(client, manager.email)
    client.get(f"/pool/batches/{batch.id}/assignments")
    response = client.post(f"/pool/batches/{batch.id}/draw", data={"seed": "page-seed"})
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "page-seed" in page.text
    assert "复核一致" in page.text
    assert "缺 1 位" in page.text  # one expert in the pool, two wanted
    bad = client.post(f"/pool/batches/{batch.id}/draw", data={"seed": "不合法的种子"})
    assert bad.status_code == 422
    assert "格式不正确" in bad.text
