"""Friendly error pages with a request id; JSON errors for the API."""

from __future__ import annotations

from fastapi import Depends
from fastapi.testclient import TestClient

from hotpot.deps import allow_public


def test_404_page_is_friendly_and_has_request_id(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert response.headers["x-request-id"] in response.text
    assert '<html lang="zh-CN">' in response.text


def test_api_404_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_500_page_is_friendly_with_security_headers(app):
    def boom():
        raise RuntimeError("kaboom")

    app.add_api_route("/boom-test", boom, dependencies=[Depends(allow_public)])
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom-test")
    assert response.status_code == 500
    assert "服务器出错了" in response.text
    assert "kaboom" not in response.text
    assert response.headers["x-request-id"] in response.text
    assert "frame-ancestors" in response.headers["content-security-policy"]


def test_client_request_id_is_echoed_when_well_formed(client):
    assert client.get("/", headers={"X-Request-ID": "abc12345-trace"}).headers["x-request-id"] == "abc12345-trace"
    assert client.get("/", headers={"X-Request-ID": "<script>"}).headers["x-request-id"] != "<script>"


def test_html_validation_error_is_a_page_in_chinese(client, db):
    from tests.auth.builders import log_in, make_user

    log_in(client, make_user(db, role="admin").email)
    response = client.get("/admin/users?page=abc")
    assert response.status_code == 422
    assert "请求参数不正确" in response.text
    assert "page：请输入整数" in response.text
