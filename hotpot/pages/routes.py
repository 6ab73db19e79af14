"""The home page: what the platform is and where each kind of user starts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hotpot.deps import PublicUser
from hotpot.web import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, user: PublicUser) -> Response:
    return render(request, "pages/home.html")
