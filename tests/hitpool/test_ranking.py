"""The ranking's arithmetic: normalisation per expert, disagreement, tie break, the quota line, conflicts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from hotpot.db import utcnow
from hotpot.hitpool import ranking
from hotpot.hitpool.models import Criterion, Decision, FiguresStamp, Tie
from tests.auth.builders import make_user
from tests.hitpool.builders import make_batch, make_candidate, make_expert, make_review


def _scene(db, **batch_args):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="deciding", manager=staff, **batch_args)
    return staff, batch


def test_mean_spread_and_recommendations(db):
    staff, batch = _scene(db, disagreement_threshold=20)
    c = make_candidate(db, batch=batch)
    a, b = make_expert(db), make_expert(db)
    make_review(db, candidate=c, expert=a, scores=9, recommendation="strong_accept")  # 90
    make_review(db, candidate=c, expert=b, scores=6, recommendation="borderline")  # 60
    [row] = ranking.rank(db, batch, staff)
    assert row.mean == Decimal("75.00")
    assert row.spread == Decimal("30.00")
    assert row.disagreement
    assert row.recommendations == {"strong_accept": 1, "borderline": 1}
    assert row.review_count == 2
    assert row.expected_reviews == 3
    # A single reviewer everywhere: no scale of its own, so the normalised score is the raw total.
    assert row.normalised is not None


def test_a_harsh_expert_does_not_sink_a_candidate_under_normalisation(db):
    staff, batch = _scene(db, quota=1)
    harsh, fair1, fair2 = make_expert(db), make_expert(db), make_expert(db)
    x = make_candidate(db, batch=batch)  # reviewed by the harsh expert, who liked it best of all he saw
    y = make_candidate(db, batch=batch)  # reviewed by the two fair experts
    fillers = [make_candidate(db, batch=batch) for _ in range(2)]
    # The harsh expert scores 5 / 3 / 3 (his best is x); the fair ones 8 and 9 on x-like quality.
    make_review(db, candidate=x, expert=harsh, scores=6)  # 60: his top mark
    make_review(db, candidate=fillers[0], expert=harsh, scores=3)
    make_review(db, candidate=fillers[1], expert=harsh, scores=3)
    make_review(db, candidate=x, expert=fair1, scores=9)  # 90: fair1's top mark too
    make_review(db, candidate=y, expert=fair1, scores=8)
    make_review(db, candidate=fillers[0], expert=fair1, scores=5)
    make_review(db, candidate=y, expert=fair2, scores=8)
    make_review(db, candidate=fillers[1], expert=fair2, scores=6)

    raw = ranking.rank(db, batch, staff, sort="raw")
    assert [r.candidate_id for r in raw][:2] == [y.id, x.id]  # raw: 75 < 80, the harsh mark sinks x
    norm = ranking.rank(db, batch, staff, sort="normalised")
    assert norm[0].candidate_id == x.id  # top of both its experts' lists: first
    assert norm[0].above_quota
    assert not norm[1].above_quota
    assert ranking.quota_line_after(norm, batch) == 1
    # Normalised scores stay on the 0-100 scale.
    assert all(Decimal(0) <= r.normalised <= Decimal(100) for r in norm)


def test_ties_are_broken_by_the_declared_criterion(db):
    staff, batch = _scene(db, tie_break="criterion", tie_criterion_code="market")
    e = make_expert(db)
    low_market = make_candidate(db, batch=batch)
    high_market = make_candidate(db, batch=batch)
    # Equal weighted totals (market weight 25, innovation 15, quality 20 ...): swap 3 market points for 5 quality.
    base = {"market": 6, "innovation": 7, "quality": 7, "brand": 7, "capacity": 7, "local": 7}
    make_review(db, candidate=low_market, expert=e, scores={**base, "market": 4, "quality": 9.5})
    make_review(db, candidate=high_market, expert=e, scores={**base, "market": 8, "quality": 4.5})
    rows = ranking.rank(db, batch, staff, sort="raw")
    assert rows[0].mean == rows[1].mean
    assert [r.candidate_id for r in rows] == [high_market.id, low_market.id]
    assert rows[0].tie_value == Decimal("8.00")


def test_ties_are_broken_by_the_earlier_application(db):
    staff, batch = _scene(db, tie_break="earlier")
    e = make_expert(db)
    now = utcnow()
    late = make_candidate(db, batch=batch, first_submitted_at=now)
    early = make_candidate(db, batch=batch, first_submitted_at=now - timedelta(days=2))
    make_review(db, candidate=late, expert=e, scores=7)
    make_review(db, candidate=early, expert=e, scores=7)
    rows = ranking.rank(db, batch, staff, sort="raw")
    assert [r.candidate_id for r in rows] == [early.id, late.id]
    assert [r.rank for r in rows] == [1, 2]


def test_only_passed_or_decided_candidates_and_only_current_reviews_count(db):
    staff, batch = _scene(db)
    e = make_expert(db)
    passed = make_candidate(db, batch=batch)
    make_candidate(db, batch=batch, status="returned")
    current = make_review(db, candidate=passed, expert=e, scores=8)
    current.revision = 2
    db.flush()
    make_review(db, candidate=passed, expert=e, scores=5, status="superseded")  # revision 1, replaced
    make_review(db, candidate=passed, expert=make_expert(db), scores=2, status="draft")
    rows = ranking.rank(db, batch, staff)
    assert [r.candidate_id for r in rows] == [passed.id]
    assert rows[0].mean == Decimal("80.00")
    assert rows[0].review_count == 1


def test_unscored_candidates_come_last_and_are_not_above_the_quota(db):
    staff, batch = _scene(db, quota=5)
    scored = make_candidate(db, batch=batch)
    unscored = make_candidate(db, batch=batch)
    make_review(db, candidate=scored, expert=make_expert(db), scores=5)
    rows = ranking.rank(db, batch, staff)
    assert [r.candidate_id for r in rows] == [scored.id, unscored.id]
    assert rows[1].above_quota is False
    assert rows[1].normalised is None


def test_a_conflicted_staff_member_does_not_see_the_row(db):
    staff, batch = _scene(db)
    conflicted = make_user(db, role="reviewer")
    e = make_expert(db)
    mine = make_candidate(db, batch=batch)
    other = make_candidate(db, batch=batch)
    make_review(db, candidate=mine, expert=e, scores=9)
    make_review(db, candidate=other, expert=e, scores=6)
    db.add(Tie(user_id=conflicted.id, enterprise_id=mine.enterprise_id, reason="亲属任职"))
    db.flush()
    seen = ranking.rank(db, batch, conflicted)
    assert [r.candidate_id for r in seen] == [other.id]
    assert seen[0].rank == 1  # the hidden row leaves no gap that would tell its place
    full = {r.candidate_id: r for r in ranking.rank(db, batch, staff)}
    assert full[other.id].normalised == seen[0].normalised  # the same scale for every viewer


def test_the_ranking_reads_a_fixed_number_of_queries(db):
    from sqlalchemy import event

    staff, batch = _scene(db)
    experts = [make_expert(db) for _ in range(4)]
    for n in range(12):
        c = make_candidate(db, batch=batch)
        for e in experts[: 2 + n % 3]:
            make_review(db, candidate=c, expert=e, scores=4 + n % 6)
    db.expire_all()
    batch = db.get(type(batch), batch.id)
    assert staff.role
    assert staff.enterprise_id is None
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.bind, "before_cursor_execute", count)
    try:
        ranking.rank(db, batch, staff)
    finally:
        event.remove(db.bind, "before_cursor_execute", count)
    # The viewer's ties, the tie criterion, the candidates, the reviews: whatever the number of rows.
    assert len(statements) <= 4, statements


# --- the figures each process keeps (ranking.batch_figures under the batch's FiguresStamp) ---------------------


def _stamp(db, batch):
    return db.scalar(select(FiguresStamp.stamp).where(FiguresStamp.batch_id == batch.id))


def test_unchanged_figures_are_read_once_and_kept(db):
    _, batch = _scene(db)
    c = make_candidate(db, batch=batch)
    make_review(db, candidate=c, expert=make_expert(db), scores=8)
    first = ranking.batch_figures(db, batch)
    assert ranking.batch_figures(db, batch) is first  # the same stamp: the kept figures, not a new computation
    assert first[c.id].mean == Decimal("80.00")


def test_a_draft_does_not_renew_the_stamp(db):
    _, batch = _scene(db)
    c = make_candidate(db, batch=batch)
    make_review(db, candidate=c, expert=make_expert(db), scores=8)
    before = _stamp(db, batch)
    draft = make_review(db, candidate=c, expert=make_expert(db), scores=3, status="draft")
    draft.scores[0].score = Decimal("4")
    draft.comment = "还在写"
    db.flush()
    assert _stamp(db, batch) == before  # an expert saving a draft does not throw the batch's figures away


def test_every_change_the_figures_read_shows_at_once(db):
    staff, batch = _scene(db, tie_break="criterion", tie_criterion_code="market")
    a, b = make_expert(db), make_expert(db)
    c = make_candidate(db, batch=batch)
    other = make_candidate(db, batch=batch)
    first = make_review(db, candidate=c, expert=a, scores=8)
    make_review(db, candidate=other, expert=a, scores=6)

    def row():
        return {r.candidate_id: r for r in ranking.rank(db, batch, staff)}.get(c.id)

    assert (row().review_count, row().mean) == (1, Decimal("80.00"))

    second = make_review(db, candidate=c, expert=b, scores=6)  # a review submitted
    assert (row().review_count, row().mean) == (2, Decimal("70.00"))

    second.weighted_total = Decimal("90.00")  # a submitted review changed in place (a hand-run fix)
    db.flush()
    assert row().mean == Decimal("85.00")

    market = next(s for s in first.scores if db.get(Criterion, s.criterion_id).code == "market")
    market.score = Decimal("2")  # a score of a current review
    db.flush()
    assert row().tie_value == Decimal("4.00")  # (2 + 6) / 2

    second.status = "superseded"  # superseded by a revision
    db.flush()
    assert (row().review_count, row().mean) == (1, Decimal("80.00"))

    db.delete(first)  # a current review removed
    db.flush()
    gone = row()
    assert gone.review_count == 0
    assert gone.mean is None

    make_review(db, candidate=c, expert=a, scores=5)
    c.status = "returned"  # the candidate leaves the ranking: the batch's scale no longer counts its review
    db.flush()
    assert row() is None
    assert ranking.batch_figures(db, batch).keys() == {other.id}

    db.add(Decision(batch_id=batch.id, candidate_id=c.id, outcome="not_accepted"))  # a decision brings it back
    db.flush()
    assert row().mean == Decimal("50.00")
