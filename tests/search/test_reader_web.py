"""The query reader on the page and in the API: chips, facets chosen by words, relaxing, the admins' noise words."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from hotpot.audit.models import AuditEvent
from hotpot.search.models import NoiseWord
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_product


def _chip_links(html: str) -> dict[str, str]:
    """data-chip kind → the query its × link searches for."""
    out = {}
    for kind, href in re.findall(r'data-chip="(\w+)".*?class="chip-remove" href="([^"]+)"', html, re.S):
        out[kind] = parse_qs(urlparse(href.replace("&amp;", "&")).query).get("q", [""])[0]
    return out


def test_storage_words_become_the_facet_filter_with_chips_that_remove_them(client, db):
    make_product(db, name="冰鲜千层毛肚", storage="chilled")
    make_product(db, name="冷冻千层毛肚", storage="frozen")
    db.commit()
    # Before the reader, "冷冻 毛肚" needed the word 冷冻 in the text and found only the one named so; now the
    # storage is the filter: the frozen one, whatever its name says.
    html = client.get("/search", params={"q": "求购 冷冻 毛肚"}).text
    assert "共找到 1 个产品" in html
    assert 'aria-current="true" class="chosen" data-facet="storage:frozen"' in html
    assert _chip_links(html) == {"storage": "求购 毛肚"}
    # The facet's links take the word out of the query too, so clearing it does not choose it again.
    assert "q=%E6%B1%82%E8%B4%AD+%E6%AF%9B%E8%82%9A" in html  # q=求购 毛肚
    body = client.get("/api/v1/search", params={"q": "求购 冷冻 毛肚"}).json()
    assert body["understood"] == [{"kind": "storage", "value": "frozen", "label": "冷冻", "words": ["冷冻"]}]
    assert body["relaxed"] is None
    assert [i["name"] for i in body["items"]] == ["冷冻千层毛肚"]


def test_a_query_that_finds_nothing_together_is_relaxed_and_says_so(client, db):
    make_product(db, name="千层毛肚", storage="chilled")
    db.commit()
    html = client.get("/search", params={"q": "有机 毛肚"}).text
    assert "没有同时满足“有机”和“毛肚”的产品，以下为满足“毛肚”的结果" in html
    assert "共找到 1 个产品" in html
    assert "strict=1" in html
    body = client.get("/api/v1/search", params={"q": "有机 毛肚"}).json()
    assert body["relaxed"]["dropped"] == [{"kind": "cert", "value": "organic", "label": "有机产品", "words": ["有机"]}]
    assert body["total"] == 1
    # The link back: the strict query, as understood, finds nothing (and says so, chips kept).
    strict = client.get("/search", params={"q": "有机 毛肚", "strict": "1"}).text
    assert "没有找到相关的产品" in strict
    assert 'data-chip="cert"' in strict
    assert client.get("/api/v1/search", params={"q": "有机 毛肚", "strict": "true"}).json()["total"] == 0


def test_words_that_match_nothing_together_match_any_one_with_the_conditions_kept(client, db):
    make_product(db, name="千层毛肚", storage="frozen")
    make_product(db, name="冷冻鸭肠", category="yachang", storage="frozen")
    make_product(db, name="冰鲜鸭肠", category="yachang", storage="chilled")
    db.commit()
    body = client.get("/api/v1/search", params={"q": "冷冻毛肚和鸭肠"}).json()
    assert body["relaxed"]["any_word"] == ["毛肚", "鸭肠"]
    assert sorted(i["name"] for i in body["items"]) == ["冷冻鸭肠", "千层毛肚"]


def test_an_explicit_facet_wins_over_a_word_of_the_query(client, db):
    make_product(db, name="千层毛肚", storage="chilled")
    make_product(db, name="冻毛肚", storage="frozen")
    db.commit()
    body = client.get("/api/v1/search", params={"q": "冷冻 毛肚", "storage": "chilled"}).json()
    assert [i["name"] for i in body["items"]] == ["千层毛肚"]


def test_an_admin_adds_a_noise_word_that_search_drops_at_once_and_deletes_it(client, db):
    make_product(db, name="千层毛肚")
    db.commit()
    assert client.get("/api/v1/search", params={"q": "急要毛肚"}).json()["total"] == 0
    log_in(client, make_user(db, role="admin").email)
    assert "无意义词" in client.get("/admin/search").text
    assert client.post("/admin/search/noise", data={"word": "急要"}).status_code == 303
    assert client.get("/api/v1/search", params={"q": "急要毛肚"}).json()["total"] == 1
    word = db.scalars(select(NoiseWord).where(NoiseWord.word == "急要")).one()
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "search.noise.add")).first() is not None
    assert client.post(f"/admin/search/noise/{word.id}/delete").status_code == 303
    assert client.get("/api/v1/search", params={"q": "急要毛肚"}).json()["total"] == 0
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "search.noise.delete")).first() is not None
    assert client.post(f"/admin/search/noise/{word.id}/delete").status_code == 404


def test_bad_noise_words_are_refused_next_to_the_field_and_nothing_is_saved(client, db):
    log_in(client, make_user(db, role="admin").email)
    for word, message in (
        ("毛肚", "是品类或食材名称"),
        ("求购", "已在无意义词表中"),
        ("", "请填写一个词"),
        ("a b", "一个词"),
    ):
        response = client.post("/admin/search/noise", data={"word": word})
        assert response.status_code == 422, word
        assert 'id="err_word"' in response.text
        assert message in response.text
    assert db.scalars(select(NoiseWord)).first() is None
