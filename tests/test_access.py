"""Every route declares an access rule, and each route admits exactly the roles the table says."""

from __future__ import annotations

import pytest

from hotpot.deps import access_rules_of, api_routes
from hotpot.main import create_app
from tests.auth.builders import log_in, make_user

ALL = {"anonymous", "admin", "reviewer", "producer", "buyer", "expert"}
USERS = {"admin", "reviewer", "producer", "buyer", "expert"}

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
    ("POST", "/account/tokens/{token}/revoke", set()),  # {token} is another account's: 404 for everyone
    ("POST", "/account/sessions/end-others", USERS),
    ("GET", "/admin/users", {"admin"}),
    ("GET", "/admin/users/new", {"admin"}),
    ("POST", "/admin/users", {"admin"}),
    ("POST", "/admin/users/{user}/disable", {"admin"}),
    ("POST", "/admin/users/{user}/enable", {"admin"}),
    ("POST", "/admin/users/{user}/role", {"admin"}),
    ("GET", "/admin/audit", {"admin"}),
    ("GET", "/files/{file}", {"admin", "reviewer"}),
    # Registry. {enterprise} and {product} belong to ANOTHER producer: nobody may change them through these routes.
    ("GET", "/my/enterprise", {"producer"}),
    ("GET", "/my/enterprise/new", {"producer"}),
    ("POST", "/my/enterprise/new", {"producer"}),
    ("GET", "/my/enterprise/edit", {"producer"}),
    ("POST", "/my/enterprise/edit", {"producer"}),
    ("GET", "/my/enterprise/check?field=uscc&uscc=91500117PDY00001XK", {"producer"}),
    ("POST", "/my/enterprise/invitations", {"producer"}),
    ("POST", "/my/enterprise/invitations/{invitation}/revoke", set()),  # another enterprise's invitation
    ("POST", "/my/invitations/{invitation}/accept", set()),  # addressed to someone else
    ("GET", "/enterprises", ALL),
    ("GET", "/enterprises/{enterprise}", ALL),
    ("GET", "/verify/enterprises", {"admin", "reviewer"}),
    ("GET", "/verify/enterprises/{enterprise}", {"admin", "reviewer"}),
    ("POST", "/verify/enterprises/{enterprise}/status", {"admin", "reviewer"}),
    ("GET", "/my/products/new", {"producer"}),
    ("POST", "/my/products/new", {"producer"}),
    ("GET", "/my/products/{product}/edit", set()),
    ("POST", "/my/products/{product}/edit", set()),
    ("POST", "/my/products/{product}/publish", set()),
    ("POST", "/my/products/{product}/withdraw", set()),
    ("GET", "/products", ALL),
    ("GET", "/products/{product}", ALL),
    ("GET", "/my/bases/new", {"producer"}),
    ("POST", "/my/bases/new", {"producer"}),
    ("GET", "/my/bases/{base}/edit", set()),
    ("POST", "/my/bases/{base}/edit", set()),
    ("GET", "/bases", ALL),
    ("GET", "/bases/{base}", ALL),
    ("GET", "/verify/bases", {"admin", "reviewer"}),
    ("GET", "/verify/bases/{base}", {"admin", "reviewer"}),
    ("POST", "/verify/bases/{base}/decision", {"admin", "reviewer"}),
    ("GET", "/my/certificates/new", {"producer"}),
    ("POST", "/my/certificates/new", {"producer"}),
    ("GET", "/my/certificates/{cert}/edit", set()),
    ("POST", "/my/certificates/{cert}/edit", set()),
    ("GET", "/certificates/{cert}/scan", {"admin", "reviewer"}),
    ("GET", "/verify/certificates", {"admin", "reviewer"}),
    ("GET", "/verify/certificates/{cert}", {"admin", "reviewer"}),
    ("POST", "/verify/certificates/{cert}/decision", {"admin", "reviewer"}),
    ("GET", "/brands", ALL),
    ("GET", "/brands/new", {"producer", "reviewer", "admin"}),
    ("POST", "/brands/new", {"producer", "reviewer", "admin"}),
    ("GET", "/brands/{brand}", ALL),
    ("GET", "/brands/{brand}/edit", {"admin", "reviewer"}),
    ("POST", "/brands/{brand}/edit", {"admin", "reviewer"}),
    ("POST", "/brands/{brand}/licences", {"admin", "reviewer"}),
    ("POST", "/brands/{brand}/licences/{licence}/revoke", {"admin", "reviewer"}),
    ("POST", "/my/products/{product}/photos", set()),
    ("POST", "/my/products/{product}/photos/{photo}/delete", set()),
    ("POST", "/my/products/{product}/sources", set()),
    ("GET", "/products/{product}/photos/{photo}", ALL),
    ("GET", "/products/{product}/photos/{photo}/thumb", ALL),
    ("GET", "/history/product/{product}", {"admin", "reviewer"}),
    ("GET", "/enterprises/{enterprise}/inquire", {"buyer"}),
    ("POST", "/enterprises/{enterprise}/inquire", {"buyer"}),
    ("GET", "/inquiries", {"buyer", "producer"}),
    ("GET", "/inquiries/{inquiry}", {"buyer"}),  # the buyer's own thread; the producer is another enterprise's
    ("POST", "/inquiries/{inquiry}/messages", {"buyer"}),
    ("POST", "/inquiries/{inquiry}/close", {"buyer"}),
    ("POST", "/my/enterprise/logo", {"producer"}),
    ("GET", "/enterprises/{enterprise}/logo", ALL),
    ("POST", "/brands/{brand}/logo", {"admin", "reviewer"}),
    ("GET", "/brands/{brand}/logo", ALL),
    ("POST", "/my/bases/{base}/photos", set()),
    ("POST", "/my/bases/{base}/photos/{base_photo}/delete", set()),
    ("GET", "/bases/{base}/photos/{base_photo}", ALL),
    ("GET", "/bases/{base}/photos/{base_photo}/thumb", ALL),
    ("GET", "/api/v1/bases", ALL),
    ("GET", "/api/v1/bases/{base}", ALL),
    ("POST", "/api/v1/bases", {"producer"}),
    ("GET", "/api/v1/certificates", ALL),
    ("GET", "/api/v1/certificates/{cert}", ALL),
    ("POST", "/api/v1/certificates", {"producer"}),
    ("GET", "/api/v1/brands", ALL),
    ("GET", "/api/v1/brands/{brand}", ALL),
    ("GET", "/api/v1/enterprises", ALL),
    ("GET", "/api/v1/enterprises/{enterprise}", ALL),
    ("POST", "/api/v1/enterprises", {"producer"}),
    ("PUT", "/api/v1/enterprises/{enterprise}", set()),
    ("POST", "/api/v1/enterprises/{enterprise}/status", {"admin", "reviewer"}),
    ("GET", "/api/v1/products", ALL),
    ("GET", "/api/v1/products/{product}", ALL),
    ("POST", "/api/v1/products", {"producer"}),
    ("PUT", "/api/v1/products/{product}", set()),
    ("POST", "/api/v1/products/{product}/publish", set()),
    ("POST", "/api/v1/products/{product}/withdraw", set()),
    ("POST", "/api/v1/auth/token", ALL),
    ("DELETE", "/api/v1/auth/token", USERS),
    ("GET", "/api/v1/me", USERS),
    ("GET", "/api/v1/users", {"admin"}),
    # Search: public; the synonym list is the admins'.
    ("GET", "/search?q=毛肚", ALL),
    ("GET", "/search/suggest?q=maod", ALL),
    ("GET", "/api/v1/search?q=maodu", ALL),
    ("GET", "/api/v1/suggest?q=maod", ALL),
    # accounts
    ("GET", "/verify-email", ALL),
    ("POST", "/verify-email", ALL),
    ("GET", "/password/forgot", ALL),
    ("POST", "/password/forgot", ALL),
    ("GET", "/password/reset", ALL),
    ("POST", "/password/reset", ALL),
    ("GET", "/account/password", USERS),
    ("GET", "/dev/outbox", set()),  # demo mode only: 404 for everyone otherwise
    ("POST", "/admin/users/{user}/reset-password", {"admin"}),
    ("GET", "/admin/search", {"admin"}),
    ("POST", "/admin/search/synonyms", {"admin"}),
    ("GET", "/admin/search/synonyms/{synonym}/edit", {"admin"}),
    ("POST", "/admin/search/synonyms/{synonym}", {"admin"}),
    ("POST", "/admin/search/synonyms/{synonym}/delete", {"admin"}),
    # desk: bulk decisions in the verification queues
    ("POST", "/verify/enterprises/bulk", {"admin", "reviewer"}),
    ("POST", "/verify/bases/bulk", {"admin", "reviewer"}),
    ("POST", "/verify/certificates/bulk", {"admin", "reviewer"}),
    # desk: the business licence of ANOTHER producer's enterprise: staff only (404 for everyone else)
    ("GET", "/enterprises/{enterprise}/licence", {"admin", "reviewer"}),
    # pages: the service status for people, and the legal and contact pages
    ("GET", "/status", ALL),
    ("GET", "/privacy", ALL),
    ("GET", "/terms", ALL),
    ("GET", "/contact", ALL),
    # verify: the desk moved from /review/... to /verify/...; the old addresses redirect to anyone (301 / 308),
    # and the new page applies its own rule
    ("GET", "/review/enterprises?status=verified", ALL),
    ("POST", "/review/enterprises/bulk", ALL),
    # reader: the admins' noise words of the search's query reader
    ("POST", "/admin/search/noise", {"admin"}),
    ("POST", "/admin/search/noise/{noise}/delete", {"admin"}),
    # jobs: the background jobs page, starting a job, retrying a failed one ({job})
    ("GET", "/admin/jobs", {"admin"}),
    ("GET", "/admin/jobs?status=failed", {"admin"}),
    ("POST", "/admin/jobs/run", {"admin"}),
    ("POST", "/admin/jobs/{job}/retry", {"admin"}),
    # hitpool batches: (the pool's own ten-person table is tests/hitpool/test_access.py)
    ("GET", "/pool", {"admin", "reviewer"}),
    ("GET", "/pool/batches/new", {"admin", "reviewer"}),
    ("POST", "/pool/batches/new", {"admin", "reviewer"}),
    ("GET", "/pool/batches/{batch}", set()),
    ("GET", "/pool/batches/{batch}/edit", set()),
    ("POST", "/pool/batches/{batch}/edit", set()),
    ("POST", "/pool/batches/{batch}/transition", set()),
    ("GET", "/api/v1/batches", {"admin", "reviewer"}),
    # hitpool candidates
    # hitpool candidates: {batch} and {candidate} do not exist (999999), so record routes refuse everyone
    ("GET", "/my/pool", {"producer"}),
    ("GET", "/my/pool/apply/{batch}", set()),
    ("POST", "/my/pool/apply/{batch}", set()),
    ("GET", "/my/pool/candidates/{candidate}", set()),
    ("POST", "/my/pool/candidates/{candidate}/edit", set()),
    ("POST", "/my/pool/candidates/{candidate}/submit", set()),
    ("POST", "/my/pool/candidates/{candidate}/withdraw", set()),
    ("POST", "/my/pool/candidates/{candidate}/files", set()),
    ("POST", "/my/pool/candidates/{candidate}/files/{file}/delete", set()),
    ("GET", "/pool/candidates/{candidate}/files/{file}", set()),
    ("GET", "/pool/batches/{batch}/screening", set()),
    ("POST", "/pool/batches/{batch}/screening", set()),
    ("POST", "/pool/candidates/{candidate}/screening", set()),
    # hitpool experts
    ("GET", "/pool/experts", {"admin", "reviewer"}),
    ("GET", "/pool/experts/new", {"admin"}),  # an admin or a batch manager: this reviewer manages no batch
    ("POST", "/pool/experts/new", {"admin"}),
    ("GET", "/pool/experts/{expert}/edit", set()),
    ("POST", "/pool/experts/{expert}/edit", set()),
    ("POST", "/pool/experts/{expert}/active", set()),
    ("GET", "/pool/ties", {"admin", "reviewer"}),
    ("POST", "/pool/ties", {"admin", "reviewer"}),
    ("POST", "/pool/ties/{tie}/delete", set()),
    # this table's expert account has no pool entry: its profile is a 404 (tests/hitpool/test_access.py has one)
    ("GET", "/expert/profile", set()),
    ("POST", "/expert/profile", set()),
    ("GET", "/expert/ties", {"expert"}),
    ("POST", "/expert/ties", {"expert"}),
    ("POST", "/expert/ties/{tie}/delete", set()),
    # hitpool assignment
    ("GET", "/pool/batches/{batch}/assignments", set()),
    ("POST", "/pool/batches/{batch}/draw", set()),
    ("POST", "/pool/batches/{batch}/assignments", set()),
    ("POST", "/pool/assignments/{assignment}/move", set()),
    ("GET", "/pool/draws/{draw}", set()),
    # hitpool reviews
    # hitpool reviews ({candidate} names no record: 404 for everyone the role rule lets in)
    ("GET", "/expert", {"expert"}),
    ("GET", "/expert/candidates/{candidate}", set()),
    ("POST", "/expert/candidates/{candidate}/review", set()),
    ("POST", "/expert/candidates/{candidate}/revise", set()),
    ("GET", "/pool/candidates/{candidate}", set()),
    ("POST", "/pool/candidates/{candidate}/posts", set()),
    # hitpool decisions
    ("GET", "/pool/batches/{batch}/ranking", set()),
    ("GET", "/pool/batches/{batch}/ranking.xlsx", set()),
    ("GET", "/pool/batches/{batch}/decisions.xlsx", set()),
    ("POST", "/pool/batches/{batch}/decisions", set()),
    ("POST", "/pool/candidates/{candidate}/decision", set()),
    ("GET", "/pool/candidates/{candidate}/dossier", set()),
    ("GET", "/pool/batches/{batch}/objections", set()),
    ("POST", "/pool/objections/{objection}/handle", set()),
    ("GET", "/notices/{batch}", set()),
    ("POST", "/notices/{batch}/objections", set()),
    ("GET", "/api/v1/batches/{batch}/ranking", set()),
    # hitpool incubation
    ("GET", "/pool/plans", {"admin", "reviewer"}),
    ("GET", "/pool/plans/{plan}", set()),
    ("POST", "/pool/plans/{plan}/milestones", set()),
    ("POST", "/pool/milestones/{milestone}/edit", set()),
    ("POST", "/pool/milestones/{milestone}/check", set()),
    ("POST", "/pool/plans/{plan}/support", set()),
    ("POST", "/pool/plans/{plan}/graduate", set()),
    ("POST", "/pool/plans/{plan}/end", set()),
    ("GET", "/pool/plans/{plan}/evidence/{update}", set()),
    ("GET", "/my/pool/plans/{plan}", set()),
    ("POST", "/my/pool/plans/{plan}/milestones/{milestone}/progress", set()),
    ("GET", "/showcase", ALL),
    ("GET", "/showcase/{plan}", set()),
    ("GET", "/api/v1/showcase", ALL),
]


