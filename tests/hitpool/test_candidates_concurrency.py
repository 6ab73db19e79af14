"""Two applications of one product at the same moment, on real connections in their own transactions: the product's
row is locked (SELECT ... FOR UPDATE), so exactly one becomes a draft and the other is refused with the batch named,
whether the two aim at two open batches or at the same one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from hotpot import migrate
from hotpot.auth.models import User
from hotpot.db import make_engine, make_session_factory, transaction
from hotpot.hitpool import candidates as service
from hotpot.hitpool.candidate_schemas import ApplyIn
from hotpot.hitpool.models import Batch, Candidate
from hotpot.validation import FieldErrors
from tests.certificates.builders import make_certificate
from tests.conftest import fresh_database
from tests.enterprises.builders import make_enterprise, make_product, owner_of
from tests.hitpool.builders import make_batch

ROUNDS = 12


@pytest.fixture(scope="module")
def factory(server_url: str) -> Iterator:
    url = fresh_database(server_url, "hotpot_pool_apply")
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=4, max_overflow=2)
    factory = make_session_factory(engine)
    from hotpot.reference import service as reference

    with transaction(factory) as s:
        reference.load_reference(s)
    yield factory
    engine.dispose()


def _apply(factory, barrier: threading.Barrier, user_id: int, batch_id: int, product_id: int) -> str:
    barrier.wait(timeout=30)
    try:
        with transaction(factory) as s:
            service.apply(
                s, user=s.get(User, user_id), batch=s.get(Batch, batch_id), data=ApplyIn(product_id=product_id)
            )
    except FieldErrors as exc:
        return exc.errors["product_id"]
    return "created"


@pytest.mark.parametrize("same_batch", [False, True], ids=["two batches", "one batch"])
def test_two_concurrent_applications_of_one_product_one_wins(factory, same_batch):
    with transaction(factory) as s:
        enterprise = make_enterprise(s)
        make_certificate(s, enterprise=enterprise)
        user_id = owner_of(s, enterprise).id
        first, second = make_batch(s), make_batch(s)
        batches = (first.id, first.id if same_batch else second.id)
        names = {first.name, second.name}
        products = [make_product(s, enterprise=enterprise, name=f"并发申报毛肚{i}").id for i in range(ROUNDS)]
    outcomes = []
    with ThreadPoolExecutor(2) as pool:
        for product_id in products:
            barrier = threading.Barrier(2)
            results = list(
                pool.map(lambda b, barrier=barrier, pid=product_id: _apply(factory, barrier, user_id, b, pid), batches)
            )
            outcomes.append(sorted(results))
    with factory() as s:
        counts = [
            s.scalar(select(func.count()).select_from(Candidate).where(Candidate.product_id == p)) for p in products
        ]
    assert counts == [1] * ROUNDS
    for results in outcomes:
        assert results[0] == "created"
        assert any(name in results[1] for name in names), results
