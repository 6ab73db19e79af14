"""Product photos: check the upload by content, re-encode it (dropping metadata), keep a thumbnail."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.auth.models import User
from hotpot.enterprises import service as enterprise_service
from hotpot.files import images
from hotpot.products.models import Product
from hotpot.products.photos import MAX_PHOTOS, ProductPhoto


def photos_of(session: Session, *, product: Product) -> list[ProductPhoto]:
    return list(
        session.scalars(
            select(ProductPhoto).where(ProductPhoto.product_id == product.id).order_by(ProductPhoto.position)
        )
    )


def add_photos(
    session: Session, *, user: User, product: Product, uploads: list[tuple[bytes, str]]
) -> list[ProductPhoto]:
    """Add photos to a product (at most eight in all); every upload is checked before any is kept."""
    if not enterprise_service.can_manage(user, product.enterprise):
        raise PermissionError("not this producer's product")
    existing = session.scalar(select(func.count()).where(ProductPhoto.product_id == product.id)) or 0
    stored = images.store_photo_set(
        session, uploads=uploads, existing=existing, limit=MAX_PHOTOS, noun="产品", user=user
    )
    added = []
    for position, (image, full, thumb) in enumerate(stored, start=existing + 1):
        photo = ProductPhoto(
            product_id=product.id,
            position=position,
            image_file_id=full.id,
            thumb_file_id=thumb.id,
            width=image.width,
            height=image.height,
        )
        session.add(photo)
        added.append(photo)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="product.photos_add",
        entity_type="product",
        entity_id=product.id,
        after={"photos": [p.id for p in added]},
    )
    return added


def remove_photo(session: Session, *, user: User, product: Product, photo_id: int) -> bool:
    if not enterprise_service.can_manage(user, product.enterprise):
        raise PermissionError("not this producer's product")
    photo = session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product.id:
        return False
    session.delete(photo)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="product.photo_remove",
        entity_type="product",
        entity_id=product.id,
        before={"photo": photo_id},
    )
    return True


def photo_bytes(session: Session, *, product: Product, photo_id: int, thumb: bool) -> tuple[bytes, str] | None:
    photo = session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product.id:
        return None
    from hotpot.files.models import StoredFile

    stored = session.get(StoredFile, photo.thumb_file_id if thumb else photo.image_file_id)
    return (stored.content, stored.sha256) if stored else None


def first_photos(session: Session, product_ids: list[int]) -> dict[int, int]:
    """The first photo of each product (one query for a whole list page)."""
    if not product_ids:
        return {}
    stmt = (
        select(ProductPhoto.product_id, ProductPhoto.id)
        .where(ProductPhoto.product_id.in_(product_ids))
        .ext(distinct_on(ProductPhoto.product_id))
        .order_by(ProductPhoto.product_id, ProductPhoto.position)
    )
    return dict(session.execute(stmt).all())
