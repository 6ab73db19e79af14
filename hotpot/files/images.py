"""Uploaded images: checked by content, decoded by Pillow, re-encoded as JPEG without metadata, thumbnails."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from hotpot.auth.models import User
from hotpot.files import service as files
from hotpot.files.models import StoredFile
from hotpot.validation import FieldErrors

FULL_SIDE = 1600
THUMB_SIDE = 480
# A decompression-bomb guard: no image of more than 40 megapixels is opened.
Image.MAX_IMAGE_PIXELS = 40_000_000


def open_image(data: bytes, *, field: str) -> Image.Image:
    """Decode an upload that is really a JPEG, PNG or WebP image; refuse anything else in Chinese."""
    mime = files.detect_mime(data)
    if mime not in files.IMAGE_TYPES:
        raise FieldErrors({field: f"只接受 JPG、PNG、WebP 图片（按内容识别为 {mime}）"})
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise FieldErrors({field: "图片已损坏或无法识别，请重新选择"}) from exc
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.convert("RGBA").getchannel("A"))
        image = background
    return image.convert("RGB")


def encode(image: Image.Image, side: int) -> bytes:
    """A JPEG no larger than side x side; the original's metadata (GPS, camera) is not carried over."""
    copy = image.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def store_image(
    session: Session, *, image: Image.Image, filename: str, user: User | None, field: str, side: int
) -> StoredFile:
    stem = (filename.rsplit(".", 1)[0] or "image")[:80]
    return files.store(
        session,
        data=encode(image, side),
        filename=f"{stem}.jpg",
        uploaded_by=user,
        allowed=files.IMAGE_TYPES,
        field=field,
    )


def image_response(session: Session, file_id: int | None):
    """An image we re-encoded ourselves, served inline (it is a JPEG we made, not the uploaded bytes)."""
    from fastapi import HTTPException
    from fastapi.responses import Response

    stored = session.get(StoredFile, file_id) if file_id else None
    if stored is None:
        raise HTTPException(404)
    return Response(
        stored.content,
        media_type=stored.mime_type,
        headers={"ETag": f'"{stored.sha256}"', "Cache-Control": "public, max-age=86400"},
    )


def replace_single(
    session: Session, *, upload: tuple[bytes, str] | None, user: User | None, field: str, side: int = 512
) -> int:
    """Check and keep one image (a logo); return its stored file id."""
    if not upload or not upload[0]:
        raise FieldErrors({field: "请选择要上传的图片"})
    image = open_image(upload[0], field=field)
    return store_image(session, image=image, filename=upload[1], user=user, field=field, side=side).id


def store_photo_set(
    session: Session, *, uploads: list[tuple[bytes, str]], existing: int, limit: int, noun: str, user: User | None
) -> list[tuple[Image.Image, StoredFile, StoredFile]]:
    """Check a batch of photos for a record that has `existing` of at most `limit`, then keep each as a full-size
    image and a thumbnail. Every upload is decoded before any is stored, so a bad one writes nothing."""
    uploads = [u for u in uploads if u[0]]
    if not uploads:
        raise FieldErrors({"photos": "请选择要上传的图片"})
    if existing + len(uploads) > limit:
        raise FieldErrors({"photos": f"每个{noun}最多 {limit} 张照片，当前已有 {existing} 张"})
    decoded = [(open_image(data, field="photos"), name) for data, name in uploads]
    return [
        (
            image,
            store_image(session, image=image, filename=name, user=user, field="photos", side=FULL_SIDE),
            store_image(session, image=image, filename=f"thumb-{name}", user=user, field="photos", side=THUMB_SIDE),
        )
        for image, name in decoded
    ]
