"""Two staff members check the same milestone at the same moment, 50 times over real connections: exactly one check
is kept each time, the other gets the conflict page, and the row holds the winner's result (0 silent overwrites).

The app runs under uvicorn on loopback against a committed database of its own (not the rolled-back `db`), so the
two requests really race on their own pooled connections.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from hotpot import migrate
from hotpot.audit.models import AuditEvent
from hotpot.db import make_engine, make_session_factory, transaction, utcnow
from hotpot.hitpool import incubation
from hotpot.hitpool.enums import KpiKind, MilestoneStatus, Outcome
from hotpot.hitpool.models import Decision, Milestone
from hotpot.main import create_app
from tests.auth.builders import make_user
from tests.concurrency.conftest import LiveApp
from tests.conftest import fresh_database
from tests.hitpool.builders import make_batch, make_candidate
from tests.live import served_in_thread

PAIRS = 50


@pytest.fixture(scope="module")
def live(server_url):
    url = fresh_database(server_url, "hotpot_incubation_race")
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=6, max_overflow=2)
    factory = make_session_factory(engine)
    from hotpot.reference import service as reference

    with transaction(factory) as s:
        reference.load_reference(s)
    app = create_app(engine=engine, session_factory=factory)
    with served_in_thread(app, name="uvicorn-incubation") as base_url:
        state = LiveApp(base_url=base_url, engine=engine, factory=factory)

        @event.listens_for(engine, "after_cursor_execute")
        def _count_refusals(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip()[:6].upper() == "UPDATE" and ".version = " in statement and cursor.rowcount == 0:
                with state.lock:
                    state.refused_in_db += 1

        yield state
        for client in state.clients:
            client.close()
    engine.dispose()


def test_two_staff_checking_one_milestone_exactly_one_wins(live):
    with live.write() as s:
        staff = [make_user(s, role="reviewer", display_name=f"核查员{i}") for i in range(2)]
        batch = make_batch(s, status="published", published_at=utcnow())
        candidate = make_candidate(s, batch=batch)
        s.add(Decision(batch_id=batch.id, candidate_id=candidate.id, outcome=Outcome.accepted, final_at=utcnow()))
        s.flush()
        (plan,) = incubation.start_plans(s, batch, None)
        milestones = [
            Milestone(
                plan_id=plan.id,
                title=f"并发核查里程碑{i}",
                due_on=incubation.today() + timedelta(days=30 + i),
                kpi=KpiKind.sales,
                target_value=100,
                target_unit="万元",
                status=MilestoneStatus.reported,
            )
            for i in range(PAIRS)
        ]
        s.add_all(milestones)
        s.flush()
        targets = [(m.id, m.version) for m in milestones]
    browsers = [live.browser(u) for u in staff]
    results = {0: "achieved", 1: "missed"}

    def pair(i: int) -> tuple[list[int], str, str, int, int]:
        milestone_id, version = targets[i]
        barrier = threading.Barrier(2)

        def one(w: int) -> int:
            form = {"result": results[w], "note": f"第{i}对核查，核查员{w}", "version": str(version)}
            barrier.wait(timeout=30)
            return browsers[w].post(f"/pool/milestones/{milestone_id}/check", data=form).status_code

        with ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(one, (0, 1)))
        with live.factory() as s:
            m = s.get(Milestone, milestone_id)
            checks = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "hit_milestone.check", AuditEvent.entity_id == str(milestone_id))
            )
            return codes, str(m.status), m.check_note, m.version - version, checks

    refused_before = live.refused_in_db
    outcomes = [pair(i) for i in range(PAIRS)]
    clean = 0
    for i, (codes, status, note, bumps, checks) in enumerate(outcomes):
        assert all(c < 500 for c in codes), (i, codes)
        assert sorted(codes) == [303, 409], (i, codes)  # one kept, the other told: never two "saved"
        winner = codes.index(303)
        assert (status, note) == (results[winner], f"第{i}对核查，核查员{winner}"), (i, status, note)
        assert (bumps, checks) == (1, 1), (i, bumps, checks)
        clean += 1
    refused = live.refused_in_db - refused_before
    print(f"[concurrency] milestone check: pairs={PAIRS} clean={clean} refused_by_update={refused}")
    assert clean == PAIRS
    # Some losers had loaded the same version as the winner: only the conditioned UPDATE could refuse them.
    assert refused > 0
