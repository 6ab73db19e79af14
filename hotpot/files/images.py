"""Uploaded images: checked by content, decoded by Pillow, re-encoded as JPEG without metadata, thumbnails."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import ExifTags, Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.auth.models import User
from hotpot.files import service as files
from hotpot.files.models import StoredFile
from hotpot.validation import FieldErrors

FULL_SIDE = 1600
THUMB_SIDE = 480
# Decompression bombs: a PNG of a few kilobytes may declare 8000x8000 pixels, and decoding it costs hundreds of
# megabytes. The size in the header is read before anything is decoded, and an image over its format's limit is
# refused (Pillow by itself only warns between MAX_IMAGE_PIXELS and twice that). The limits keep one decode near
# 100 MB (measured with Pillow 13: a baseline JPEG, what cameras and phones write, is decoded at 1/2 to 1/8 scale and
# costs about 1.5 bytes a pixel; a progressive JPEG about 4; an RGBA PNG about 10; a WebP about 16).
MAX_JPEG_PIXELS = 50_000_000
MAX_PROGRESSIVE_JPEG_PIXELS = 25_000_000
MAX_PNG_PIXELS = 10_000_000
MAX_WEBP_PIXELS = 6_000_000
# All the images of one request together (eight large photos); they are decoded one at a time.
MAX_REQUEST_PIXELS = 200_000_000
_FORMAT_LIMITS = {"PNG": ("PNG", MAX_PNG_PIXELS), "WEBP": ("WebP", MAX_WEBP_PIXELS)}
# Pillow's own guard as a second line, at the highest of our limits, its warning raised as an error.
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
# Pillow's transpositions for each EXIF orientation (as ImageOps.exif_transpose), applied after shrinking.
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _megapixels(pixels: int) -> str:
    return f"{pixels / 10_000:.0f} 万像素"


@dataclass(frozen=True)
class Probe:
    """What an image's header says, read without decoding its pixels."""

    width: int  # as shown, after the EXIF orientation
    height: int
    pixels: int


