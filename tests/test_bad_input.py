"""Bad input over every route of the access table: a NUL byte in each text parameter and form field, an id of
2^31 and above in each id parameter. None of them may give a 5xx; ids in paths answer 404."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from hotpot.auth import service as auth_service
from hotpot.auth.models import User
from hotpot.deps import api_routes
from tests.auth.builders import log_in
from tests.test_access import ACCESS_TABLE, USERS, _payload, _route_path
from tests.test_access import actors as actors

NUL = "甲\x00乙"
BIG_IDS = ("2147483648", "9223372036854775808")
ID_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A NUL byte in a search query finds nothing: an empty result, not an error.
SEARCHES = ("/search", "/api/v1/search", "/search/suggest", "/api/v1/suggest")

# Query parameters read by hand from request.query_params (not declared on the route).
EXTRA_QUERY = {
    "/search": ["q", "type", "kind", "category", "storage", "town", "park", "cert", "brand_level", "verified", "sort"],
    "/my/enterprise/check": ["uscc", "name"],
}
# Query parameters that carry ids, and the shapes they take.
ID_QUERY = {
    "/my/certificates/new": [("holder", "product:{}"), ("holder", "base:{}")],
    "/enterprises/{enterprise}/inquire": [("product", "{}")],
}


# Routes that end the caller's session or token when they succeed: tried last, so the others run logged in.
LAST = ("/logout", "/account/sessions/end-others", "/api/v1/auth/token")


def _table():
    return sorted(ACCESS_TABLE, key=lambda row: row[1] in LAST)


class _Forms(HTMLParser):
    """The POST forms of a page: action -> [(name, value, kind)] (kind: input type, 'select' or 'textarea')."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, list[tuple[str, str, str]]] = {}
        self._fields: list[tuple[str, str, str]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and a.get("action"):
            self._fields = self.forms.setdefault(urlsplit(a["action"]).path, [])
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields.append((a["name"], a.get("value") or "", kind))
        elif tag == "textarea" and a.get("name"):
            self._fields.append((a["name"], "", "textarea"))
        elif tag == "select" and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None and (self._select_value is None or "selected" in a):
            self._select_value = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._fields is not None:
            self._fields.append((self._select, self._select_value or "", "select"))
            self._select = None
        elif tag == "form":
            self._fields = None


@pytest.fixture
def bad_input_actors(actors, db, make_client):
    """The access table's actors plus "owner": the other producer, who owns {enterprise}, {product}, {base} ..."""
    clients, ids = actors
    other = db.get(User, ids["user"])
    c = make_client()
    log_in(c, other.email)
    raw, _ = auth_service.issue_api_token(db, user=other, name="bad input")
    clients = {**clients, "owner": (c, raw)}
    return clients, ids


# Record routes the main table marks set() (their records do not exist there) that are not a producer's: who the
# route's role rule admits, so the bad id reaches the path check (prefix -> actor).
RECORD_ROUTE_ACTORS = {
    "/pool/": "reviewer",  # hitpool: the staff pages of the pool
    "/expert/": "expert",  # hitpool: the experts' pages
    "/api/v1/batches/": "reviewer",  # hitpool: a batch's ranking (staff)
}


def _actor(template: str, allowed: set[str]) -> str:
    """Who sends the bad input: someone the route admits, so it gets past the access rule."""
    if not allowed:
        return next((who for prefix, who in RECORD_ROUTE_ACTORS.items() if template.startswith(prefix)), "owner")
    for who in ("anonymous", "producer", "buyer", "reviewer", "admin", "expert"):
        if who in allowed:
            return who
    raise AssertionError(template)


def _declared(app) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(method, path) -> {"path": [...], "query": [...]} parameter names, from the route table."""

    def walk(dependant, acc):
        for kind in ("path", "query"):
            acc[kind].extend(p.name for p in getattr(dependant, f"{kind}_params"))
        for sub in dependant.dependencies:
            walk(sub, acc)

    out = {}
    for path, methods, route in api_routes(app):
        acc = {"path": [], "query": []}
        walk(route.dependant, acc)
        for m in methods:
            out[(m, path)] = acc
    return out


def _send(c, raw, method, path, **kwargs):
    headers = dict(kwargs.pop("headers", None) or {})
    if raw and path.startswith("/api/"):
        headers["Authorization"] = f"Bearer {raw}"
    return c.request(method, path, headers=headers, **kwargs)


def _scrape_forms(clients, ids) -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """Every POST form the pages render to each actor: action path -> (actor, fields)."""
    found: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    for who in ("owner", "producer", "buyer", "reviewer", "admin", "anonymous"):
        c, _ = clients[who]
        for method, template, allowed in ACCESS_TABLE:
            if method != "GET" or template.startswith("/api/") or template in ("/openapi.json", "/docs"):
                continue
            if who != "owner" and who not in allowed:
                continue
            response = c.get(template.format(**ids))
            if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            parser = _Forms()
            parser.feed(response.text)
            for action, fields in parser.forms.items():
                if fields and action not in found:
                    found[action] = (who, fields)
    return found


def _valid_form(path: str) -> dict:
    """A valid submission of the create and edit forms, so a NUL byte in one field is the only fault."""
    from tests.bases.builders import base_form
    from tests.brands.builders import brand_form
    from tests.certificates.builders import cert_form
    from tests.enterprises.builders import enterprise_form, product_form

    builders = {
        "/my/enterprise/": enterprise_form,
        "/my/products/": product_form,
        "/my/bases/": base_form,
        "/my/certificates/": cert_form,
        "/brands/": brand_form,
    }
    for prefix, builder in builders.items():
        if path.startswith(prefix) and path.endswith(("/new", "/edit")):
            form = builder()
            form.pop("uscc", None) if path.endswith("/edit") else None
            return form
    return {}


def _api_body_strings(value, prefix=()):
    """Paths of the string leaves of a JSON body."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _api_body_strings(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _api_body_strings(v, (*prefix, i))
    elif isinstance(value, str):
        yield prefix


def _replaced(value, path, new):
    if not path:
        return new
    if isinstance(value, dict):
        return {**value, path[0]: _replaced(value[path[0]], path[1:], new)}
    copy = list(value)
    copy[path[0]] = _replaced(copy[path[0]], path[1:], new)
    return copy


def test_nul_bytes_never_give_a_5xx(bad_input_actors, app):
    clients, ids = bad_input_actors
    declared = _declared(app)
    forms = _scrape_forms(clients, ids)
    failures: list[str] = []
    broken: set[str] = set()
    tried = 0

    def check(response, what, expect=None):
        nonlocal tried
        tried += 1
        if response.status_code >= 500:
            broken.add(f"{method} {route}")
        if response.status_code >= 500 or (expect and response.status_code not in expect):
            failures.append(f"{what} -> {response.status_code}")

    for method, template, allowed in _table():
        who = _actor(template, allowed)
        c, raw = clients[who]
        path = template.format(**ids).split("?")[0]
        route = _route_path(template)
        base_query = dict(parse_qsl(urlsplit(template).query))
        params = declared.get((method, route), {"query": []})["query"]
        for name in dict.fromkeys([*params, *EXTRA_QUERY.get(route, []), *base_query]):
            query = {**base_query, name: NUL}
            expect = {200} if name == "q" and route in SEARCHES else None
            check(_send(c, raw, method, path, params=query), f"{who} {method} {path}?{name}=NUL", expect)
        if method == "GET":
            continue
        if path.startswith("/api/"):
            payload = _payload(method, path)
            if "json" in payload:
                for leaf in _api_body_strings(payload["json"]):
                    body = _replaced(payload["json"], leaf, NUL)
                    where = ".".join(map(str, leaf))
                    response = _send(c, raw, method, path, json=body, headers={"If-Match": "*"})
                    check(response, f"{who} {method} {path} json {where}=NUL")
                    if response.status_code == 422 and who in allowed:
                        locs = [".".join(map(str, e["loc"])) for e in response.json()["detail"]]
                        fields = [loc.removeprefix("body.") for loc in locs]
                        if not any(where == f or where.startswith(f + ".") for f in fields):
                            failures.append(f"{who} {method} {path} json {where}=NUL: 422 without the field {locs}")
            elif "data" in payload:
                for name in payload["data"]:
                    data = {**payload["data"], name: NUL}
                    check(_send(c, raw, method, path, data=data), f"{who} {method} {path} form {name}=NUL")
            if method in ("PUT", "POST") and ("{product}" in template or "{enterprise}" in template):
                check(_send(c, raw, method, path, json=payload.get("json"), headers={"If-Match": '"a\x00"'}), path)
            continue
        fields: list[tuple[str, str, str]] = []
        if path in forms:
            who, fields = forms[path]
            c, raw = clients[who]
        data = {name: value for name, value, _ in fields if name != "csrf_token"}
        builder = _valid_form(path)
        data.update({k: v for k, v in builder.items() if not data.get(k)})
        data.update({k: v for k, v in _payload(method, path).get("data", {}).items() if k not in data})
        for name in data:
            form = {**data, name: NUL}
            check(_send(c, raw, method, path, data=form), f"{who} {method} {path} form {name}=NUL")
    print(f"NUL: {tried} requests, {len(failures)} failed; routes with a 5xx: {len(broken)} of {len(ACCESS_TABLE)}")
    assert failures == [], "\n".join(failures)


def test_csrf_token_with_nul_or_non_ascii_is_refused(raw_client):
    raw_client.get("/login")
    for token in (NUL, "毛肚", "\x00"):
        response = raw_client.post("/login", data={"csrf_token": token, "email": "a@hotpot.example", "password": "x"})
        assert response.status_code == 403, token


def test_big_ids_never_give_a_5xx(bad_input_actors, app):
    clients, ids = bad_input_actors
    failures: list[str] = []
    broken: set[str] = set()
    tried = 0
    for method, template, allowed in _table():
        who = _actor(template, allowed)
        c, raw = clients[who]
        placeholders = ID_PLACEHOLDER.findall(template.split("?")[0])
        for name in placeholders:
            for big in BIG_IDS:
                path = template.format(**{**ids, name: big})
                tried += 1
                response = _send(c, raw, method, path, **_payload(method, path))
                if response.status_code >= 500:
                    broken.add(f"{method} {template}")
                if response.status_code != 404:
                    failures.append(f"{who} {method} {path} -> {response.status_code}")
        for name, shape in ID_QUERY.get(template, []):
            for big in BIG_IDS:
                tried += 1
                response = _send(c, raw, method, template.format(**ids), params={name: shape.format(big)})
                if response.status_code >= 500:
                    broken.add(f"{method} {template}")
                    failures.append(f"{who} {method} {template}?{name}={shape.format(big)} -> {response.status_code}")
    print(f"big ids: {tried} requests, {len(failures)} failed; routes with a 5xx: {len(broken)} of {len(ACCESS_TABLE)}")
    assert failures == [], "\n".join(failures)


def test_big_ids_in_submitted_values(bad_input_actors, db):
    """Ids in forms and JSON bodies (holder=product:N, base_id, product_id, enterprise_id) are refused, not a 500."""
    from tests.certificates.builders import cert_form
    from tests.enterprises.builders import product_form

    clients, ids = bad_input_actors
    owner, raw = clients["owner"]
    failures = []
    for big in BIG_IDS:
        for holder in (f"product:{big}", f"base:{big}"):
            r = owner.post("/my/certificates/new", data=cert_form(holder=holder))
            if r.status_code >= 500:
                failures.append(f"POST /my/certificates/new holder={holder} -> {r.status_code}")
            r = _send(owner, raw, "POST", "/api/v1/certificates", json=cert_form(holder=holder))
            if r.status_code != 422:
                failures.append(f"POST /api/v1/certificates holder={holder} -> {r.status_code}")
        for key in ("base_id", "product_id", "enterprise_id"):
            r = _send(owner, raw, "POST", "/api/v1/certificates", json={**cert_form(), key: int(big)})
            if r.status_code != 422:
                failures.append(f"POST /api/v1/certificates {key}={big} -> {r.status_code}")
        product = ids["product"]
        r = owner.post(f"/my/products/{product}/sources", data={"base_id": big, "share_pct": "10", "version": "1"})
        if r.status_code >= 500:
            failures.append(f"POST /my/products/{product}/sources base_id={big} -> {r.status_code}")
        # Versions are compared in the database's UPDATE too: one it cannot hold must not reach it.
        r = owner.post(f"/my/products/{product}/edit", data={**product_form(), "version": big})
        if r.status_code >= 500:
            failures.append(f"POST /my/products/{product}/edit version={big} -> {r.status_code}")
        stale = {"If-Match": f'"product-{product}-v{big}"'}
        r = _send(owner, raw, "PUT", f"/api/v1/products/{product}", json=product_form(), headers=stale)
        if r.status_code >= 500:
            failures.append(f"PUT /api/v1/products/{product} If-Match v{big} -> {r.status_code}")
        buyer, _ = clients["buyer"]
        r = buyer.post(
            f"/enterprises/{ids['enterprise']}/inquire",
            data={"product_id": big, "quantity": "10", "unit": "箱", "delivery_city": "重庆", "message": "请报价"},
        )
        if r.status_code >= 500:
            failures.append(f"POST /enterprises/{{id}}/inquire product_id={big} -> {r.status_code}")
    assert failures == [], "\n".join(failures)


def test_every_user_role_is_covered():
    assert {_actor(t, a) for _, t, a in ACCESS_TABLE} <= {*USERS, "anonymous", "owner"}


def test_a_nul_byte_in_a_form_is_a_field_error_and_nothing_is_saved(bad_input_actors, db):
    from sqlalchemy import func, select

    from hotpot.products.models import Product
    from tests.enterprises.builders import product_form

    clients, _ = bad_input_actors
    owner, _ = clients["owner"]
    before = db.scalar(select(func.count()).select_from(Product))
    response = owner.post("/my/products/new", data=product_form(name=NUL, description="好\x00"))
    assert response.status_code == 422
    assert '<p class="field-error" id="err_name">包含无效字符</p>' in response.text
    assert '<p class="field-error" id="err_description">包含无效字符</p>' in response.text
    assert db.scalar(select(func.count()).select_from(Product)) == before


def test_a_nul_byte_in_json_is_a_422_naming_the_field(bad_input_actors):
    from tests.enterprises.builders import product_form

    clients, _ = bad_input_actors
    c, raw = clients["producer"]
    response = _send(c, raw, "POST", "/api/v1/products", json=product_form(name=NUL))
    assert response.status_code == 422
    assert {"loc": ["body", "name"], "msg": "包含无效字符", "type": "value_error"} in response.json()["detail"]


def test_a_nul_byte_in_a_query_parameter_is_a_422_naming_it(client):
    response = client.get("/api/v1/products", params={"town": NUL})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "town"]
    assert response.json()["detail"][0]["msg"] == "包含无效字符"
    repeated = client.get("/api/v1/enterprises", params=[("chain_link", NUL), ("chain_link", "primary_processing")])
    assert repeated.status_code == 422
    assert repeated.json()["detail"][0]["loc"] == ["query", "chain_link"]
    page = client.get("/products", params={"q": NUL})
    assert page.status_code == 422
    assert "q：包含无效字符" in page.text


def test_a_search_with_a_nul_byte_finds_nothing(client):
    for path in ("/api/v1/search", "/api/v1/suggest"):
        response = client.get(path, params={"q": "毛\x00肚"})
        assert response.status_code == 200, path
        assert response.json()["items"] == [], path
    assert client.get("/search", params={"q": "毛\x00肚"}).status_code == 200
    assert client.get("/search/suggest", params={"q": "\x00"}).status_code == 200


def test_ids_that_are_not_plain_numbers_are_refused(bad_input_actors):
    """Unicode digits pass str.isdigit() but not int(): "product:²" used to be a 500 too."""
    from tests.certificates.builders import cert_form

    clients, _ = bad_input_actors
    owner, raw = clients["owner"]
    for holder in ("product:²", "product:０", "base:-1", "product:0", "base:1e3"):
        response = _send(owner, raw, "POST", "/api/v1/certificates", json=cert_form(holder=holder))
        assert response.status_code == 422, holder
        assert response.json()["detail"][0]["loc"] == ["body", "holder"], holder
    for bad in ("0", "-1", "abc", "2147483648"):
        assert owner.get(f"/products/{bad}").status_code == 404, bad
        assert owner.get(f"/api/v1/products/{bad}").status_code == 404, bad
