"""The ranking's kept figures under concurrent submissions on real connections.

40 experts' reviews are submitted through the review form at once (8 at a time) while a staff member reads the
ranking API over and over. Every submission lands (the stamp row each one renews serialises them, never a deadlock
or a 500), no read ever shows a candidate with fewer reviews than an earlier read did (kept figures never go back
in time), and the ranking read after the storm matches the figures worked out afresh from the database.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from hotpot.hitpool import ranking
from hotpot.hitpool.models import Batch, Criterion
from tests.auth.builders import make_user
from tests.concurrency.conftest import LiveApp
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert

CANDIDATES = 10
EXPERTS = 20
PER = 4  # reviews per candidate: 40 submissions


def _form(batch: Batch, score: int) -> dict[str, str]:
    form = {f"score_{c.id}": str(score) for c in batch.criteria}
    form.update(recommendation="accept", confidence="4", comment="并发提交的评审意见。", action="submit")
    return form


def test_reviews_submitted_at_once_while_the_ranking_is_read(live: LiveApp):
    with live.write() as s:
        staff = make_user(s, role="reviewer")
        batch = make_batch(s, status="reviewing", manager=staff, experts_per_candidate=PER)
        candidates = [make_candidate(s, batch=batch) for _ in range(CANDIDATES)]
        experts = [make_expert(s) for _ in range(EXPERTS)]
        jobs = []  # (expert, candidate id, score)
        for i, c in enumerate(candidates):
            for k in range(PER):
                e = experts[(i * 2 + k * 5) % EXPERTS]
                assign(s, c, e, by=staff)
                jobs.append((e, c.id, 4 + (i + k) % 6))
        form = {score: _form(batch, score) for score in range(4, 10)}
        batch_id = batch.id
        users = {e.id: e.user for e in experts}
    clients = {eid: live.browser(user) for eid, user in users.items()}
    reader = live.api(staff)
    url = f"/api/v1/batches/{batch_id}/ranking?page_size=100"

    stop = threading.Event()
    seen: dict[int, int] = {}
    went_back: list[str] = []
    reads: list[int] = []

    def read() -> None:
        while not stop.is_set():
            response = reader.get(url)
            reads.append(response.status_code)
            if response.status_code != 200:
                continue
            for item in response.json()["items"]:
                cid, n = item["candidate_id"], item["review_count"]
                if n < seen.get(cid, 0):
                    went_back.append(f"candidate {cid}: {seen[cid]} reviews, then {n}")
                seen[cid] = max(n, seen.get(cid, 0))

    def submit(job) -> int:
        expert, cid, score = job
        return clients[expert.id].post(f"/expert/candidates/{cid}/review", data=form[score]).status_code

    watcher = threading.Thread(target=read)
    watcher.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(submit, jobs))
    finally:
        stop.set()
        watcher.join()

    assert codes == [303] * len(jobs), codes
    assert reads
    assert set(reads) == {200}, reads
    assert went_back == []
    final = {i["candidate_id"]: i for i in reader.get(url).json()["items"]}
    assert {cid: i["review_count"] for cid, i in final.items()} == {c.id: PER for c in candidates}
    with live.write() as s:
        batch = s.get(Batch, batch_id)
        tie = s.scalar(
            select(Criterion.id).where(Criterion.batch_id == batch_id, Criterion.code == batch.tie_criterion_code)
        )
        fresh = ranking._work_out(s, batch, tie)  # worked out afresh, past the kept figures
    assert {cid: str(f.normalised) for cid, f in fresh.items()} == {cid: i["normalised"] for cid, i in final.items()}
