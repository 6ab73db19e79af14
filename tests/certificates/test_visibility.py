"""A certificate is public only when its holder is: a draft product's or a pending base's certificate stays hidden
from the public pages, the API and search's facets until the product is published or the base verified."""

from __future__ import annotations

from hotpot.bases import service as base_service
from hotpot.products import service as product_service
from hotpot.search import service as search_service
from hotpot.search.engine import SearchParams
from hotpot.verification import DecisionIn
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product, owner_of


def _hidden_holders(db):
    enterprise = make_enterprise(db)
    draft = make_product(db, enterprise=enterprise, published=False, name="未发布的秘制毛肚")
    pending = make_base(db, enterprise=enterprise, verified=False, name="待审核的保密基地")
    on_draft = make_certificate(db, enterprise=enterprise, holder=f"product:{draft.id}", kind="organic", number="ORG-1")
    on_pending = make_certificate(
        db, enterprise=enterprise, holder=f"base:{pending.id}", kind="green_food", number="LB-12345"
    )
    own = make_certificate(db, enterprise=enterprise)  # held by the (verified) enterprise: public
    return enterprise, draft, pending, on_draft, on_pending, own


def test_hidden_holders_certificates_are_not_public(client, db):
    enterprise, draft, pending, on_draft, on_pending, own = _hidden_holders(db)

    page = client.get(f"/enterprises/{enterprise.id}")
    assert page.status_code == 200
    assert own.number in page.text
    assert draft.name not in page.text
    assert pending.name not in page.text
    assert on_draft.number not in page.text
    assert on_pending.number not in page.text

    listed = client.get("/api/v1/certificates", params={"page_size": 100}).json()["items"]
    ids = {c["id"] for c in listed}
    assert own.id in ids
    assert on_draft.id not in ids
    assert on_pending.id not in ids
    assert client.get(f"/api/v1/certificates/{on_draft.id}").status_code == 404
    assert client.get(f"/api/v1/certificates/{on_pending.id}").status_code == 404
    assert client.get(f"/api/v1/certificates/{own.id}").status_code == 200


def test_hidden_holders_certificates_do_not_reach_search_facets(db):
    enterprise, *_ = _hidden_holders(db)
    db.commit()  # the index is brought up to date when the transaction commits

    def found(**filters) -> bool:
        result = search_service.search(db, SearchParams(q=enterprise.name, type="enterprise", **filters))
        return enterprise.id in {i["id"] for i in result.items}

    assert found()
    assert found(cert="sc")
    assert not found(cert="organic")
    assert not found(cert="green_food")


def test_the_owner_and_staff_still_see_them(client, make_client, db):
    enterprise, draft, pending, _on_draft, _on_pending, _own = _hidden_holders(db)
    log_in(client, owner_of(db, enterprise).email)
    page = client.get(f"/enterprises/{enterprise.id}")
    assert draft.name in page.text
    assert pending.name in page.text
    staff = make_client()
    log_in(staff, make_user(db, role="reviewer").email)
    assert draft.name in staff.get(f"/enterprises/{enterprise.id}").text


def test_they_become_public_with_their_holder(client, db):
    enterprise, draft, pending, on_draft, on_pending, _own = _hidden_holders(db)
    owner = owner_of(db, enterprise)
    product_service.set_published(db, user=owner, product=draft, published=True, version=None)
    base_service.decide(db, reviewer=make_user(db, role="reviewer"), base=pending, data=DecisionIn(action="verify"))
    db.flush()
    page = client.get(f"/enterprises/{enterprise.id}").text
    assert on_draft.number in page
    assert on_pending.number in page
    ids = {c["id"] for c in client.get("/api/v1/certificates", params={"page_size": 100}).json()["items"]}
    assert {on_draft.id, on_pending.id} <= ids
