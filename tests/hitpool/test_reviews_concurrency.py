"""Two tabs submitting the same review at once: exactly one wins, the other gets the 409 page, nothing is overwritten.

Real threads on real connections against the live app (tests/concurrency/conftest.py): 50 pairs submitting the same
draft, 50 pairs submitting the same revision (the old review must be superseded exactly once) and 50 pairs sending
a first review from two empty forms. Figures are printed (`pytest -s`).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from hotpot.auth.models import User
from hotpot.hitpool import access, reviews
from hotpot.hitpool.models import Batch, Candidate, Review
from tests.auth.builders import make_user
from tests.concurrency.conftest import LiveApp, live  # noqa: F401  (the live app fixture)
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review

LANES = 5
PER_LANE = 10  # 5 x 10 = 50 pairs per kind
SCORES = (8, 6)  # writer 0 scores every criterion 8 (total 80), writer 1 scores 6 (total 60)


@dataclass
class Lane:
    expert_user_id: int
    candidate_ids: list[int]
    tabs: tuple[httpx.Client, httpx.Client]


@dataclass
class Tally:
    kind: str
    pairs: int = 0
    clean: int = 0
    overlapped: int = 0  # the loser's request began before the winner's answer came back
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"[concurrency] {self.kind}: pairs={self.pairs} clean={self.clean} overlapped={self.overlapped} "
            f"problems={len(self.problems)}"
        )


@pytest.fixture(scope="module")
def scene(live: LiveApp) -> tuple[list[Lane], dict[int, int]]:  # noqa: F811
    lanes: list[Lane] = []
    with live.write() as s:
        staff = make_user(s, role="reviewer")
        batch = make_batch(s, status="reviewing", manager=staff)
        rubric = {c.id: c for c in batch.criteria}
        built = []
        for n in range(LANES):
            expert = make_expert(s, name=f"并发专家{n}")
            ids = []
            for _ in range(3 * PER_LANE):  # draft pairs, revision pairs, fresh pairs
                candidate = make_candidate(s, batch=batch)
                assign(s, candidate, expert, by=staff)
                ids.append(candidate.id)
            built.append((expert.user_id, ids))
        batch_id = batch.id
        assert len(rubric) == 6
    for user_id, ids in built:
        with live.write() as s:
            user = s.get(User, user_id)
        lanes.append(Lane(user_id, ids, (live.browser(user), live.browser(user))))
    return lanes, {"batch": batch_id}


def _form(app: LiveApp, batch_id: int, writer: int, review_id: int | None) -> dict[str, str]:
    with app.factory() as s:
        criteria = s.get(Batch, batch_id).criteria
        form = {f"score_{c.id}": str(SCORES[writer]) for c in criteria}
    form.update(recommendation="accept", confidence="4", comment=f"并发提交，写入方{writer}", action="submit")
    if review_id is not None:
        form["review_id"] = str(review_id)
    return form


def _rows(app: LiveApp, candidate_id: int) -> list[Review]:
    with app.factory() as s:
        rows = list(s.scalars(select(Review).where(Review.candidate_id == candidate_id).order_by(Review.revision)))
        for r in rows:
            _ = [x.score for x in r.scores]
        s.expunge_all()
    return rows


def _race(app: LiveApp, kind: str, lanes: list[Lane], batch_id: int, slot: int, prepare, check) -> Tally:
    """For each lane's candidates of `slot`: prepare(session, lane, candidate_id) -> review_id to submit (or None),
    both tabs submit at once, check(rows, winner) -> problem or None."""
    tally = Tally(kind)
    lock = threading.Lock()

    def run_lane(lane: Lane) -> None:
        with ThreadPoolExecutor(2) as pool:
            for cid in lane.candidate_ids[slot * PER_LANE : (slot + 1) * PER_LANE]:
                with app.write() as s:
                    review_id = prepare(s, lane, cid)
                forms = [_form(app, batch_id, w, review_id) for w in (0, 1)]
                barrier = threading.Barrier(2)

                def send(w: int, cid=cid, forms=forms, barrier=barrier) -> tuple[int, float, float, str]:
                    barrier.wait(timeout=30)
                    started = time.monotonic()
                    r = lane.tabs[w].post(f"/expert/candidates/{cid}/review", data=forms[w])
                    return r.status_code, started, time.monotonic(), r.text

                answers = list(pool.map(send, (0, 1)))
                codes = [a[0] for a in answers]
                rows = _rows(app, cid)
                with lock:
                    tally.pairs += 1
                    won = [w for w, c in enumerate(codes) if c == 303]
                    if len(won) != 1 or codes[1 - won[0]] != 409:
                        tally.problems.append(f"candidate {cid}: answers {codes}")
                        continue
                    winner, loser = won[0], 1 - won[0]
                    if "本次提交没有保存" not in answers[loser][3] and "本次内容没有保存" not in answers[loser][3]:
                        tally.problems.append(f"candidate {cid}: the loser's page does not say why")
                        continue
                    problem = check(rows, winner)
                    if problem:
                        tally.problems.append(f"candidate {cid}: {problem}")
                        continue
                    tally.clean += 1
                    if answers[loser][1] < answers[winner][2]:
                        tally.overlapped += 1

    with ThreadPoolExecutor(len(lanes)) as lanes_pool:
        list(lanes_pool.map(run_lane, lanes))
    print(tally.line())
    return tally


def _holds(review: Review, writer: int) -> str | None:
    expected = Decimal(SCORES[writer] * 10)
    if review.weighted_total != expected:
        return f"total {review.weighted_total}, the winner sent {expected}"
    if {s.score for s in review.scores} != {Decimal(SCORES[writer])}:
        return f"scores {sorted(s.score for s in review.scores)} are not the winner's"
    if review.comment != f"并发提交，写入方{writer}":
        return "the comment is not the winner's"
    return None


def _assert_clean(tally: Tally) -> None:
    assert tally.pairs == LANES * PER_LANE
    assert tally.problems == [], tally.problems[:5]
    assert tally.clean == tally.pairs
    assert tally.overlapped > 0, "no pair really raced"


def test_two_tabs_submitting_one_draft(live, scene):  # noqa: F811
    lanes, ids = scene

    def prepare(s, lane, cid):
        expert = access.expert_of(s, s.get(User, lane.expert_user_id))
        return make_review(s, candidate=s.get(Candidate, cid), expert=expert, status="draft", scores=5).id

    def check(rows, winner):
        if len(rows) != 1 or rows[0].status != "submitted" or rows[0].revision != 1:
            return f"rows {[(r.revision, r.status) for r in rows]}"
        return _holds(rows[0], winner)

    _assert_clean(_race(live, "review: one draft, two submits", lanes, ids["batch"], 0, prepare, check))


def test_two_tabs_submitting_one_revision(live, scene):  # noqa: F811
    lanes, ids = scene

    def prepare(s, lane, cid):
        user = s.get(User, lane.expert_user_id)
        candidate = s.get(Candidate, cid)
        make_review(s, candidate=candidate, expert=access.expert_of(s, user), scores=5)
        return reviews.revise(s, user=user, candidate=candidate, reason="并发修订").id

    def check(rows, winner):
        states = [(r.revision, str(r.status)) for r in rows]
        if states != [(1, "superseded"), (2, "submitted")]:
            return f"rows {states}"
        if rows[0].weighted_total != Decimal("50.00") or {s.score for s in rows[0].scores} != {Decimal(5)}:
            return "the superseded review was changed"
        if rows[1].supersedes_id != rows[0].id or rows[0].superseded_at is None:
            return "the revision does not record what it superseded"
        return _holds(rows[1], winner)

    _assert_clean(_race(live, "review: one revision, two submits", lanes, ids["batch"], 1, prepare, check))


def test_two_empty_forms_sending_a_first_review(live, scene):  # noqa: F811
    lanes, ids = scene

    def check(rows, winner):
        if len(rows) != 1 or rows[0].status != "submitted":
            return f"rows {[(r.revision, r.status) for r in rows]}"
        return _holds(rows[0], winner)

    _assert_clean(_race(live, "review: two first reviews", lanes, ids["batch"], 2, lambda s, lane, cid: None, check))
