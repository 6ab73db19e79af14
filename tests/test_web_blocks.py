"""The render-page-or-block rule (hotpot.web.render): a block only for the htmx request aimed at its element.

A boosted link or form (HX-Boosted) and an htmx request aimed at another element get the whole page; answering
them with a block (or a block's request with the whole page) puts one page inside another.
"""

from __future__ import annotations

import pytest

from tests.auth.builders import log_in, make_user

BOOSTED = {"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "results"}
AIMED = {"HX-Request": "true", "HX-Target": "results"}


def _whole_page(html: str) -> bool:
    return html.count("<main") == 1 and html.count("<footer") == 1 and "<html" in html


def test_catalogue_answers_its_filter_form_with_the_results_block(client):
    html = client.get("/products", headers=AIMED).text
    assert html.lstrip().startswith('<section id="results">')
    assert "<main" not in html
    assert "<footer" not in html


def test_catalogue_answers_a_boosted_request_with_the_whole_page(client):
    assert _whole_page(client.get("/products", headers=BOOSTED).text)


@pytest.mark.parametrize("target", ["", "page", "main", "search-results"])
def test_an_htmx_request_aimed_elsewhere_gets_the_whole_page(client, target):
    headers = {"HX-Request": "true"} | ({"HX-Target": target} if target else {})
    assert _whole_page(client.get("/products", headers=headers).text)
    assert _whole_page(client.get("/enterprises", headers=headers).text)
    assert _whole_page(client.get("/bases", headers=headers).text)


def test_a_plain_request_gets_the_whole_page(client):
    assert _whole_page(client.get("/products").text)


@pytest.mark.parametrize("path", ["/products", "/enterprises", "/bases"])
def test_list_filter_forms_replace_their_results_element_not_its_inside(client, path):
    # The block is the <section id="results"> itself: swapped into it (innerHTML) it would nest a second one.
    html = client.get(path).text
    form = html[html.index('<form class="filter-bar') :]
    form = form[: form.index(">")]
    assert 'hx-target="#results"' in form
    assert 'hx-swap="outerHTML"' in form


def test_admin_user_table_block_by_its_hyphenated_id(client, db):
    make_user(db, role="admin", email="admin-blocks@hotpot.example")
    log_in(client, "admin-blocks@hotpot.example")
    html = client.get("/admin/users", headers={"HX-Request": "true", "HX-Target": "user-table"}).text
    assert html.lstrip().startswith('<section class="card" id="user-table">')
    assert _whole_page(client.get("/admin/users", headers={"HX-Request": "true", "HX-Boosted": "true"}).text)
