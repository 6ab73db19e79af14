"""The search page, suggestions, the JSON API and the admins' synonym list."""

from __future__ import annotations

import re
from urllib.parse import quote

from sqlalchemy import any_, select

from hotpot.audit.models import AuditEvent
from hotpot.search.models import SynonymGroup
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_product

# --- the page ------------------------------------------------------------------------------------------------------


def test_search_page_shows_highlighted_hits_with_enterprise_and_town(demo_client):
    response = demo_client.get("/search?q=maod")
    assert response.status_code == 200
    html = response.text
    assert "<mark>毛肚</mark>" in html
    assert "共找到" in html
    assert "个产品" in html
    assert 'class="facets"' in html
    assert "储存方式" in html
    assert "（演示）</a> · " in html  # the enterprise, then its town


def test_the_url_holds_the_whole_query_and_filters_narrow_the_hits(demo_client):
    everything = demo_client.get("/search", params={"q": "毛肚"}).text
    frozen = demo_client.get("/search", params={"q": "毛肚", "storage": "frozen"}).text
    assert 'data-facet="storage:frozen"' in everything
    assert 'aria-current="true" class="chosen" data-facet="storage:frozen"' in frozen
    assert frozen.count('class="card hit hit-product"') < everything.count('class="card hit hit-product"')


def test_htmx_asks_for_the_results_block_only(demo_client):
    response = demo_client.get("/search?q=鸭肠", headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="search-results"')
    assert "<html" not in response.text


def _whole_page(html: str) -> bool:
    return html.count("<main") == 1 and html.count("<footer") == 1 and html.count('class="site-header"') == 1


def test_a_boosted_facet_sort_or_page_link_gets_the_whole_page(demo_client):
    # htmx sends HX-Boosted with the container's hx-target: the page it swaps must be whole (hx-select picks
    # the results out of it), never the block, whatever the target says.
    headers = {"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "search-results"}
    for query in ("q=毛肚&sort=price", "q=毛肚&storage=frozen", "q=毛肚&page=2"):
        html = demo_client.get("/search?" + query, headers=headers).text
        assert _whole_page(html), query
        assert html.count('id="search-results"') == 1


def test_an_htmx_request_aimed_at_another_element_gets_the_whole_page(demo_client):
    html = demo_client.get("/search?q=毛肚", headers={"HX-Request": "true", "HX-Target": "results"}).text
    assert _whole_page(html)


def test_boosted_facets_sorts_and_pages_select_the_results_out_of_the_page(demo_client):
    html = demo_client.get("/search?q=毛肚&page_size=10").text
    boosted = re.findall(r"<(?:nav|aside)[^>]*hx-boost=\"true\"[^>]*>", html)
    assert len(boosted) == 3  # facets, sorts, pager
    for tag in boosted:
        assert 'hx-target="#search-results"' in tag
        assert 'hx-select="#search-results"' in tag
        assert "outerHTML" in tag


def test_no_results_suggest_near_terms_and_popular_categories(demo_client):
    html = demo_client.get("/search?q=maoduu").text
    assert "没有找到相关的产品" in html or "共找到" in html
    html = demo_client.get("/search?q=" + quote("毛读肚皮")).text
    assert "没有找到相关的产品" in html
    assert "热门品类" in html


def test_other_types_have_their_own_tab(demo_client):
    html = demo_client.get("/search", params={"q": "毛肚", "type": "enterprise"}).text
    assert 'class="card hit hit-enterprise"' in html
    assert "主营：" in html


def test_unknown_filter_values_are_dropped_on_the_page(demo_client):
    assert demo_client.get("/search?q=毛肚&storage=boiling&page=abc&sort=best").status_code == 200


def test_suggestions_complete_pinyin_typed_halfway(demo_client):
    html = demo_client.get("/search/suggest?q=maod").text
    assert 'data-text="毛肚"' in html
    assert demo_client.get("/search/suggest?q=").text.strip() == ""


def test_the_header_and_home_page_carry_the_search_box(client):
    assert 'hx-get="/search/suggest"' in client.get("/").text
    assert 'id="header-q"' in client.get("/products").text


# --- the API -------------------------------------------------------------------------------------------------------


def test_api_search_returns_items_total_and_facets(demo_client):
    body = demo_client.get("/api/v1/search", params={"q": "毛肚", "storage": "chilled", "page_size": 5}).json()
    assert set(body) >= {"items", "total", "facets", "types"}
    assert body["total"] > 5
    assert len(body["items"]) == 5
    first = body["items"][0]
    assert first["type"] == "product"
    assert first["url"] == f"/products/{first['id']}"
    assert first["detail"]["storage"] == "冷藏"
    assert first["detail"]["enterprise"]
    assert first["detail"]["town"]
    assert first["highlight"]
    assert {"value": "chilled", "label": "冷藏", "count": body["total"]} in body["facets"]["storage"]
    assert body["types"]["product"] >= body["total"]


def test_api_search_refuses_unknown_values(demo_client):
    response = demo_client.get("/api/v1/search", params={"q": "毛肚", "storage": "boiling"})
    assert response.status_code == 422
    assert "storage" in str(response.json()["detail"])
    assert demo_client.get("/api/v1/search", params={"q": "毛肚", "page": 0}).status_code == 422


def test_api_suggest(demo_client):
    body = demo_client.get("/api/v1/suggest", params={"q": "hgdl"}).json()
    assert body["query"] == "hgdl"
    assert any("火锅底料" in item["term"] for item in body["items"])
    enterprise = demo_client.get("/api/v1/suggest", params={"q": "yuhe"}).json()["items"]
    assert all(item["url"] is None or item["url"].startswith(("/enterprises/", "/brands/")) for item in enterprise)


def test_api_results_follow_a_write_at_once(client, db):
    assert client.get("/api/v1/search", params={"q": "接口即时"}).json()["total"] == 0
    make_product(db, name="接口即时毛肚")
    db.commit()
    assert client.get("/api/v1/search", params={"q": "接口即时"}).json()["total"] == 1


def test_the_api_keeps_each_answer_once_as_its_json_and_the_cache_is_bounded_by_memory(demo_client):
    from hotpot.search import engine

    first = demo_client.get("/api/v1/search", params={"q": "毛肚", "page_size": 7})
    again = demo_client.get("/api/v1/search", params={"q": "毛肚", "page_size": 7})
    assert again.content == first.content
    assert again.json()["total"] > 0
    kinds = [key[0] for key in engine._cache]
    assert kinds.count("api-search") == 1
    assert "search" not in kinds  # the result the JSON was made from is not kept beside it
    page = demo_client.get("/search", params={"q": "毛肚"})
    assert page.status_code == 200
    assert [key[0] for key in engine._cache].count("search") == 1  # the page keeps its result
    # An estimate of each entry's memory bounds the cache, not a count of entries.
    assert engine._cache.maxsize == engine.CACHE_BYTES
    assert 0 < engine._cache.currsize <= engine.CACHE_BYTES
    result = next(v for k, v in engine._cache.items() if k[0] == "search")
    assert engine._entry_size(result) == engine.RESULT_BYTES + engine.ITEM_BYTES * len(result.items)


# --- synonyms, edited by admins ---------------------------------------------------------------------------------------


def test_an_admin_adds_a_synonym_group_that_search_applies_at_once(client, db):
    make_product(db, name="冰鲜牛肚板")
    db.commit()
    assert client.get("/api/v1/search", params={"q": "牛草肚"}).json()["total"] == 0
    log_in(client, make_user(db, role="admin").email)
    page = client.get("/admin/search")
    assert page.status_code == 200
    assert "搜索词库" in page.text
    assert "牛百叶" in page.text
    response = client.post("/admin/search/synonyms", data={"terms": "牛草肚、牛肚板", "note": "测试"})
    assert response.status_code == 303
    assert client.get("/api/v1/search", params={"q": "牛草肚"}).json()["total"] == 1
    group = db.scalars(select(SynonymGroup).where(SynonymGroup.note == "测试")).one()
    assert group.terms == ["牛草肚", "牛肚板"]
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "search.synonyms.add")).first() is not None


