"""The order routes are tried in (hotpot/main.py): a request walks them until one matches, at some microseconds a
route, so the static files and the API routers (the most frequent requests) come first. That is only right while
no page route can match a path of theirs, and none of theirs a page's; these tests hold both."""

from __future__ import annotations

import re

from starlette.routing import Mount, compile_path

from hotpot import domains
from hotpot.deps import api_routes

STATIC_PROBES = ["/static/css/app.css", "/static/js/htmx.min.js", "/static/img/x.png"]


def _api_router_routes() -> set[int]:
    return {
        id(route)
        for domain in domains.installed()
        for router in domain.api_routers
        for route in domains.resolve(router).routes
    }


def _split(app) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    ours = _api_router_routes()
    api, pages = [], []
    for i, (path, _, route) in enumerate(api_routes(app)):
        (api if id(route) in ours else pages).append((i, path))
    return api, pages


def _example(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_static_files_then_the_api_routers_then_the_pages(app):
    first = app.routes[0]
    assert isinstance(first, Mount)
    assert first.path == "/static"
    api, pages = _split(app)
    assert len(api) > 20
    assert len(pages) > 100
    assert max(i for i, _ in api) < min(i for i, _ in pages)


def test_no_page_route_and_no_api_route_can_take_the_others_requests(app):
    api, pages = _split(app)
    page_regexes = [(path, compile_path(path)[0]) for _, path in pages]
    for _, path in api:
        for page, regex in page_regexes:
            assert not regex.match(_example(path)), (page, path)
    api_regexes = [(path, compile_path(path)[0]) for _, path in api]
    for _, page in pages:
        for path, regex in api_regexes:
            assert not regex.match(_example(page)), (path, page)
    for probe in STATIC_PROBES:
        for path, regex in [*page_regexes, *api_regexes]:
            assert not regex.match(probe), (path, probe)


def test_each_kind_of_request_still_reaches_its_own_route(client):
    assert client.get("/static/css/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/api/v1/search", params={"q": "毛肚"}).json()["query"] == "毛肚"
    assert client.get("/healthz").status_code == 200
    assert "<html" in client.get("/").text
    assert client.get("/api/v1/no-such-thing").headers["content-type"].startswith("application/json")
