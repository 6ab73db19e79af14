"""Typed builders for product photos, and small real images to upload."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy.orm import Session

from hotpot.products import media
from hotpot.products.models import Product
from hotpot.products.photos import ProductPhoto
from tests.enterprises.builders import owner_of


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color: str = "#c8322b") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def make_photo(session: Session, *, product: Product) -> ProductPhoto:
    owner = owner_of(session, product.enterprise)
    return media.add_photos(session, user=owner, product=product, uploads=[(image_bytes(), "毛肚.png")])[0]