def test_bad_synonym_groups_are_refused_next_to_the_field(client, db):
    log_in(client, make_user(db, role="admin").email)
    response = client.post("/admin/search/synonyms", data={"terms": "孤单"})
    assert response.status_code == 422
    assert 'id="err_terms"' in response.text
    assert "至少填写两个词" in response.text
    response = client.post("/admin/search/synonyms", data={"terms": "毛肚，新叫法"})
    assert response.status_code == 422
    assert "已在其他同义词组中" in response.text
    assert db.scalars(select(SynonymGroup).where(any_(SynonymGroup.terms) == "新叫法")).first() is None


def test_an_admin_edits_and_deletes_a_group_and_stale_forms_get_a_conflict(client, db):
    group = SynonymGroup(terms=["甲词", "乙词"])
    db.add(group)
    db.commit()
    group_id = group.id
    log_in(client, make_user(db, role="admin").email)
    form = client.get(f"/admin/search/synonyms/{group.id}/edit")
    assert form.status_code == 200
    assert "甲词，乙词" in form.text
    ok = client.post(f"/admin/search/synonyms/{group.id}", data={"terms": "甲词 丙词", "version": "1"})
    assert ok.status_code == 303
    db.refresh(group)
    assert group.terms == ["甲词", "丙词"]
    assert group.version == 2
    stale = client.post(f"/admin/search/synonyms/{group.id}", data={"terms": "甲词 丁词", "version": "1"})
    assert stale.status_code == 409
    gone = client.post(f"/admin/search/synonyms/{group.id}/delete", data={"version": "2"})
    assert gone.status_code == 303
    db.expire_all()
    assert db.scalars(select(SynonymGroup).where(SynonymGroup.id == group_id)).first() is None


def test_a_query_that_names_only_a_supplier_opens_the_enterprise_tab(demo_client):
    html = demo_client.get("/search", params={"q": "渝合毛肚食品有限公司"}).text
    assert 'class="card hit hit-enterprise"' in html
    assert "重庆渝合毛肚食品有限公司" in re.sub(r"</?mark>", "", html)


def test_an_empty_catalogue_name_filter_points_to_search(client):
    html = client.get("/products", params={"q": "maod"}).text
    assert "没有符合条件的产品" in html
    assert 'href="/search?q=maod"' in html
