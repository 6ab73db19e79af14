"""The JSON API: bearer tokens, /me, list shape, 422 with field paths."""

from __future__ import annotations

from tests.auth.builders import PASSWORD, log_in, make_user


def _token(client, email: str) -> str:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    return body["access_token"]


def test_token_then_me(client, db):
    user = make_user(db, role="reviewer", display_name="李审核")
    token = _token(client, user.email)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["role"] == "reviewer"
    assert "password_hash" not in me.json()
    assert me.headers["cache-control"] == "no-store"


def test_tokens_are_stored_hashed(client, db):
    from sqlalchemy import select

    from hotpot.auth.models import ApiToken

    user = make_user(db)
    token = _token(client, user.email)
    stored = db.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == user.id)).all()
    assert len(stored) == 1
    assert token not in stored[0]
    assert len(stored[0]) == 64


def test_wrong_password_gives_401(client, db):
    user = make_user(db)
    response = client.post("/api/v1/auth/token", data={"username": user.email, "password": "nope-nope-9"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_revoked_token_refused(client, db):
    user = make_user(db)
    token = _token(client, user.email)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_revoke_from_account_page(client, db):
    from hotpot.auth import service

    user = make_user(db)
    token = _token(client, user.email)
    api_token = service.user_for_api_token(db, raw=token)[1]
    log_in(client, user.email)
    page = client.get("/account")
    assert "API (" in page.text
    assert client.post(f"/account/tokens/{api_token.id}/revoke").status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_api_ignores_session_cookie(client, db):
    """The API authenticates with bearer tokens only, so no cookie can make a cross-site API call count."""
    user = make_user(db)
    log_in(client, user.email)
    assert client.get("/api/v1/me").status_code == 401


def test_disabled_account_token_refused(client, db):
    from hotpot.auth import service

    admin = make_user(db, role="admin")
    user = make_user(db)
    token = _token(client, user.email)
    service.set_active(db, actor=admin, user=user, active=False)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_list_shape_and_filters(client, db):
    admin = make_user(db, role="admin")
    for _ in range(3):
        make_user(db, role="buyer")
    auth = {"Authorization": f"Bearer {_token(client, admin.email)}"}
    body = client.get("/api/v1/users?role=buyer&page_size=2", headers=auth).json()
    assert set(body) == {"items", "total", "page", "page_size"}
    assert body["page"] == 1
    assert body["page_size"] == 2
    assert body["total"] >= 3
    assert len(body["items"]) == 2
    assert all(item["role"] == "buyer" for item in body["items"])


def test_validation_error_has_field_path(client, db):
    admin = make_user(db, role="admin")
    auth = {"Authorization": f"Bearer {_token(client, admin.email)}"}
    response = client.get("/api/v1/users?page=0&role=chef", headers=auth)
    assert response.status_code == 422
    locs = [tuple(d["loc"]) for d in response.json()["detail"]]
    assert ("query", "page") in locs
    assert ("query", "role") in locs
    assert all(d["msg"] for d in response.json()["detail"])


def test_anonymous_api_gets_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "detail" in response.json()