def _routes():
    return api_routes(create_app(session_factory=lambda: None, engine=None))


def test_route_table_is_not_empty():
    paths = {path for path, _, _ in _routes()}
    assert {"/", "/login", "/admin/users", "/api/v1/me"} <= paths


def test_every_route_declares_exactly_one_access_rule():
    missing = [f"{sorted(methods)} {path}" for path, methods, r in _routes() if len(set(access_rules_of(r))) != 1]
    assert missing == [], f"routes without exactly one access rule: {missing}"


PLACEHOLDERS = {
    "{user}": "{user_id}",
    "{token}": "{token_id}",
    "{file}": "{file_id}",
    "{enterprise}": "{enterprise_id}",
    "{base}": "{base_id}",
    "{cert}": "{cert_id}",
    "{brand}": "{brand_id}",
    "{licence}": "{licence_id}",
    "{photo}": "{photo_id}",
    "{invitation}": "{invitation_id}",
    "{inquiry}": "{inquiry_id}",
    "{base_photo}": "{photo_id}",
    "{product}": "{product_id}",
    "{synonym}": "{group_id}",
    "{noise}": "{word_id}",  # reader
    "{job}": "{job_id}",
    # hitpool: the pool's records in this table are placeholders the pool's own table fills; here they name
    # records that do not exist (999999), so every caller gets the route's access answer or a 404.
    "{batch}": "{batch_id}",
    # hitpool experts / assignment
    "{expert}": "{expert_id}",
    "{tie}": "{tie_id}",
    "{assignment}": "{assignment_id}",
    "{draw}": "{draw_id}",
    "{candidate}": "{candidate_id}",  # hitpool reviews
    "{objection}": "{objection_id}",  # hitpool decisions
    "{plan}": "{plan_id}",  # hitpool incubation
    "{milestone}": "{milestone_id}",
    "{update}": "{update_id}",
}


