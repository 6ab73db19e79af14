"""The shared list pieces: the API's one page model (hotpot/api/pages.py) and the list-page macro
(templates/_macros/list_page.html) that the five list pages are built from."""

from __future__ import annotations

import pathlib
import re

import pytest
from starlette.requests import Request

import hotpot
from hotpot.auth import service as auth_service
from hotpot.main import create_app
from hotpot.pagination import Page
from hotpot.web import templates
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.brands.builders import make_brand_with_licence
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product

PAGE_KEYS = {"items", "total", "page", "page_size"}
LISTS = ["/api/v1/products", "/api/v1/enterprises", "/api/v1/bases", "/api/v1/brands", "/api/v1/certificates"]


def test_no_list_writes_its_own_page_model():
    root = pathlib.Path(hotpot.__file__).parent
    copies = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in root.rglob("*.py")
        for m in re.finditer(r"class \w*Page\(BaseModel\)", path.read_text(encoding="utf-8"))
    ]
    assert copies == [], f"use hotpot.api.pages.ApiPage[XRead] instead: {copies}"


def test_every_api_list_answers_the_same_page_shape(client, db):
    enterprise = make_enterprise(db, name="重庆分页形状食品有限公司")
    make_product(db, enterprise=enterprise, name="分页形状毛肚")
    make_product(db, enterprise=enterprise, name="分页形状鸭肠")
    make_base(db, enterprise=enterprise)
    make_brand_with_licence(db, licensee=enterprise)
    make_certificate(db, enterprise=enterprise)
    admin = make_user(db, role="admin")
    raw, _ = auth_service.issue_api_token(db, user=admin, name="pages")
    db.flush()
    for path in [*LISTS, "/api/v1/users"]:
        headers = {"Authorization": f"Bearer {raw}"} if path.endswith("users") else {}
        body = client.get(path, params={"page": 1, "page_size": 1}, headers=headers).json()
        assert set(body) == PAGE_KEYS, path
        assert (body["page"], body["page_size"]) == (1, 1), path
        assert body["total"] >= 1, path
        assert len(body["items"]) == 1, path
    second = client.get("/api/v1/products", params={"q": "分页形状", "page": 2, "page_size": 1}).json()
    assert second["total"] == 2
    assert second["page"] == 2
    assert len(second["items"]) == 1


def test_the_openapi_document_describes_each_list_with_the_one_model():
    app = create_app(session_factory=lambda: None, engine=None)
    doc = app.openapi()
    for path in [*LISTS, "/api/v1/users"]:
        ref = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert ref.rsplit("/", 1)[1].startswith("ApiPage_"), path
        assert set(schema["properties"]) == PAGE_KEYS, path
        assert set(schema["required"]) == PAGE_KEYS, path


# --- the list-page macro ----------------------------------------------------------------------------------------

LIST_PAGES = {
    "/products": "没有符合条件的产品，试试减少筛选条件。",
    "/enterprises": "没有符合条件的企业，试试减少筛选条件。",
    "/bases": "没有符合条件的基地。",
    "/brands": "暂无品牌。",
    "/admin/users": "没有符合条件的账号。",
}


@pytest.mark.parametrize("path", sorted(LIST_PAGES))
def test_each_list_page_says_in_chinese_when_nothing_matches(client, db, path):
    if path.startswith("/admin"):
        log_in(client, make_user(db, role="admin").email)
    html = client.get(path, params={"q": "不存在的词汇甲乙丙"}).text
    assert re.search(r'<p class="empty( card)?">' + re.escape(LIST_PAGES[path]), html), path
    assert 'class="pager"' not in html


@pytest.mark.parametrize("path", sorted(LIST_PAGES))
def test_each_list_page_pages_through_its_items(client, db, path):
    enterprise = make_enterprise(db, name="重庆翻页测试食品有限公司")
    make_enterprise(db, name="重庆翻页测试二号食品有限公司")
    make_product(db, enterprise=enterprise, name="翻页测试毛肚")
    make_product(db, enterprise=enterprise, name="翻页测试鸭肠")
    make_base(db, enterprise=enterprise)
    make_base(db, enterprise=enterprise)
    make_brand_with_licence(db, licensee=enterprise)
    make_brand_with_licence(db, licensee=enterprise, name="翻页测试品牌")
    if path.startswith("/admin"):
        log_in(client, make_user(db, role="admin").email)
        make_user(db, role="buyer")
    db.flush()
    html = client.get(path, params={"page_size": 1}).text
    section = html[html.index('id="results"' if path != "/admin/users" else 'id="user-table"') :]
    assert 'rel="next"' in section, path
    assert "第 1 / " in section, path


def _render(source: str, **context) -> str:
    request = Request({"type": "http", "method": "GET", "path": "/report", "headers": [], "query_string": b""})
    return templates().env.from_string(source).render(request=request, **context)


def test_the_macro_draws_a_table_with_pager_and_export_links():
    page = Page(items=[{"name": "毛肚"}, {"name": "鸭肠"}], total=5, page=1, page_size=2)
    html = _render(
        """{% import "_macros/list_page.html" as lp %}
        {% call(row) lp.results(page, request, id="report", layout="table", boxed=true, columns=("名称",),
             count="共 5 项", empty="暂无数据。", export=[("导出 Excel", "/report.xlsx")]) %}
          <tr><td>{{ row.name }}</td></tr>
        {% endcall %}""",
        page=page,
    )
    assert html.strip().startswith('<section class="card" id="report">')
    assert "<thead><tr><th>名称</th></tr></thead>" in html
    assert html.count("<tr><td>") == 2
    assert 'rel="next"' in html
    assert "第 1 / 3 页" in html
    assert '<a class="btn btn-ghost btn-small" href="/report.xlsx">导出 Excel</a>' in html
    assert "暂无数据" not in html


def test_the_macro_says_the_empty_message_and_its_filter_form_swaps_the_whole_results():
    html = _render(
        """{% import "_macros/list_page.html" as lp %}
        {% call lp.filters("/report", target="report", cols=3) %}
          {{ lp.search_field("搜索", none, "名称") }}
        {% endcall %}
        {% call(row) lp.results(page, request, id="report", count="共 0 项", empty="暂无数据。") %}x{% endcall %}""",
        page=Page(items=[], total=0, page=1, page_size=20),
    )
    form = html[html.index("<form") : html.index(">", html.index("<form"))]
    assert 'class="filter-bar filter-3 card"' in form
    assert 'hx-get="/report"' in form
    assert 'hx-target="#report"' in form
    assert 'hx-swap="outerHTML"' in form
    assert '<input id="id_q" type="search" name="q" value=""' in html
    assert '<p class="empty card">暂无数据。</p>' in html
    assert 'class="pager"' not in html