def probe(data: bytes, *, field: str) -> Probe:
    """Check an upload's type by content and its pixel size from the header only; refuse it in Chinese."""
    mime = files.detect_mime(data)
    if mime not in files.IMAGE_TYPES:
        raise FieldErrors({field: f"只接受 JPG、PNG、WebP 图片（按内容识别为 {mime}）"})
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            kind, limit = _pixel_limit(image)
            orientation = _orientation(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard (its warning is an error here): over every limit below.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = _megapixels(int(found.group(1))) if found else f"超过 {_megapixels(MAX_JPEG_PIXELS)}"
        limit = _megapixels(MAX_JPEG_PIXELS)
        raise FieldErrors({field: f"图片像素过大（{size}）：每张最多 {limit}，请缩小后再上传"}) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise FieldErrors({field: "图片已损坏或无法识别，请重新选择"}) from exc
    pixels = width * height
    if pixels > limit:
        raise FieldErrors(
            {
                field: f"图片像素过大（{width}×{height}，{_megapixels(pixels)}）：{kind} 图片每张最多 "
                f"{_megapixels(limit)}，请缩小后再上传"
            }
        )
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Probe(width=width, height=height, pixels=pixels)


def _pixel_limit(image: Image.Image) -> tuple[str, int]:
    """The name of the image's kind and its largest pixel count."""
    if image.format == "JPEG":
        if image.info.get("progressive") or image.info.get("progression"):
            return "渐进式 JPG", MAX_PROGRESSIVE_JPEG_PIXELS
        return "JPG", MAX_JPEG_PIXELS
    return _FORMAT_LIMITS.get(image.format or "", (image.format or "图片", MAX_WEBP_PIXELS))


def _orientation(image: Image.Image) -> int:
    if image.format == "PNG" and "exif" not in image.info:
        return 1  # Pillow would decode the whole PNG to look for an EXIF block after the pixels
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:  # a garbled EXIF block only loses the rotation, not the photo
        return 1


def open_image(data: bytes, *, field: str, side: int = FULL_SIDE) -> Image.Image:
    """Decode an upload that is really a JPEG, PNG or WebP image, shrunk to fit side x side, upright, in RGB.

    The header is checked first (probe); only the shrunken copy outlives this call."""
    probe(data, field=field)
    try:
        image = Image.open(io.BytesIO(data))
        orientation = _orientation(image)
        if image.format == "JPEG":
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale: a 48-megapixel photo never exists in memory at full size.
            image.draft("RGB", (side, side))
        image.load()
        if image.mode in ("1", "P") and max(image.size) > 2 * side:
            # These modes only resize by nearest neighbour; do that to twice the size before converting, so a
            # large palette image is never expanded to RGBA at full size.
            image.thumbnail((2 * side, 2 * side), Image.Resampling.NEAREST)
        if image.mode not in ("RGB", "L", "RGBA", "LA"):
            image = image.convert("L" if image.mode == "1" else "RGBA" if "transparency" in image.info else "RGB")
        image.thumbnail((side, side))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise FieldErrors({field: "图片已损坏或无法识别，请重新选择"}) from exc
    if orientation in _ORIENTATION:
        image = image.transpose(_ORIENTATION[orientation])
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
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
    return _store_jpeg(session, encode(image, side), filename=filename, user=user, field=field)


def image_response(session: Session, file_id: int | None, *, request=None):
    """An image we re-encoded ourselves, served inline (it is a JPEG we made, not the uploaded bytes)."""
    from fastapi import HTTPException

    from hotpot.responses import PUBLIC_DAY, file_response

    stored = session.get(StoredFile, file_id) if file_id else None
    if stored is None:
        raise HTTPException(404)
    return file_response(
        stored.content, media_type=stored.mime_type, inline=True, etag=stored.sha256, cache=PUBLIC_DAY, request=request
    )


def replace_single(
    session: Session, *, upload: tuple[bytes, str] | None, user: User | None, field: str, side: int = 512
) -> int:
    """Check and keep one image (a logo); return its stored file id."""
    if not upload or not upload[0]:
        raise FieldErrors({field: "请选择要上传的图片"})
    image = open_image(upload[0], field=field, side=side)
    return store_image(session, image=image, filename=upload[1], user=user, field=field, side=side).id


def check_photo_set(uploads: list[tuple[bytes, str]], *, field: str = "photos") -> list[Probe]:
    """Read every upload's header (nothing decoded): each one's type and size, then the request's total pixels.
    Every bad file is named in one message."""
    probes: list[Probe] = []
    problems: list[str] = []
    for number, (data, name) in enumerate(uploads, start=1):
        try:
            probes.append(probe(data, field=field))
        except FieldErrors as exc:
            label = f"第 {number} 张（{name}）" if name else f"第 {number} 张"
            problems.append(f"{label}：{exc.errors[field]}" if len(uploads) > 1 else exc.errors[field])
    if problems:
        raise FieldErrors({field: "；".join(problems)})
    total = sum(p.pixels for p in probes)
    if total > MAX_REQUEST_PIXELS:
        raise FieldErrors(
            {
                field: f"这些图片合计 {_megapixels(total)}，一次最多上传 {_megapixels(MAX_REQUEST_PIXELS)}："
                "请分几次上传，或缩小后再上传"
            }
        )
    return probes


def store_photo_set(
    session: Session, *, uploads: list[tuple[bytes, str]], existing: int, limit: int, noun: str, user: User | None
) -> list[tuple[Probe, StoredFile, StoredFile]]:
    """Check a batch of photos for a record that has `existing` of at most `limit`, then keep each as a full-size
    image and a thumbnail. Every header is checked before anything is decoded or stored, and the photos are decoded
    one at a time (only one decoded image is in memory at once); a bad one fails the whole request (rolled back)."""
    uploads = [u for u in uploads if u[0]]
    if not uploads:
        raise FieldErrors({"photos": "请选择要上传的图片"})
    if existing + len(uploads) > limit:
        raise FieldErrors({"photos": f"每个{noun}最多 {limit} 张照片，当前已有 {existing} 张"})
    probes = check_photo_set(uploads)
    encoded = []
    for data, name in uploads:
        # One decoded image at a time; only its two small JPEGs are kept until every upload has been decoded.
        image = open_image(data, field="photos", side=FULL_SIDE)
        encoded.append((name, encode(image, FULL_SIDE), encode(image, THUMB_SIDE)))
        image.close()
        del image
    return [
        (
            found,
            _store_jpeg(session, full, filename=name, user=user, field="photos"),
            _store_jpeg(session, thumb, filename=f"thumb-{name}", user=user, field="photos"),
        )
        for found, (name, full, thumb) in zip(probes, encoded, strict=True)
    ]


def _store_jpeg(session: Session, data: bytes, *, filename: str, user: User | None, field: str) -> StoredFile:
    stem = (filename.rsplit(".", 1)[0] or "image")[:80]
    return files.store(
        session, data=data, filename=f"{stem}.jpg", uploaded_by=user, allowed=files.IMAGE_TYPES, field=field
    )


def share_photos(
    session: Session,
    *,
    photo_model: type,
    owner_field: str,
    copies: list[tuple[User, Any, Any]],
    max_photos: int,
    limit_message: str,
    action: str,
    entity_type: str,
    copied: tuple[str, ...] = ("image_file_id", "thumb_file_id"),
) -> list[Any]:
    """Put existing photos on other records too, sharing their stored files (the demo set repeats its pictures):
    one insert for all, positions after each record's own photos, one audit event per record. The caller checks
    that each user may manage each record."""
    owner_column = getattr(photo_model, owner_field)
    ids = [record.id for _user, record, _source in copies]
    counts = dict(
        session.execute(select(owner_column, func.count()).where(owner_column.in_(ids)).group_by(owner_column)).all()
    )
    added = []
    for _user, record, source in copies:
        counts[record.id] = counts.get(record.id, 0) + 1
        if counts[record.id] > max_photos:
            raise FieldErrors({"photos": limit_message})
        values = {name: getattr(source, name) for name in copied}
        added.append(photo_model(**{owner_field: record.id}, position=counts[record.id], **values))
    session.add_all(added)
    session.flush()
    for (user, record, _source), photo in zip(copies, added, strict=True):
        audit.record(
            session,
            actor=user,
            action=action,
            entity_type=entity_type,
            entity_id=record.id,
            after={"photos": [photo.id]},
        )
    return added
