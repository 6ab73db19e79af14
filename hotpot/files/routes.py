"""Download a stored file, always as an attachment with the type detected at upload."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import PublicUser
from hotpot.files import service
from hotpot.responses import stored_file_response
from hotpot.validation import Id

router = APIRouter(include_in_schema=False)


@router.get("/files/{file_id}")
def download(request: Request, session: SessionDep, user: PublicUser, file_id: Id) -> Response:
    # Access is decided by the file (public, or the uploader's and staff's); others get 404, not a hint it exists.
    stored = service.readable(session, file_id=file_id, user=user)
    if stored is None:
        raise HTTPException(404)
    return stored_file_response(stored, request=request)
