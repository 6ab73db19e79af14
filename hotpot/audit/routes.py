"""The change history of one record, for staff and for the producers whose record it is."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.audit import service
from hotpot.brands import service as brand_service
from hotpot.db import SessionDep
from hotpot.deps import AnyUser
from hotpot.enterprises import service as enterprise_service
from hotpot.validation import Id
from hotpot.web import render

router = APIRouter(include_in_schema=False)


@router.get("/history/{entity_type}/{entity_id}")
def history(request: Request, session: SessionDep, user: AnyUser, entity_type: str, entity_id: Id) -> Response:
    subject = service.history_subject(session, entity_type=entity_type, entity_id=entity_id)
    if subject is None:
        raise HTTPException(404)
    record, owner = subject.record, subject.owner
    allowed = enterprise_service.is_staff(user) or (owner is not None and enterprise_service.can_manage(user, owner))
    if entity_type == "brand":
        allowed = allowed or brand_service.can_edit(user, record)
    if not allowed:
        raise HTTPException(403, "只有记录所属企业和审核人员可以查看变更历史。")
    context = {
        "history": service.timeline(session, entity_type=entity_type, entity_id=entity_id, limit=500),
        "label": subject.label,
        "title": subject.title,
    }
    return render(request, "audit/history.html", context)
