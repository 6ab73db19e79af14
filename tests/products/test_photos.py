"""Product photos: checked by content, re-encoded without metadata, thumbnails, at most eight."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from hotpot.products.photos import ProductPhoto
from tests.auth.builders import log_in
from tests.enterprises.builders import make_product, owner_of
from tests.products.builders import image_bytes


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(ProductPhoto))


def test_upload_reencodes_and_serves_thumbnail(client, make_client, db):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    big = image_bytes("PNG", size=(2400, 1800))
    webp = image_bytes("WEBP", size=(300, 200))
    response = client.post(
        f"/my/products/{product.id}/photos",
        files=[("photos", ("大图.png", big, "image/png")), ("photos", ("b.webp", webp, "image/webp"))],
    )
    assert response.status_code == 303
    photos = db.scalars(select(ProductPhoto).where(ProductPhoto.product_id == product.id)).all()
    assert len(photos) == 2
    visitor = make_client()
    full = visitor.get(f"/products/{product.id}/photos/{photos[0].id}")
    assert full.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(full.content)).size) == 1600
    thumb = visitor.get(f"/products/{product.id}/photos/{photos[0].id}/thumb")
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 480
    assert "/thumb" in visitor.get(f"/products/{product.id}").text


def test_bad_images_refused_and_nothing_written(client, db):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    before = _count(db)
    for name, data in [
        ("x.png", b"<svg onload=alert(1)>"),
        ("x.jpg", b"\xff\xd8\xff\xe0broken"),
        ("x.gif", b"GIF89a\x01\x00\x01\x00"),
    ]:
        r = client.post(f"/my/products/{product.id}/photos", files={"photos": (name, data, "image/png")})
        assert r.status_code == 422, name
        assert 'id="err_photos"' in r.text
    assert _count(db) == before


def test_at_most_eight_photos(client, db):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    files = [("photos", (f"{i}.png", image_bytes(), "image/png")) for i in range(9)]
    r = client.post(f"/my/products/{product.id}/photos", files=files)
    assert r.status_code == 422
    assert "最多 8 张" in r.text
    assert _count(db) == 0


def test_draft_product_photos_are_not_public(client, make_client, db):
    product = make_product(db, published=False)
    log_in(client, owner_of(db, product.enterprise).email)
    client.post(f"/my/products/{product.id}/photos", files={"photos": ("a.png", image_bytes(), "image/png")})
    photo = db.scalar(select(ProductPhoto).where(ProductPhoto.product_id == product.id))
    assert client.get(f"/products/{product.id}/photos/{photo.id}/thumb").status_code == 200
    assert make_client().get(f"/products/{product.id}/photos/{photo.id}/thumb").status_code == 404
