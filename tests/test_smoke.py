"""The platform answers: home page in Chinese, health, OpenAPI, docs offline."""


def test_home_page_is_chinese_and_links_entry_points(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert "合川火锅食材数字化平台" in html
    assert 'href="/register?role=producer"' in html
    assert 'href="/register?role=buyer"' in html
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in html


def test_no_cdn_anywhere(client):
    for path in ("/", "/login", "/register", "/docs"):
        html = client.get(path).text
        for cdn in ("cdn.", "unpkg", "jsdelivr", "googleapis", "cdnjs"):
            assert cdn not in html, (path, cdn)


def test_healthz_answers_200_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


def test_healthz_answers_503_when_database_is_down(engine):
    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine

    from hotpot.db import make_session_factory
    from hotpot.main import create_app

    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    app = create_app(engine=dead, session_factory=make_session_factory(dead))
    with TestClient(app) as c:
        response = c.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_openapi_and_docs_served_locally(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/me" in spec["paths"]
    assert "/api/v1/auth/token" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200


def test_static_files_vendored(client):
    js = client.get("/static/vendor/htmx-2.0.11/htmx.min.js")
    assert js.status_code == 200
    assert "htmx" in js.text[:2000]
    assert js.headers["cache-control"].startswith("public")


def test_gettext_strings_escape_percent_signs():
    """Jinja's newstyle gettext %-formats every string: a bare % breaks the page at run time."""
    import re

    from hotpot.resources import resource_dir

    bad = []
    for path in resource_dir("templates").rglob("*.html"):
        for match in re.finditer(r"""_\((["'])(.*?)\1""", path.read_text(encoding="utf-8")):
            if re.search(r"%(?![(%])", match.group(2).replace("%%", "")):
                bad.append(f"{path.name}: {match.group(2)}")
    assert bad == []