# Table entries that exercise a generic route with concrete values.
ROUTE_ALIASES = {
    "/history/product/{product_id}": "/history/{entity_type}/{entity_id}",
    # verify: the old desk addresses, one redirect route each for GET and POST
    "/review/enterprises": "/review/{rest:path}",
    "/review/enterprises/bulk": "/review/{rest:path}",
}


def _route_path(template: str) -> str:
    path = template.split("?")[0]
    for short, long in PLACEHOLDERS.items():
        path = path.replace(short, long)
    return ROUTE_ALIASES.get(path, path)


def test_access_table_covers_every_route():
    declared = {(m, path) for path, methods, _ in _routes() for m in methods if m != "HEAD"}
    table = {(m, _route_path(p)) for m, p, _ in ACCESS_TABLE}
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
    # The logged-in producer has an enterprise of its own; {enterprise} and {product} are another producer's.
    from sqlalchemy import select

    from hotpot.auth.models import User
    from tests.enterprises.builders import make_enterprise, make_product

    producer = db.scalars(select(User).where(User.role == "producer").order_by(User.id)).first()
    make_enterprise(db, owner=producer)
    others = make_enterprise(db, owner=other)
    # desk: another producer's business licence, which only staff may read
    others.licence_file_id = files.store(db, data=b"%PDF-1.4 licence", filename="licence.pdf", uploaded_by=other).id
    product = make_product(db, enterprise=others)
    from tests.bases.builders import make_base
    from tests.brands.builders import make_brand_with_licence
    from tests.certificates.builders import make_certificate
    from tests.products.builders import make_photo

    base = make_base(db, enterprise=others)
    cert = make_certificate(db, enterprise=others, with_scan=True)
    brand, licence = make_brand_with_licence(db, licensee=others)
    photo = make_photo(db, product=product)
    from hotpot.enterprises import service as enterprise_service

    invitation = enterprise_service.invite(db, owner=other, enterprise=others, email="colleague@hotpot.example")
    buyer = db.scalars(select(User).where(User.role == "buyer").order_by(User.id)).first()
    from hotpot.inquiries import service as inquiry_service
    from hotpot.inquiries.schemas import InquiryIn

    inquiry = inquiry_service.create(
        db,
        buyer=buyer,
        enterprise=others,
        data=InquiryIn(quantity=10, unit="箱", delivery_city="重庆", message="请报价，谢谢。"),
    )
    from hotpot.bases import service as base_service
    from hotpot.brands import service as brand_service
    from tests.enterprises.builders import owner_of
    from tests.products.builders import image_bytes

    base_photo = base_service.add_photos(db, user=other, base=base, uploads=[(image_bytes(), "田.png")])[0]
    enterprise_service.set_logo(db, user=other, enterprise=others, upload=(image_bytes(), "logo.png"))
    brand_service.set_logo(db, user=make_user(db, role="reviewer"), brand=brand, upload=(image_bytes(), "logo.png"))
    assert owner_of(db, others).id == other.id
    from hotpot.search.models import SynonymGroup

    synonym = SynonymGroup(terms=["测试甲", "测试乙"])
    db.add(synonym)
    db.flush()
    from hotpot.search.models import NoiseWord  # reader

    noise = NoiseWord(word="测试无意义词")
    db.add(noise)
    db.flush()
    from sqlalchemy import text

    # jobs: a failed background job (admins may retry it)
    job = db.execute(
        text(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, status)"
            " VALUES ('default', 'search_reindex', 'failed') RETURNING id"
        )
    ).scalar_one()
    ids = {
        "batch": 999999,  # hitpool batches: no such batch
        "candidate": 999999,  # hitpool reviews
        # hitpool decisions: pool records that do not exist
        "objection": 999999,
        "job": job,
        "synonym": synonym.id,
        "noise": noise.id,
        "base_photo": base_photo.id,
        "inquiry": inquiry.id,
        "invitation": invitation.id,
        "user": other.id,
        "token": other_token.id,
        "file": private.id,
        "enterprise": others.id,
        "product": product.id,
        "base": base.id,
        "cert": cert.id,
        "brand": brand.id,
        "licence": licence.id,
        "photo": photo.id,
        # hitpool experts / assignment: records that do not exist
        "expert": 999999,
        "tie": 999999,
        "assignment": 999999,
        "draw": 999999,
    }
    ids.update(plan=999999, milestone=999999, update=999999)  # hitpool incubation: records that do not exist
    return clients, ids


