"""Uploads: type by content, size cap, SHA-256, served as attachment."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from hotpot.files import service as files
from hotpot.files.models import StoredFile
from hotpot.validation import FieldErrors
from tests.auth.builders import log_in, make_user

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(StoredFile))


def test_store_png_detected_by_content(db):
    user = make_user(db)
    stored = files.store(db, data=PNG, filename="照片.jpg", uploaded_by=user)
    assert stored.mime_type == "image/png"  # the name said .jpg; the bytes say PNG
    assert stored.sha256 == hashlib.sha256(PNG).hexdigest()
    assert stored.size_bytes == len(PNG)
    assert stored.filename == "照片.jpg"


def test_detects_common_types():
    assert files.detect_mime(b"\xff\xd8\xff\xe0" + b"\x00" * 20) == "image/jpeg"
    assert files.detect_mime(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert files.detect_mime(b"%PDF-1.7\n") == "application/pdf"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        (b"MZ\x90\x00 this is a windows program", "文件类型不支持"),
        (b"<html><script>alert(1)</script></html>", "文件类型不支持"),
    ],
)
def test_bad_uploads_refused_and_nothing_written(db, data, message):
    before = _count(db)
    with pytest.raises(FieldErrors) as exc:
        files.store(db, data=data, filename="x.png", uploaded_by=None, field="photo")
    assert message in exc.value.errors["photo"]
    assert _count(db) == before


def test_size_cap(db, monkeypatch):
    from hotpot.config import get_settings

    monkeypatch.setattr(get_settings(), "max_upload_bytes", 1024)
    before = _count(db)
    with pytest.raises(FieldErrors) as exc:
        files.store(db, data=PNG + b"\x00" * 2000, filename="big.png", uploaded_by=None)
    assert "文件不能超过" in exc.value.errors["file"]
    assert _count(db) == before


def test_filename_cleaned():
    assert files.clean_filename("../../etc/passwd") == "passwd"
    assert files.clean_filename('C:\\Users\\a\\证书"扫描件".pdf') == "证书扫描件.pdf"
    assert files.clean_filename("") == "file"


def test_download_is_attachment_with_detected_type(client, db):
    owner = make_user(db, role="producer")
    stored = files.store(db, data=PNG, filename="毛肚 照片.png", uploaded_by=owner, is_public=True)
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "%E6%AF%9B%E8%82%9A" in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == PNG


def test_private_file_only_for_uploader_and_staff(client, make_client, db):
    owner = make_user(db, role="producer")
    stored = files.store(db, data=io.BytesIO(PNG).read(), filename="scan.png", uploaded_by=owner)
    assert client.get(f"/files/{stored.id}").status_code == 404
    log_in(client, owner.email)
    assert client.get(f"/files/{stored.id}").status_code == 200
    buyer = make_client()
    log_in(buyer, make_user(db, role="buyer").email)
    assert buyer.get(f"/files/{stored.id}").status_code == 404
