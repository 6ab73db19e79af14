"""Two managers moving the same assignment at once: exactly one wins, the other gets the conflict page, and the
candidate never ends up with both replacements (real threads, real connections, the app over HTTP)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from sqlalchemy import select

from hotpot.hitpool.models import Assignment
from tests.auth.builders import make_user
from tests.concurrency.conftest import live  # noqa: F401  (the live app over HTTP, its own database)
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert

PAIRS = 50


def test_fifty_double_moves_have_exactly_one_winner_each(live):  # noqa: F811
    with live.write() as s:
        manager = make_user(s, role="reviewer", display_name="并发负责人")
        admin = make_user(s, role="admin", display_name="并发管理员")
        batch = make_batch(s, status="reviewing", manager=manager, experts_per_candidate=1)
        old, left, right = (make_expert(s, name=n) for n in ("原专家", "左专家", "右专家"))
        assignments = [assign(s, make_candidate(s, batch=batch), old).id for _ in range(PAIRS)]
        ids = {"manager": SimpleNamespace(id=manager.id), "admin": SimpleNamespace(id=admin.id)}
        ids |= {"left": left.id, "right": right.id}
    browsers = (live.browser(ids["manager"]), live.browser(ids["admin"]))
    targets = (ids["left"], ids["right"])
    clean = both = neither = errors = 0
    bad: list[str] = []

    with ThreadPoolExecutor(2) as pool:
        for aid in assignments:
            barrier = threading.Barrier(2)

            def send(writer: int, aid=aid, barrier=barrier) -> int:
                barrier.wait(timeout=30)
                r = browsers[writer].post(
                    f"/pool/assignments/{aid}/move", data={"expert_id": str(targets[writer]), "reason": "并发调换测试"}
                )
                return r.status_code

            codes = list(pool.map(send, (0, 1)))
            with live.factory() as s:
                original = s.get(Assignment, aid)
                active = s.scalars(
                    select(Assignment).where(
                        Assignment.candidate_id == original.candidate_id, Assignment.ended_at.is_(None)
                    )
                ).all()
            if any(c >= 500 for c in codes):
                errors += 1
            elif sorted(codes) == [303, 409] and len(active) == 1 and original.ended_at is not None:
                winner = codes.index(303)
                if active[0].expert_id == targets[winner]:
                    clean += 1
                else:
                    bad.append(f"{aid}: winner {winner} but active expert {active[0].expert_id}")
            elif codes == [303, 303]:
                both += 1
            else:
                neither += 1
                bad.append(f"{aid}: codes {codes}, {len(active)} active")
    print(f"[concurrency] assignment moves: pairs={PAIRS} clean={clean} both={both} other={neither} 5xx={errors}")
    assert (clean, both, errors) == (PAIRS, 0, 0), bad
