"""The demo set's pictures (on the demo database the search tests build): most public products have a photo,
every enterprise a logo, every base a photo; all stored through the photo pipeline and marked illustrative."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from hotpot.bases.models import BasePhoto, RawBase
from hotpot.enterprises.models import Enterprise
from hotpot.files.models import StoredFile
from hotpot.products.models import Product
from hotpot.products.photos import ProductPhoto


def test_most_public_products_have_a_photo(demo_db):
    public = demo_db.scalar(select(func.count()).select_from(Product).where(Product.is_public))
    with_photo = demo_db.scalar(
        select(func.count(func.distinct(ProductPhoto.product_id))).join(Product).where(Product.is_public)
    )
    assert public > 500
    assert 0.6 <= with_photo / public <= 0.8, (with_photo, public)
    # Every sub-category with public products has its pictures.
    categories = demo_db.scalars(select(func.distinct(Product.category_code)).where(Product.is_public)).all()
    pictured = demo_db.scalars(
        select(func.distinct(Product.category_code)).join(ProductPhoto, ProductPhoto.product_id == Product.id)
    ).all()
    assert set(categories) == set(pictured)


def test_every_enterprise_has_a_logo_and_every_base_a_photo(demo_db):
    assert demo_db.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.logo_file_id.is_(None))) == 0
    bases = demo_db.scalar(select(func.count()).select_from(RawBase))
    assert demo_db.scalar(select(func.count(func.distinct(BasePhoto.base_id)))) == bases


def test_demo_pictures_are_stored_like_uploads(demo_client, demo_db):
    photo = demo_db.scalars(select(ProductPhoto).join(Product).where(Product.is_public).limit(1)).one()
    stored = demo_db.get(StoredFile, photo.image_file_id)
    assert stored.mime_type == "image/jpeg"
    assert "示意图" in stored.filename  # named as an illustration, not a photograph
    full = demo_client.get(f"/products/{photo.product_id}/photos/{photo.id}")
    assert full.status_code == 200
    assert Image.open(io.BytesIO(full.content)).format == "JPEG"
    page = demo_client.get("/products")
    assert page.text.count("/thumb") >= 10
    enterprise = demo_db.scalars(select(Enterprise).where(Enterprise.status == "verified").limit(1)).one()
    logo = demo_client.get(f"/enterprises/{enterprise.id}/logo")
    assert logo.status_code == 200
    assert Image.open(io.BytesIO(logo.content)).size == (256, 256)
