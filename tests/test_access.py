"""Every route declares an access rule, and each route admits exactly the roles the table says."""

from __future__ import annotations

import pytest

from hotpot.deps import access_rules_of, api_routes
from hotpot.main import create_app
from tests.auth.builders import log_in, make_user

ALL = {"anonymous", "admin", "reviewer", "producer", "buyer"}
USERS = {"admin", "reviewer", "producer", "buyer"}

# (method, path template, who may call it). {user} is another account, {token} another account's API token,
# {file} a private file uploaded by another account.
ACCESS_TABLE: list[tuple[str, str, set[str]]] = [
    ("GET", "/", ALL),
    ("GET", "/healthz", ALL),
    ("GET", "/openapi.json", ALL),
    ("GET", "/docs", ALL),
    ("GET", "/register", ALL),
    ("POST", "/register", ALL),
    ("GET", "/login", ALL),
    ("POST", "/login", ALL),
    ("POST", "/logout", ALL),
    ("GET", "/account", USERS),
    ("POST", "/account/password", USERS),
    ("POST", "/account/tokens/{token}/revoke", USERS),
    ("POST", "/account/sessions/end-others", USERS),
    ("GET", "/admin/users", {"admin"}),
    ("GET", "/admin/users/new", {"admin"}),
    ("POST", "/admin/users", {"admin"}),
    ("POST", "/admin/users/{user}/disable", {"admin"}),
    ("POST", "/admin/users/{user}/enable", {"admin"}),
    ("POST", "/admin/users/{user}/role", {"admin"}),
    ("GET", "/admin/audit", {"admin"}),
    ("GET", "/files/{file}", ALL),
    ("POST", "/api/v1/auth/token", ALL),
    ("DELETE", "/api/v1/auth/token", USERS),
    ("GET", "/api/v1/me", USERS),
    ("GET", "/api/v1/users", {"admin"}),
]


def _routes():
    return api_routes(create_app(session_factory=lambda: None, engine=None))


def test_route_table_is_not_empty():
    paths = {path for path, _, _ in _routes()}
    assert {"/", "/login", "/admin/users", "/api/v1/me"} <= paths


def test_every_route_declares_exactly_one_access_rule():
    missing = [f"{sorted(methods)} {path}" for path, methods, r in _routes() if len(access_rules_of(r)) != 1]
    assert missing == [], f"routes without exactly one access rule: {missing}"


def test_access_table_covers_every_route():
    declared = {(m, path) for path, methods, _ in _routes() for m in methods if m != "HEAD"}
    table = {
        (m, p.replace("{user}", "{user_id}").replace("{token}", "{token_id}").replace("{file}", "{file_id}"))
        for m, p, _ in ACCESS_TABLE
    }
    assert declared - table == set(), "add these routes to ACCESS_TABLE"
    assert table - declared == set(), "ACCESS_TABLE names routes that do not exist"


@pytest.fixture
def actors(db, make_client):
    """A logged-in client per role (browser session and API token), plus another account's records."""
    from hotpot.auth import service
    from hotpot.files import service as files

    clients = {"anonymous": (make_client(), None)}
    for role in sorted(USERS):
        user = make_user(db, role=role)
        c = make_client()
        log_in(c, user.email)
        raw, _ = service.issue_api_token(db, user=user, name="test")
        clients[role] = (c, raw)
    other = make_user(db, role="producer")
    _, other_token = service.issue_api_token(db, user=other, name="other's")
    private = files.store(db, data=b"%PDF-1.4 scan", filename="scan.pdf", uploaded_by=other)
    ids = {"user": other.id, "token": other_token.id, "file": private.id}
    return clients, ids


def _forms(path: str, ids: dict) -> dict:
    if path.endswith("/role"):
        return {"role": "buyer", "version": "999"}
    if path.endswith(("/disable", "/enable")):
        return {"version": "999"}
    if path == "/admin/users":
        return {"email": "new-staff@hotpot.example", "display_name": "新同事", "role": "reviewer"}
    return {}


@pytest.mark.parametrize(("method", "template", "allowed"), ACCESS_TABLE, ids=[f"{m} {p}" for m, p, _ in ACCESS_TABLE])
def test_route_admits_exactly_the_allowed_roles(actors, method, template, allowed):
    clients, ids = actors
    path = template.format(**ids)
    for who, (c, raw_token) in clients.items():
        headers = {"Authorization": f"Bearer {raw_token}"} if raw_token and path.startswith("/api/") else {}
        data = _forms(template, ids)
        if path == "/api/v1/auth/token" and method == "POST":
            data = {"username": "nobody@hotpot.example", "password": "whatever-123"}
        response = c.request(method, path, headers=headers, data=data or None)
        denied = response.status_code in (401, 403) or (
            response.status_code == 303 and response.headers["location"].startswith("/login")
        )
        if path == "/api/v1/auth/token" and method == "POST":
            denied = response.status_code == 403
        if who in allowed:
            assert not denied, f"{who} should reach {method} {path}, got {response.status_code}"
        else:
            assert denied, f"{who} must not reach {method} {path}, got {response.status_code}"
            if who == "anonymous" and path.startswith("/api/"):
                assert response.status_code == 401
            elif who == "anonymous":
                assert response.status_code == 303
            else:
                assert response.status_code == 403


def test_others_records_are_not_reachable(actors, db):
    """Own-versus-other: another account's API token cannot be revoked, its private file cannot be read."""
    clients, ids = actors
    producer, _ = clients["producer"]
    assert producer.post(f"/account/tokens/{ids['token']}/revoke").status_code == 404
    assert producer.get(f"/files/{ids['file']}").status_code == 404
    reviewer, _ = clients["reviewer"]
    assert reviewer.get(f"/files/{ids['file']}").status_code == 200
