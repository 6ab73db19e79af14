"""Two staff members deciding the same 爆品 candidate at once: exactly one wins, the other gets the 409 conflict page.

Changing a decision races on its version (50 pairs over 5 candidates); a first decision races on the one-decision-
per-candidate rule (50 candidates, two first decisions each at the same moment): one row, never two, never a 500.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot.hitpool.enums import Outcome
from hotpot.hitpool.models import Decision
from tests.auth.builders import make_user
from tests.concurrency.conftest import Lane, LiveApp, assert_clean, race
from tests.hitpool.builders import make_batch, make_candidate

PAIRS = 50
LANES = 5


def _note(i: int, writer: int, before=None) -> str:
    return f"并发决定第{i}对，写入方{writer}"


def test_two_staff_changing_one_decision(live: LiveApp):
    with live.write() as s:
        staff = [make_user(s, role="reviewer"), make_user(s, role="admin")]
        batch = make_batch(s, status="deciding")
        ids = []
        for _ in range(LANES):
            c = make_candidate(s, batch=batch)
            d = Decision(batch_id=batch.id, candidate_id=c.id, outcome=Outcome.accepted, note="初拟")
            s.add(d)
            s.flush()
            ids.append((c.id, d.id))
    browsers = [(live.browser(staff[0]), live.browser(staff[1])) for _ in range(LANES)]

    def lane(n: int) -> Lane:
        candidate_id, decision_id = ids[n]

        def send(w, client, i, version, before):
            form = {"version": str(version), "outcome": "revise" if w else "not_accepted", "note": _note(i, w)}
            return client.post(f"/pool/candidates/{candidate_id}/decision", data=form).status_code

        def state(s: Session):
            return s.execute(select(Decision.version, Decision.note).where(Decision.id == decision_id)).one()

        return Lane(browsers[n], send, state, _note)

    assert_clean(race(live, "hit decision form", [lane(n) for n in range(LANES)], pairs=PAIRS, loser=409))


def test_two_first_decisions_on_one_candidate(live: LiveApp):
    with live.write() as s:
        staff = [make_user(s, role="reviewer"), make_user(s, role="reviewer")]
        batch = make_batch(s, status="deciding")
        candidates = [make_candidate(s, batch=batch).id for _ in range(PAIRS)]
    clients = (live.browser(staff[0]), live.browser(staff[1]))
    outcomes: list[tuple[int, int]] = []

    def pair(candidate_id: int) -> tuple[int, int]:
        barrier = threading.Barrier(2)

        def one(w: int) -> int:
            barrier.wait(timeout=30)
            form = {"version": "0", "outcome": "accepted", "note": _note(candidate_id, w)}
            return clients[w].post(f"/pool/candidates/{candidate_id}/decision", data=form).status_code

        with ThreadPoolExecutor(2) as pool:
            a, b = pool.map(one, (0, 1))
        return a, b

    for cid in candidates:
        outcomes.append(pair(cid))
    clean = sum(1 for codes in outcomes if sorted(codes) == [303, 409])
    print(f"[concurrency] hit decision, first decision: pairs={len(outcomes)} clean={clean} answers={set(outcomes)}")
    assert clean == PAIRS, outcomes
    with live.factory() as s:
        rows = s.execute(
            select(Decision.candidate_id, func.count())
            .where(Decision.batch_id == batch.id)
            .group_by(Decision.candidate_id)
        ).all()
    assert sorted(r[0] for r in rows) == sorted(candidates)
    assert all(n == 1 for _, n in rows)
