"""Product photos: check the upload by content, re-encode it (dropping metadata), keep a thumbnail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Integer, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth.models import User
from hotpot.config import get_settings
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise
from hotpot.errors import NotAllowed
from hotpot.files import images
from hotpot.products import service as product_service
from hotpot.products.models import Product
from hotpot.products.photos import MAX_PHOTOS, ProductPhoto
from hotpot.products.schemas import ProductIn
from hotpot.validation import FieldErrors, check_version, parse_form

# Said next to the photo field when the photos were fine but another field was not: browsers cannot refill a file
# input, and we do not keep photos of a product that was not created.
CHOOSE_AGAIN = "照片尚未保存：请先改正上面标出的错误，再重新选择这 {n} 张照片后提交（浏览器不能自动保留已选的文件）"


def photos_of(session: Session, *, product: Product) -> list[ProductPhoto]:
    return list(
        session.scalars(
            select(ProductPhoto).where(ProductPhoto.product_id == product.id).order_by(ProductPhoto.position)
        )
    )


def check_uploads(uploads: list[tuple[bytes, str]], *, existing: int = 0) -> None:
    """The checks add_photos makes (count, size, type by content, decodable), writing nothing."""
    uploads = [u for u in uploads if u[0]]
    if existing + len(uploads) > MAX_PHOTOS:
        raise FieldErrors({"photos": f"每个产品最多 {MAX_PHOTOS} 张照片，本次选择了 {len(uploads)} 张"})
    cap = get_settings().max_upload_bytes
    for data, name in uploads:
        if len(data) > cap:
            raise FieldErrors({"photos": f"照片“{name}”超过 {cap // (1024 * 1024)} MB，请压缩后重新选择"})
        try:
            images.open_image(data, field="photos")
        except FieldErrors as exc:
            raise FieldErrors({"photos": f"照片“{name}”：{exc.errors['photos']}"}) from exc


def create_with_photos(
    session: Session, *, user: User, enterprise: Enterprise, form: dict[str, Any], uploads: list[tuple[bytes, str]]
) -> Product:
    """A new draft product and its photos from the create form, in one go. Every field and every photo is checked
    first and all errors come back together; then the product and its photos are kept together or not at all."""
    errors: dict[str, str] = {}
    data = None
    try:
        data = parse_form(ProductIn, {k: v for k, v in form.items() if k != "photos"})
        product_service.check(session, enterprise=enterprise, data=data)
    except FieldErrors as exc:
        errors.update(exc.errors)
    try:
        check_uploads(uploads)
    except FieldErrors as exc:
        errors.update(exc.errors)
    chosen = [u for u in uploads if u[0]]
    if errors:
        if chosen and "photos" not in errors:
            errors["photos"] = CHOOSE_AGAIN.format(n=len(chosen))
        raise FieldErrors(errors)
    with session.begin_nested():
        product = product_service.create(session, user=user, enterprise=enterprise, data=data)
        if chosen:
            add_photos(session, user=user, product=product, uploads=chosen)
    return product


def add_photos(
    session: Session, *, user: User, product: Product, uploads: list[tuple[bytes, str]], version: int | None = None
) -> list[ProductPhoto]:
    """Add photos to a product (at most eight in all); every upload is checked before any is kept. The photos are
    part of the product's record: the change bumps its version (`version`: the page's, None: not checked)."""
    if not enterprise_service.can_manage(user, product.enterprise):
        raise NotAllowed("这不是您企业的产品，不能修改。")
    check_version(product, version)
    existing = session.scalar(select(func.count()).where(ProductPhoto.product_id == product.id)) or 0
    stored = images.store_photo_set(
        session, uploads=uploads, existing=existing, limit=MAX_PHOTOS, noun="产品", user=user
    )
    added = []
    with changes.tracked(session, product, actor=user, action="product.photos_add", bump_first=True) as change:
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
        change.before, change.after = None, {"photos": [p.id for p in added]}
    return added


def add_photo_copies(session: Session, *, copies: list[tuple[User, Product, ProductPhoto]]) -> list[ProductPhoto]:
    """Show other products' photos on these products too, sharing their stored files: the demo set repeats its
    pictures, and the same bytes through the pipeline would give the same files again. One insert for all."""
    for user, product, _source in copies:
        if not enterprise_service.can_manage(user, product.enterprise):
            raise NotAllowed("这不是您企业的产品，不能修改。")
    return images.share_photos(
        session,
        photo_model=ProductPhoto,
        owner_field="product_id",
        copies=copies,
        max_photos=MAX_PHOTOS,
        limit_message=f"每个产品最多 {MAX_PHOTOS} 张照片",
        action="product.photos_add",
        entity_type="product",
        copied=("image_file_id", "thumb_file_id", "width", "height"),
    )


def remove_photo(session: Session, *, user: User, product: Product, photo_id: int, version: int | None = None) -> bool:
    """Remove one photo of the product (False: not one of its photos); bumps the product's version like an edit."""
    if not enterprise_service.can_manage(user, product.enterprise):
        raise NotAllowed("这不是您企业的产品，不能修改。")
    photo = session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product.id:
        return False
    with changes.tracked(
        session, product, actor=user, action="product.photo_remove", version=version, bump_first=True
    ) as change:
        session.delete(photo)
        change.before, change.after = {"photo": photo_id}, None
    return True


def photo_bytes(session: Session, *, product: Product, photo_id: int, thumb: bool) -> tuple[bytes, str] | None:
    photo = session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product.id:
        return None
    from hotpot.files.models import StoredFile

    stored = session.get(StoredFile, photo.thumb_file_id if thumb else photo.image_file_id)
    return (stored.content, stored.sha256) if stored else None


# Built once: a list page's statement costs no construction, and its compiled form is SQLAlchemy's cached one.
PRODUCT_IDS = bindparam("product_ids", type_=ARRAY(Integer))
_FIRST_PHOTOS = (
    select(ProductPhoto.product_id, ProductPhoto.id)
    .where(ProductPhoto.product_id == any_(PRODUCT_IDS))
    .ext(distinct_on(ProductPhoto.product_id))
    .order_by(ProductPhoto.product_id, ProductPhoto.position)
)
_FIRST_PHOTO_ROWS = _FIRST_PHOTOS.subquery()
# first_photos as a JSON array of [product id, photo id] pairs (read it with `pairs`), a scalar subquery for a
# statement that asks more of the same page; its parameter is PRODUCT_IDS.
FIRST_PHOTOS_JSON = select(
    func.json_agg(func.json_build_array(_FIRST_PHOTO_ROWS.c.product_id, _FIRST_PHOTO_ROWS.c.id))
).scalar_subquery()


def first_photos(session: Session, product_ids: list[int]) -> dict[int, int]:
    """The first photo of each product (one query for a whole list page)."""
    if not product_ids:
        return {}
    return dict(session.execute(_FIRST_PHOTOS, {"product_ids": list(product_ids)}).all())


def pairs(found) -> dict:
    """A JSON array of [key, value] pairs (or NULL) as a dict."""
    return dict(found or ())
