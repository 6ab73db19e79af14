"""The one response for file bytes (hotpot/responses.py), and the routes that serve files through it."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.requests import Request

from hotpot.files import service as files
from hotpot.responses import PRIVATE, PUBLIC_DAY, ascii_filename, content_disposition, file_response
from tests.auth.builders import log_in, make_user
from tests.certificates.builders import PDF, make_certificate
from tests.enterprises.builders import make_enterprise, make_product, owner_of
from tests.products.builders import image_bytes, make_photo


def _request(headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b""})


def test_an_attachment_with_a_chinese_name():
    response = file_response(PDF, media_type="application/pdf", filename="毛肚检测报告.pdf", fallback_name="scan")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"scan.pdf\"; filename*=UTF-8''" + quote("毛肚检测报告.pdf", safe="")
    )
    assert response.headers["content-length"] == str(len(PDF))
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == PRIVATE
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.body == PDF


@pytest.mark.parametrize(
    ("name", "fallback", "expected"),
    [
        ("毛肚检测报告.pdf", "scan", "scan.pdf"),
        ("SC licence 2024.PDF", "scan", "SC_licence_2024.PDF"),
        ("营业执照", "licence", "licence"),
        ('a"b\\c\r\nSet-Cookie: x=1.png', "file", "a_b_c_Set-Cookie_x_1.png"),
        ("Ｒｅｐｏｒｔ.xlsx", "export", "Report.xlsx"),
        (".htaccess", "file", "file.htaccess"),
        ("", "file", "file"),
    ],
)
def test_the_ascii_name_keeps_letters_and_the_extension_and_never_breaks_the_header(name, fallback, expected):
    assert ascii_filename(name, fallback) == expected
    header = content_disposition(name, fallback=fallback)
    assert "\r" not in header
    assert "\n" not in header
    assert header.count('"') == 2


def test_an_inline_image_with_an_etag_answers_304_when_the_client_has_it():
    image = image_bytes()
    first = file_response(image, media_type="image/jpeg", inline=True, etag="abc123", cache=PUBLIC_DAY)
    assert first.headers["etag"] == '"abc123"'
    assert first.headers["cache-control"] == "public, max-age=86400"
    assert "content-disposition" not in first.headers
    again = file_response(
        image, media_type="image/jpeg", inline=True, etag="abc123", request=_request({"If-None-Match": '"abc123"'})
    )
    assert again.status_code == 304
    assert again.body == b""
    assert again.headers["etag"] == '"abc123"'
    changed = file_response(
        image, media_type="image/jpeg", inline=True, etag="abc123", request=_request({"If-None-Match": '"old"'})
    )
    assert changed.status_code == 200
    assert changed.body == image


def test_a_download_through_the_app_has_every_header(client, db):
    owner = make_user(db, role="producer")
    stored = files.store(db, data=PDF, filename="合川毛肚检验报告.pdf", uploaded_by=owner)
    db.flush()
    log_in(client, owner.email)
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''" + quote("合川毛肚检验报告.pdf", safe="")
    )
    assert response.headers["content-length"] == str(len(PDF))
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"  # the middleware's rule for a logged-in user
    assert response.headers["etag"] == f'"{stored.sha256}"'
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_scans_and_licences_are_private_attachments_with_their_names(client, db):
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    cert = make_certificate(db, enterprise=enterprise, with_scan=True)
    enterprise.licence_file_id = files.store(db, data=PDF, filename="营业执照副本.pdf", uploaded_by=owner).id
    db.flush()
    log_in(client, owner.email)
    scan = client.get(f"/certificates/{cert.id}/scan")
    assert scan.status_code == 200
    assert scan.headers["content-disposition"] == (
        "attachment; filename=\"scan.pdf\"; filename*=UTF-8''" + quote("许可证.pdf", safe="")
    )
    assert scan.headers["content-length"] == str(len(scan.content))
    assert scan.headers["content-security-policy"] == "default-src 'none'; sandbox"
    licence = client.get(f"/enterprises/{enterprise.id}/licence")
    assert licence.status_code == 200
    assert licence.headers["content-disposition"] == (
        "attachment; filename=\"licence.pdf\"; filename*=UTF-8''" + quote("营业执照副本.pdf", safe="")
    )
    assert licence.headers["x-content-type-options"] == "nosniff"


def test_photos_are_cached_a_day_for_visitors_and_revalidate_with_304(client, db):
    product = make_product(db)
    photo = make_photo(db, product=product)
    db.flush()
    url = f"/products/{product.id}/photos/{photo.id}/thumb"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/jpeg"
    assert first.headers["cache-control"] == "public, max-age=86400"
    assert first.headers["content-length"] == str(len(first.content))
    assert "content-disposition" not in first.headers
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