def _payload(method: str, path: str) -> dict:
    """Request keyword arguments that get past validation, so a refusal can only come from the access rule."""
    if path.startswith("/api/"):
        if path == "/api/v1/auth/token":
            return {"data": {"username": "nobody@hotpot.example", "password": "whatever-123"}}
        if path.endswith("/status"):
            return {"json": {"action": "verify"}}
        if method == "POST" and path == "/api/v1/bases":
            from tests.bases.builders import base_form

            return {"json": base_form()}
        if method == "POST" and path == "/api/v1/certificates":
            from tests.certificates.builders import cert_form

            return {"json": cert_form()}
        if method in ("POST", "PUT") and path.startswith("/api/v1/enterprises"):
            from tests.enterprises.builders import enterprise_form

            return {"json": enterprise_form()}
        if (
            method in ("POST", "PUT")
            and path.startswith("/api/v1/products")
            and "/publish" not in path
            and "/withdraw" not in path
        ):
            from tests.enterprises.builders import product_form

            return {"json": product_form()}
        return {}
    if path.endswith("/role"):
        return {"data": {"role": "buyer", "version": "999"}}
    if path.endswith(("/disable", "/enable", "/publish", "/withdraw")):
        return {"data": {"version": "999"}}
    if path.endswith("/status"):
        return {"data": {"action": "verify", "version": "999"}}
    if path == "/admin/search/synonyms":
        return {"data": {"terms": "访问甲，访问乙"}}
    if path == "/admin/search/noise":  # reader
        return {"data": {"word": "访问词"}}
    if path.startswith("/admin/search/synonyms/"):
        return {"data": {"terms": "访问丙，访问丁", "version": "999"}}
    if path.endswith("/reset-password"):
        return {"data": {"mode": "link"}}
    if path == "/password/forgot":
        return {"data": {"email": "nobody@hotpot.example"}}
    if path == "/admin/jobs/run":  # jobs
        return {"data": {"name": "search_reindex"}}
    if path == "/admin/users":
        return {"data": {"email": "new-staff@hotpot.example", "display_name": "新同事", "role": "reviewer"}}
    return {}


