"""The development outbox: in demo mode, the mails the platform would have sent, to read their links."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.config import get_settings
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, PublicUser
from hotpot.mail import service
from hotpot.web import render

router = APIRouter(tags=["开发"], include_in_schema=False)


@router.get("/dev/outbox")
def outbox(request: Request, session: SessionDep, user: PublicUser, params: ListParamsDep) -> Response:
    # Demo mode only: the outbox holds verification and reset links, which outside a demo belong to their
    # mailboxes alone. Anyone may read it in a demo, where every account is fictional.
    if not get_settings().demo:
        raise HTTPException(404)
    page = service.outbox(session, page=params.page, page_size=min(params.page_size, 20), to=params.q)
    request.state.private = True
    return render(request, "mail/outbox.html", {"page": page, "filters": {"q": params.q or ""}})
