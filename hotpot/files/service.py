"""Store uploaded bytes in PostgreSQL: type detected from content, size capped, SHA-256 kept."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import Any

import puremagic
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth.models import Role, User
from hotpot.config import get_settings
from hotpot.files.models import StoredFile
from hotpot.validation import FieldErrors

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENT_TYPES = IMAGE_TYPES | {"application/pdf"}

# Signatures checked first: the formats we accept, by their magic bytes.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
)


def detect_mime(data: bytes) -> str:
    """The type of the bytes, from their content (never from the file name the client sent)."""
    for magic, offset, mime in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    try:
        found = puremagic.magic_string(data[:8192])
    except (puremagic.PureError, ValueError):
        return "application/octet-stream"
    for match in found:
        if match.mime_type:
            return match.mime_type
    return "application/octet-stream"


def clean_filename(name: str | None) -> str:
    name = unicodedata.normalize("NFC", (name or "file").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*;').strip(" .")
    return name[:200] or "file"


def store(
    session: Session,
    *,
    data: bytes,
    filename: str | None,
    uploaded_by: User | None,
    allowed: frozenset[str] = DOCUMENT_TYPES,
    field: str = "file",
    is_public: bool = False,
) -> StoredFile:
    """Check and keep one upload; raise FieldErrors (in Chinese) for an empty, too large or wrong-type file."""
    cap = get_settings().max_upload_bytes
    if not data:
        raise FieldErrors({field: "文件为空，请重新选择"})
    if len(data) > cap:
        raise FieldErrors({field: f"文件不能超过 {cap // (1024 * 1024)} MB"})
    mime = detect_mime(data)
    if mime not in allowed:
        kinds = "、".join(sorted({m.split("/")[1].upper().replace("JPEG", "JPG") for m in allowed}))
        raise FieldErrors({field: f"文件类型不支持（按内容识别为 {mime}），只接受 {kinds}"})
    stored = StoredFile(
        sha256=hashlib.sha256(data).hexdigest(),
        mime_type=mime,
        size_bytes=len(data),
        filename=clean_filename(filename),
        content=data,
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
        is_public=is_public,
    )
    return changes.created(session, stored, actor=uploaded_by, action="file.upload")


def readable(session: Session, *, file_id: int, user: User | None) -> StoredFile | None:
    """The file if this user may download it: public files to all, others to their uploader and staff."""
    stored = session.get(StoredFile, file_id)
    if stored is None:
        return None
    if stored.is_public:
        return stored
    if user is not None and (user.id == stored.uploaded_by_id or user.role in (Role.admin, Role.reviewer)):
        return stored
    return None


def read_upload(upload: Any) -> tuple[bytes, str] | None:
    """Bytes and name of an uploaded form file, reading at most one byte past the cap (store() refuses that)."""
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", None):
        return None
    data = upload.file.read(get_settings().max_upload_bytes + 1)
    return data, upload.filename


def read_uploads(value: Any) -> list[tuple[bytes, str]]:
    values = value if isinstance(value, list) else [value]
    return [u for u in (read_upload(v) for v in values) if u is not None]


def hold_token(stored: StoredFile, *, key: str) -> str:
    """A token for a hidden form field that names a file uploaded in a failed try, so the next try keeps it.

    key is a secret of the browser (its CSRF cookie): the token is worthless in another browser, and the file
    must still be the same user's upload when it is redeemed.
    """
    mac = hmac.new(key.encode(), f"held-file:{stored.id}:{stored.uploaded_by_id}".encode(), hashlib.sha256)
    return f"{stored.id}.{mac.hexdigest()}"


def held_file(session: Session, *, token: object, key: str, user: User) -> StoredFile | None:
    """The file a hold_token names, if the token is genuine and the file is this user's upload; else None."""
    if not isinstance(token, str) or not key or "." not in token or len(token) > 100:
        return None
    raw_id = token.partition(".")[0]
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None
    stored = session.get(StoredFile, int(raw_id))
    if stored is None or stored.uploaded_by_id != user.id:
        return None
    if not hmac.compare_digest(hold_token(stored, key=key), token):
        return None
    return stored


def take(
    session: Session, *, user: User, upload: tuple[bytes, str] | None, held: StoredFile | None, field: str
) -> tuple[StoredFile | None, dict[str, str]]:
    """The document of this try of a form: a newly chosen one is checked and stored at once, so that it survives
    an error in another field; without a new choice, the one kept from the last try. Returns it and its error."""
    if not upload:
        return held, {}
    data, filename = upload
    try:
        return store(session, data=data, filename=filename, uploaded_by=user, field=field), {}
    except FieldErrors as exc:
        return held, exc.errors
