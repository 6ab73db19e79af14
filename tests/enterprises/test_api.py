"""The registry's JSON API: public reads, producer writes with ETag/If-Match, the committee's decisions."""

from __future__ import annotations

from hotpot.auth import service as auth_service
from hotpot.enterprises import codes
from tests.auth.builders import make_user
from tests.enterprises.builders import enterprise_form, make_enterprise, make_product, product_form


def _auth(db, user) -> dict:
    raw, _ = auth_service.issue_api_token(db, user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def test_public_lists_show_only_public_records(client, db):
    verified = make_enterprise(db, name="重庆公开接口食品有限公司")
    pending = make_enterprise(db, status="pending", name="重庆未审接口食品有限公司")
    make_product(db, enterprise=verified, name="接口公开毛肚")
    make_product(db, enterprise=pending, name="接口未公开毛肚")
    body = client.get("/api/v1/enterprises", params={"q": "接口", "page_size": 100}).json()
    names = [e["name"] for e in body["items"]]
    assert "重庆公开接口食品有限公司" in names
    assert "重庆未审接口食品有限公司" not in names
    products = client.get("/api/v1/products", params={"q": "接口"}).json()
    assert [p["name"] for p in products["items"]] == ["接口公开毛肚"]
    assert products["items"][0]["enterprise_name"] == "重庆公开接口食品有限公司"
    assert client.get(f"/api/v1/enterprises/{pending.id}").status_code == 404


def test_register_with_n_prefixed_code_and_wrong_check_char(client, db):
    producer = make_user(db, role="producer")
    auth = _auth(db, producer)
    wrong = codes.demo_uscc(4321)
    wrong = wrong[:-1] + ("1" if wrong[-1] != "1" else "2")
    response = client.post("/api/v1/enterprises", json=(enterprise_form(uscc=wrong)), headers=auth)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(d["loc"][-1] == "uscc" and "校验" in d["msg"] for d in detail)

    n_code = codes.make_uscc("N1500117", "PDY54321")
    response = client.post("/api/v1/enterprises", json=(enterprise_form(uscc=n_code)), headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["uscc"] == n_code
    assert response.json()["status"] == "pending"
    assert response.headers["etag"]


def test_api_refuses_unknown_fields(client, db):
    auth = _auth(db, make_user(db, role="producer"))
    response = client.post("/api/v1/enterprises", json={**enterprise_form(), "status": "verified"}, headers=auth)
    assert response.status_code == 422
    assert ["body", "status"] in [d["loc"] for d in response.json()["detail"]]


def test_put_requires_if_match(client, db):
    enterprise = make_enterprise(db)
    from tests.enterprises.builders import owner_of

    auth = _auth(db, owner_of(db, enterprise))
    url = f"/api/v1/enterprises/{enterprise.id}"
    etag = client.get(url).headers["etag"]
    body = enterprise_form(uscc=enterprise.uscc, name=enterprise.name, employees=250)
    assert client.put(url, json=body, headers=auth).status_code == 428
    assert client.put(url, json=body, headers={**auth, "If-Match": '"enterprise-0-v0"'}).status_code == 412
    ok = client.put(url, json=body, headers={**auth, "If-Match": etag})
    assert ok.status_code == 200, ok.text
    assert ok.json()["employees"] == 250
    assert ok.headers["etag"] != etag
    # The old ETag is stale now.
    assert client.put(url, json=body, headers={**auth, "If-Match": etag}).status_code == 412


def test_reviewer_verifies_through_api(client, db):
    enterprise = make_enterprise(db, status="pending")
    auth = _auth(db, make_user(db, role="reviewer"))
    url = f"/api/v1/enterprises/{enterprise.id}"
    etag = client.get(url, headers=auth).headers["etag"]
    response = client.post(f"{url}/status", json={"action": "verify"}, headers={**auth, "If-Match": etag})
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    bad = client.post(
        f"{url}/status", json={"action": "reject"}, headers={**auth, "If-Match": response.headers["etag"]}
    )
    assert bad.status_code == 422


def test_product_api_create_publish_and_other_producer_refused(client, db):
    enterprise = make_enterprise(db)
    from tests.enterprises.builders import owner_of

    auth = _auth(db, owner_of(db, enterprise))
    created = client.post("/api/v1/products", json=product_form(name="接口虾滑", category="xiahua"), headers=auth)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    published = client.post(f"/api/v1/products/{pid}/publish", headers={**auth, "If-Match": created.headers["etag"]})
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert client.get(f"/api/v1/products/{pid}").status_code == 200

    other = make_enterprise(db)
    other_auth = _auth(db, owner_of(db, other))
    r = client.put(f"/api/v1/products/{pid}", json=product_form(), headers={**other_auth, "If-Match": "*"})
    assert r.status_code == 403
    bad = client.post("/api/v1/products", json=product_form(price_min="9", price_max="3"), headers=auth)
    assert bad.status_code == 422
    assert ["body", "price_max"] in [d["loc"] for d in bad.json()["detail"]]
