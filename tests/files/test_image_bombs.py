"""Decompression bombs: images are refused by the size in their header, before any pixel is decoded."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from hotpot.files import images
from hotpot.files.models import StoredFile
from hotpot.products.photos import ProductPhoto
from hotpot.validation import FieldErrors
from tests.auth.builders import log_in
from tests.enterprises.builders import make_product, owner_of

# As in production (hotpot/files/images.py), where Pillow's warning is an error; pytest resets warning filters.
pytestmark = pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")


def bomb_png(side: int = 8000) -> bytes:
    """A one-bit PNG of side x side pixels: a few kilobytes that decode to side*side bytes and more."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def jpeg(size: tuple[int, int], **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#c8322b").save(out, format="JPEG", quality=50, **save)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return bomb_png()


@pytest.fixture
def decodes(monkeypatch) -> list[tuple[int, int]]:
    """The sizes of the images Pillow decoded during the test (every format decodes through ImageFile.load)."""
    seen: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self):
        seen.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def _counts(db) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(ProductPhoto)),
        db.scalar(select(func.count()).select_from(StoredFile)),
    )


def test_bomb_is_small_and_large(bomb):
    assert len(bomb) < 30_000
    assert struct.unpack(">II", bomb[16:24]) == (8000, 8000)  # the IHDR chunk


def test_bomb_refused_by_its_header_before_decoding(client, db, bomb, decodes):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    before = _counts(db)
    r = client.post(f"/my/products/{product.id}/photos", files={"photos": ("bomb.png", bomb, "image/png")})
    assert r.status_code == 422
    error = r.text.split('id="err_photos"')[1].split("</")[0]
    assert "图片像素过大" in error
    assert "6400 万像素" in error
    assert decodes == []
    assert _counts(db) == before


def test_pillow_warning_zone_is_an_error_too(bomb):
    """Between Pillow's MAX_IMAGE_PIXELS and twice that Pillow only warns; here it is refused."""
    assert Image.MAX_IMAGE_PIXELS < 8000 * 8000 < 2 * Image.MAX_IMAGE_PIXELS
    with pytest.raises(FieldErrors) as refused:
        images.probe(bomb, field="logo")
    assert "图片像素过大" in refused.value.errors["logo"]


def test_seven_bombs_in_one_request_refused_each_named(client, db, bomb, decodes):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    before = _counts(db)
    files = [("photos", (f"b{i}.png", bomb, "image/png")) for i in range(7)]
    r = client.post(f"/my/products/{product.id}/photos", files=files)
    assert r.status_code == 422
    error = r.text.split('id="err_photos"')[1].split("</")[0]
    assert error.count("图片像素过大") == 7
    assert "第 7 张（b6.png）" in error
    assert decodes == []
    assert _counts(db) == before


def test_png_just_over_its_limit_names_its_size(bomb, decodes):
    side = int(images.MAX_PNG_PIXELS**0.5) + 1
    with pytest.raises(FieldErrors) as refused:
        images.probe(bomb_png(side), field="photos")
    assert f"{side}×{side}" in refused.value.errors["photos"]
    assert "PNG 图片每张最多 1000 万像素" in refused.value.errors["photos"]
    assert decodes == []


def test_logo_bomb_refused(client, db, bomb, decodes):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    r = client.post("/my/enterprise/logo", files={"logo": ("logo.png", bomb, "image/png")})
    assert r.status_code == 422
    assert "图片像素过大" in r.text.split('id="err_logo">')[1].split("</")[0]
    assert decodes == []


def test_total_pixels_per_request_capped_before_decoding(client, db, decodes):
    """Seven 30-megapixel camera JPEGs are each allowed, but not all in one request (210 > 200 megapixels)."""
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    photo = jpeg((6000, 5000))
    assert images.MAX_JPEG_PIXELS >= 6000 * 5000
    assert images.MAX_REQUEST_PIXELS < 7 * 6000 * 5000
    before = _counts(db)
    files = [("photos", (f"{i}.jpg", photo, "image/jpeg")) for i in range(7)]
    r = client.post(f"/my/products/{product.id}/photos", files=files)
    assert r.status_code == 422
    error = r.text.split('id="err_photos"')[1].split("</")[0]
    assert "合计 21000 万像素" in error
    assert "一次最多上传 20000 万像素" in error
    assert decodes == []
    assert _counts(db) == before


def test_large_camera_jpeg_decoded_at_reduced_scale(db, decodes):
    """A 30-megapixel baseline JPEG is accepted, and libjpeg never decodes it at full size."""
    image = images.open_image(jpeg((6000, 5000)), field="photos")
    assert image.size == (1600, 1333)
    assert decodes
    assert max(w * h for w, h in decodes) <= 3000 * 2500


def test_progressive_jpeg_has_the_lower_limit():
    with pytest.raises(FieldErrors) as refused:
        images.probe(jpeg((6000, 5000), progressive=True), field="photos")
    assert "渐进式 JPG 图片每张最多 2500 万像素" in refused.value.errors["photos"]


def test_exif_orientation_still_applied(client, db):
    """The photo is turned upright (EXIF orientation 6: rotated 90 degrees) after shrinking, and its recorded
    size is the upright one."""
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    Image.new("RGB", (400, 200), "#c8322b").save(out, format="JPEG", exif=exif.tobytes())
    r = client.post(f"/my/products/{product.id}/photos", files={"photos": ("p.jpg", out.getvalue(), "image/jpeg")})
    assert r.status_code == 303
    photo = db.scalar(select(ProductPhoto).where(ProductPhoto.product_id == product.id))
    assert (photo.width, photo.height) == (200, 400)
    stored = db.get(StoredFile, photo.image_file_id)
    assert Image.open(io.BytesIO(stored.content)).size == (200, 400)
