"""Photos chosen on the create form: kept with the new product in one transaction, checked like later uploads."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.files.models import StoredFile
from hotpot.products.models import Product
from hotpot.products.photos import ProductPhoto
from tests.auth.builders import log_in
from tests.enterprises.builders import make_enterprise, owner_of, product_form
from tests.products.builders import image_bytes


def _counts(db) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Product)),
        db.scalar(select(func.count()).select_from(ProductPhoto)),
        db.scalar(select(func.count()).select_from(StoredFile)),
    )


def _maker(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    return enterprise


def _fields(**overrides) -> dict[str, str]:
    return {k: str(v) for k, v in product_form(**overrides).items() if v is not None}


def test_create_form_is_multipart_with_a_photo_field(client, db):
    _maker(client, db)
    page = client.get("/my/products/new").text
    assert 'enctype="multipart/form-data"' in page
    assert 'name="photos"' in page
    assert "multiple" in page.split('name="photos"')[1].split(">")[0]


def test_create_with_photos_keeps_them_with_thumbnails(client, db):
    _maker(client, db)
    files = [
        ("photos", ("正面.png", image_bytes("PNG", size=(2000, 1500)), "image/png")),
        ("photos", ("包装.webp", image_bytes("WEBP", size=(300, 200)), "image/webp")),
    ]
    response = client.post("/my/products/new", data=_fields(name="带图毛肚"), files=files)
    assert response.status_code == 303, response.text
    product = db.scalar(select(Product).where(Product.name == "带图毛肚"))
    photos = db.scalars(
        select(ProductPhoto).where(ProductPhoto.product_id == product.id).order_by(ProductPhoto.position)
    ).all()
    assert [p.position for p in photos] == [1, 2]
    full = client.get(f"/products/{product.id}/photos/{photos[0].id}")
    thumb = client.get(f"/products/{product.id}/photos/{photos[0].id}/thumb")
    assert full.headers["content-type"] == thumb.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(full.content)).size == (1600, 1200)
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 480
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "product", AuditEvent.entity_id == str(product.id))
    ).all()
    assert sorted(actions) == ["product.create", "product.photos_add"]


def test_create_without_photos_still_works(client, db):
    _maker(client, db)
    empty = [("photos", ("", b"", "application/octet-stream"))]  # what a browser sends for an empty file input
    assert client.post("/my/products/new", data=_fields(name="无图毛肚"), files=empty).status_code == 303
    product = db.scalar(select(Product).where(Product.name == "无图毛肚"))
    assert db.scalar(select(func.count()).where(ProductPhoto.product_id == product.id)) == 0


def test_a_bad_photo_saves_nothing_and_names_the_file(client, db):
    _maker(client, db)
    before = _counts(db)
    files = [
        ("photos", ("好的.png", image_bytes(), "image/png")),
        ("photos", ("假图.png", b"<svg onload=alert(1)>", "image/png")),
    ]
    response = client.post("/my/products/new", data=_fields(name="坏图毛肚"), files=files)
    assert response.status_code == 422
    error = response.text.split('id="err_photos">')[1].split("</p>")[0]
    assert "假图.png" in error
    assert "只接受" in error
    assert 'value="坏图毛肚"' in response.text  # the other fields are kept
    assert _counts(db) == before


def test_more_than_eight_photos_refused(client, db):
    _maker(client, db)
    before = _counts(db)
    files = [("photos", (f"{i}.png", image_bytes(), "image/png")) for i in range(9)]
    response = client.post("/my/products/new", data=_fields(), files=files)
    assert response.status_code == 422
    assert "最多 8 张" in response.text.split('id="err_photos">')[1]
    assert _counts(db) == before


def test_a_photo_over_the_size_cap_refused(client, db, monkeypatch):
    from hotpot.config import get_settings

    monkeypatch.setattr(get_settings(), "max_upload_bytes", 2000)
    _maker(client, db)
    before = _counts(db)
    big = image_bytes("PNG", size=(400, 300), color="#123456") + b"\0" * 3000
    response = client.post("/my/products/new", data=_fields(), files={"photos": ("大.png", big, "image/png")})
    assert response.status_code == 422
    assert "超过" in response.text.split('id="err_photos">')[1].split("</p>")[0]
    assert _counts(db) == before


def test_field_errors_and_photo_errors_come_back_together(client, db):
    _maker(client, db)
    before = _counts(db)
    files = {"photos": ("x.gif", b"GIF89a\x01\x00\x01\x00", "image/gif")}
    response = client.post("/my/products/new", data=_fields(name="", price_min="9", price_max="3"), files=files)
    assert response.status_code == 422
    assert 'id="err_name"' in response.text
    assert 'id="err_photos"' in response.text
    assert _counts(db) == before


def test_good_photos_with_a_field_error_must_be_chosen_again(client, db):
    _maker(client, db)
    before = _counts(db)
    files = [("photos", (f"{i}.png", image_bytes(), "image/png")) for i in range(2)]
    response = client.post("/my/products/new", data=_fields(name="", spec="500g/袋"), files=files)
    assert response.status_code == 422
    assert 'value="500g/袋"' in response.text
    notice = response.text.split('id="err_photos">')[1].split("</p>")[0]
    assert "重新选择" in notice
    assert "2 张" in notice
    assert _counts(db) == before


def test_a_cross_field_error_with_photos_saves_nothing(client, db):
    """The price check runs in the service (not the schema): the photos must not be kept without the product."""
    _maker(client, db)
    before = _counts(db)
    files = {"photos": ("a.png", image_bytes(), "image/png")}
    response = client.post("/my/products/new", data=_fields(price_min="50", price_max="10"), files=files)
    assert response.status_code == 422
    assert 'id="err_price_max"' in response.text
    assert _counts(db) == before
