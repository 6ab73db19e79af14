"""The mechanism under the races: conditioned UPDATEs for every versioned model, StaleVersion from any flush
(also the one at commit, after the route returned), and no `If-Match: *` shortcut in the API."""

from __future__ import annotations

import pytest
from fastapi import Depends
from sqlalchemy import func, select, text

from hotpot.audit.models import AuditEvent
from hotpot.db import AppSession, Base, SessionDep, Versioned
from hotpot.deps import allow_public
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise
from hotpot.enterprises.schemas import EnterpriseIn
from hotpot.validation import StaleVersion
from tests.enterprises.builders import enterprise_form, make_enterprise, make_product, owner_of, product_form
from tests.enterprises.test_api import _auth


def test_every_versioned_model_is_checked_by_the_database():
    """A model with a version column that forgot the mixin would be back to the check in Python alone."""
    import hotpot.models  # noqa: F401 - every model registered

    versioned = [m for m in Base.registry.mappers if "version" in m.columns]
    assert {m.class_.__name__ for m in versioned} >= {
        "Enterprise",
        "Product",
        "RawBase",
        "Certificate",
        "Brand",
        "User",
        "SynonymGroup",
    }
    for mapper in versioned:
        assert issubclass(mapper.class_, Versioned), mapper.class_
        assert mapper.version_id_col is mapper.columns["version"], mapper.class_
        assert mapper.version_id_generator is False, mapper.class_


def _bump_behind_the_orm(session, enterprise_id: int) -> None:
    """Another writer's committed edit, as the row sees it: the version moved, the loaded object does not know."""
    session.execute(text("UPDATE enterprise SET version = version + 1 WHERE id = :id"), {"id": enterprise_id})


def test_edit_of_a_moved_row_is_stale_and_saves_nothing(connection):
    """Only the chain links change (association rows): the conditioned UPDATE still comes first and refuses."""
    setup = AppSession(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    enterprise = make_enterprise(setup, chain_links=["raw_material"])
    owner = owner_of(setup, enterprise)
    setup.commit()
    enterprise_id, version = enterprise.id, enterprise.version
    audits = setup.scalar(select(func.count()).select_from(AuditEvent))
    setup.close()

    session = AppSession(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    enterprise = session.get(Enterprise, enterprise_id)
    data = EnterpriseIn(
        **enterprise_form(uscc=enterprise.uscc, name=enterprise.name, chain_links=["cold_chain", "wholesale"])
    )
    assert [c.code for c in enterprise.chain_links] == ["raw_material"]
    _bump_behind_the_orm(session, enterprise_id)
    with pytest.raises(StaleVersion) as caught:
        enterprise_service.edit(
            session, user=session.get(type(owner), owner.id), enterprise=enterprise, data=data, version=version
        )
    # The session was rolled back for the conflict page (it is usable), and the record is the one saved now.
    assert caught.value.current is enterprise
    assert enterprise.version == version  # the bump above was in the same, now rolled-back, unit of work
    assert [c.code for c in enterprise.chain_links] == ["raw_material"]
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == audits
    session.close()


@pytest.fixture
def stale_at_commit(app):
    """Routes that leave a stale write to the flush inside commit, after they returned."""

    def write(session: SessionDep, enterprise_id: int) -> dict:
        enterprise = session.get(Enterprise, enterprise_id)
        _bump_behind_the_orm(session, enterprise_id)
        enterprise.description = "迟到的修改"  # not flushed: the commit after the route flushes it
        return {"ok": True}

    for path in ("/stale-at-commit/{enterprise_id}", "/api/v1/stale-at-commit/{enterprise_id}"):
        app.add_api_route(path, write, methods=["POST"], dependencies=[Depends(allow_public)])
    return app


def test_stale_write_at_commit_is_the_409_page(stale_at_commit, client, db):
    enterprise = make_enterprise(db, name="重庆提交时冲突食品有限公司")
    db.flush()
    response = client.post(f"/stale-at-commit/{enterprise.id}", headers={"Referer": "http://testserver/my/enterprise"})
    assert response.status_code == 409
    assert "内容已被他人修改" in response.text
    assert "重庆提交时冲突食品有限公司" in response.text
    assert 'href="/my/enterprise"' in response.text
    db.expire_all()
    assert db.get(Enterprise, enterprise.id).description != "迟到的修改"


def test_stale_write_at_commit_is_412_in_the_api(stale_at_commit, client, db):
    enterprise = make_enterprise(db)
    db.flush()
    response = client.post(f"/api/v1/stale-at-commit/{enterprise.id}")
    assert response.status_code == 412
    assert "ETag" in response.json()["detail"]


def test_conflict_page_back_link_ignores_other_sites(stale_at_commit, client, db):
    enterprise = make_enterprise(db)
    db.flush()
    response = client.post(f"/stale-at-commit/{enterprise.id}", headers={"Referer": "https://evil.example/x"})
    assert response.status_code == 409
    assert "evil.example" not in response.text


def test_if_match_star_does_not_skip_the_check(client, db):
    """`If-Match: *` matched any version, so it edited whatever was there: now a concrete ETag is required."""
    product = make_product(db, name="通配符毛肚")
    enterprise = product.enterprise
    auth = _auth(db, owner_of(db, enterprise))
    db.flush()
    version = product.version
    body = {**enterprise_form(uscc=enterprise.uscc, name=enterprise.name), "description": "通配符覆盖"}
    cases = [
        ("PUT", f"/api/v1/enterprises/{enterprise.id}", body),
        ("PUT", f"/api/v1/products/{product.id}", product_form(name="通配符覆盖")),
        ("POST", f"/api/v1/products/{product.id}/withdraw", None),
    ]
    for star in ("*", " * ", f'"product-{product.id}-v{version}", *'):
        for method, url, json in cases:
            response = client.request(method, url, json=json, headers={**auth, "If-Match": star})
            assert response.status_code == 428, (star, url, response.text)
            assert "ETag" in response.json()["detail"]
    db.expire_all()
    assert db.get(type(product), product.id).version == version
    assert db.get(Enterprise, enterprise.id).description != "通配符覆盖"
