"""Download a stored file, always as an attachment with the type detected at upload."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import PublicUser
from hotpot.files import service
from hotpot.validation import Id

router = APIRouter(include_in_schema=False)


@router.get("/files/{file_id}")
def download(session: SessionDep, user: PublicUser, file_id: Id) -> Response:
    # Access is decided by the file (public, or the uploader's and staff's); others get 404, not a hint it exists.
    stored = service.readable(session, file_id=file_id, user=user)
    if stored is None:
        raise HTTPException(404)
    disposition = f"attachment; filename=\"file\"; filename*=UTF-8''{quote(stored.filename)}"
    return Response(
        stored.content,
        media_type=stored.mime_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "ETag": f'"{stored.sha256}"',
        },
    )
