"""Two staff members press the same batch transition, or save the same batch form, at the same moment: exactly one
wins, the other gets the 409 conflict page, and the batch holds the winner's change once (one step on the timeline,
one audit event), with real threads on real connections (`pytest -s` prints the figures)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot.audit.models import AuditEvent
from hotpot.hitpool import batches
from hotpot.hitpool.enums import BatchStatus
from hotpot.hitpool.models import Batch, BatchStep
from tests.auth.builders import make_user
from tests.concurrency.conftest import Lane, assert_clean, race
from tests.hitpool.builders import make_batch

PAIRS = 50
LANES = 5


def test_the_same_transition_pressed_twice_at_once(live):
    with live.write() as s:
        staff = make_user(s, role="reviewer")
        ids = [make_batch(s, status="draft", name=f"并发转换批次{n}").id for n in range(PAIRS)]
    browsers = (live.browser(staff), live.browser(staff))
    clean, problems, refused_before = 0, [], live.refused_in_db
    with ThreadPoolExecutor(2) as pool:
        for n, batch_id in enumerate(ids):
            barrier = threading.Barrier(2)

            def press(writer: int, batch_id=batch_id, barrier=barrier) -> int:
                barrier.wait(timeout=30)
                data = {"name": "open", "version": "1", "note": f"写入方{writer}"}
                return browsers[writer].post(f"/pool/batches/{batch_id}/transition", data=data).status_code

            codes = sorted(pool.map(press, (0, 1)))
            with live.factory() as s:
                batch = s.get(Batch, batch_id)
                steps = _count(s, BatchStep, BatchStep.batch_id == batch_id, BatchStep.status == BatchStatus.open)
                events = _count(
                    s, AuditEvent, AuditEvent.entity_id == str(batch_id), AuditEvent.action == "hit_batch.open"
                )
                state = (batch.status, batch.version, steps, events)
            if codes == [303, 409] and state == (BatchStatus.open, 2, 1, 1):
                clean += 1
            else:
                problems.append(f"pair {n}: answers {codes}, batch {state}")
    refused = live.refused_in_db - refused_before
    print(f"[concurrency] batch transition: pairs={PAIRS} clean={clean} refused_by_update={refused}")
    assert problems == []
    assert clean == PAIRS
    assert refused > 0  # some losers had read the same version: only the conditioned UPDATE could refuse them


def test_the_batch_form_saved_twice_at_once(live):
    lanes = []
    with live.write() as s:
        staff = make_user(s, role="reviewer")
        made = [make_batch(s, status="open", name=f"并发编辑批次{n}") for n in range(LANES)]
        forms = [{k: v for k, v in batches.values_of(b).items() if k != "version"} for b in made]
        ids = [b.id for b in made]

    def note(i: int, writer: int, before=None) -> str:
        return f"并发修改第{i}对，写入方{writer}"

    for batch_id, form in zip(ids, forms, strict=True):

        def send(w, client, i, version, before, batch_id=batch_id, form=form):
            data = {**form, "description": note(i, w), "version": str(version)}
            return client.post(f"/pool/batches/{batch_id}/edit", data=data).status_code

        def state(s: Session, batch_id=batch_id):
            return s.execute(select(Batch.version, Batch.description).where(Batch.id == batch_id)).one()

        lanes.append(Lane((live.browser(staff), live.browser(staff)), send, state, note))
    assert_clean(race(live, "batch form", lanes, pairs=PAIRS, loser=409))


def _count(s: Session, model, *where) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*where))
