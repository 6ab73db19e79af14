"""Logos and base photos: the same image checks as product photos."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from hotpot.bases.models import BasePhoto
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.brands.builders import make_brand_with_licence
from tests.enterprises.builders import make_enterprise, owner_of
from tests.products.builders import image_bytes


def test_enterprise_logo_upload_and_public_view(client, make_client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    bad = client.post("/my/enterprise/logo", files={"logo": ("logo.png", b"not an image", "image/png")})
    assert bad.status_code == 422
    assert "只接受 JPG、PNG、WebP 图片" in bad.text.split('id="err_logo">')[1]
    db.refresh(enterprise)
    assert enterprise.logo_file_id is None
    ok = client.post("/my/enterprise/logo", files={"logo": ("logo.png", image_bytes(size=(1200, 900)), "image/png")})
    assert ok.status_code == 303
    visitor = make_client()
    logo = visitor.get(f"/enterprises/{enterprise.id}/logo")
    assert logo.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(logo.content)).size) == 512
    assert f"/enterprises/{enterprise.id}/logo" in visitor.get(f"/enterprises/{enterprise.id}").text


def test_brand_logo_by_staff(client, db):
    brand, _ = make_brand_with_licence(db)
    log_in(client, make_user(db, role="reviewer").email)
    assert (
        client.post(
            f"/brands/{brand.id}/logo", files={"logo": ("l.webp", image_bytes("WEBP"), "image/webp")}
        ).status_code
        == 303
    )
    assert client.get(f"/brands/{brand.id}/logo").status_code == 200


def test_base_photos(client, make_client, db):
    base = make_base(db)
    log_in(client, owner_of(db, base.enterprise).email)
    r = client.post(f"/my/bases/{base.id}/photos", files={"photos": ("田.png", image_bytes(), "image/png")})
    assert r.status_code == 303
    photo = db.scalar(select(BasePhoto).where(BasePhoto.base_id == base.id))
    visitor = make_client()
    assert visitor.get(f"/bases/{base.id}/photos/{photo.id}/thumb").status_code == 200
    assert "/thumb" in visitor.get(f"/bases/{base.id}").text
    refused = client.post(f"/my/bases/{base.id}/photos", files={"photos": ("x.png", b"<svg/>", "image/png")})
    assert refused.status_code == 422
    assert db.scalar(select(func.count()).select_from(BasePhoto).where(BasePhoto.base_id == base.id)) == 1
    assert client.post(f"/my/bases/{base.id}/photos/{photo.id}/delete").status_code == 303
    assert visitor.get(f"/bases/{base.id}/photos/{photo.id}/thumb").status_code == 404
