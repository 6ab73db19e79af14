"""The one response for file bytes (downloads, licence scans, photos, exports): type, name, length, caching, nosniff."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

# Files that may carry personal data (scans, licences, uploads): no browser or proxy keeps a copy.
PRIVATE = "private, no-store"
# Images we re-encoded ourselves (photos, logos): a day in any cache. The middleware still makes every response to
# a logged-in user no-store, so a hidden record's photo seen by its owner is not kept either.
PUBLIC_DAY = "public, max-age=86400"
# A file opened on its own runs nothing and loads nothing, whatever its bytes turn out to be.
SANDBOX = "default-src 'none'; sandbox"

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_filename(filename: str | None, fallback: str) -> str:
    """The name for clients that ignore filename*: the ASCII letters of filename, else fallback, keeping the
    extension (毛肚检测报告.pdf -> scan.pdf); never a quote, a backslash or a line break."""
    name = unicodedata.normalize("NFKD", filename or "").encode("ascii", "ignore").decode()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = _UNSAFE_ASCII.sub("_", stem).strip("._-")
    ext = _UNSAFE_ASCII.sub("", ext)[:10]
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = fallback
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str | None, *, fallback: str = "file", inline: bool = False) -> str:
    """`attachment` (or `inline`) with an ASCII filename= and the full UTF-8 name in filename*= (RFC 6266 / 5987)."""
    kind = "inline" if inline else "attachment"
    if not filename:
        return f'{kind}; filename="{fallback}"'
    return f"{kind}; filename=\"{ascii_filename(filename, fallback)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(
    content: bytes,
    *,
    media_type: str,
    filename: str | None = None,
    fallback_name: str = "file",
    inline: bool = False,
    etag: str | None = None,
    cache: str = PRIVATE,
    request: Request | None = None,
) -> Response:
    """File bytes as a response: its type (never sniffed), its name as an attachment unless inline, its length,
    the caching rule, an ETag (a 304 when the request's If-None-Match already has it) and a sandboxing CSP.

    etag is the bare value (a sha256); it is sent quoted.
    """
    headers = {
        "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX,
    }
    if etag:
        headers["ETag"] = f'"{etag}"'
        sent = request.headers.get("If-None-Match", "") if request is not None else ""
        if headers["ETag"] in [t.strip().removeprefix("W/") for t in sent.split(",")]:
            return Response(status_code=304, headers=headers)
    if filename is not None or not inline:
        headers["Content-Disposition"] = content_disposition(filename, fallback=fallback_name, inline=inline)
    headers["Content-Length"] = str(len(content))
    return Response(content, media_type=media_type, headers=headers)


def stored_file_response(stored: Any, *, fallback_name: str = "file", request: Request | None = None) -> Response:
    """A stored upload (hotpot.files StoredFile: content, mime_type, filename, sha256) as a private attachment."""
    return file_response(
        stored.content,
        media_type=stored.mime_type,
        filename=stored.filename,
        fallback_name=fallback_name,
        etag=stored.sha256,
        request=request,
    )