@pytest.mark.parametrize(("method", "template", "allowed"), ACCESS_TABLE, ids=[f"{m} {p}" for m, p, _ in ACCESS_TABLE])
def test_route_admits_exactly_the_allowed_roles(actors, method, template, allowed):
    clients, ids = actors
    path = template.format(**ids)
    for who, (c, raw_token) in clients.items():
        headers = {"Authorization": f"Bearer {raw_token}"} if raw_token and path.startswith("/api/") else {}
        response = c.request(method, path, headers=headers, **_payload(method, path))
        # Refused: not logged in (401, or a redirect to the login page), forbidden (403), or not found (404)
        # for records the caller may not even know about.
        denied = response.status_code in (401, 403, 404) or (
            response.status_code == 303 and response.headers["location"].startswith("/login")
        )
        if path == "/api/v1/auth/token" and method == "POST":
            denied = response.status_code == 403
        if who in allowed:
            assert not denied, f"{who} should reach {method} {path}, got {response.status_code}"
        else:
            assert denied, f"{who} must not reach {method} {path}, got {response.status_code}"
            if who == "anonymous" and path.startswith("/api/"):
                assert response.status_code in (401, 404)
            elif who == "anonymous":
                assert response.status_code in (303, 404)
            else:
                assert response.status_code in (403, 404)


def test_others_records_are_not_reachable(actors, db):
    """Own-versus-other: another account's API token cannot be revoked, its private file cannot be read."""
    clients, ids = actors
    producer, _ = clients["producer"]
    assert producer.post(f"/account/tokens/{ids['token']}/revoke").status_code == 404
    assert producer.get(f"/files/{ids['file']}").status_code == 404
    reviewer, _ = clients["reviewer"]
    assert reviewer.get(f"/files/{ids['file']}").status_code == 200
