"""The change history of one record, for staff and for the producers whose record it is."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.audit import service
from hotpot.bases.models import RawBase
from hotpot.brands import service as brand_service
from hotpot.brands.models import Brand
from hotpot.certificates.models import Certificate
from hotpot.db import SessionDep
from hotpot.deps import AnyUser
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise
from hotpot.products.models import Product
from hotpot.validation import Id
from hotpot.web import render

router = APIRouter(include_in_schema=False)

KINDS = {
    "enterprise": (Enterprise, "企业", lambda r: r, lambda r: r.name),
    "product": (Product, "产品", lambda r: r.enterprise, lambda r: r.name),
    "base": (RawBase, "原料基地", lambda r: r.enterprise, lambda r: r.name),
    "certificate": (Certificate, "资质证书", lambda r: r.enterprise, lambda r: f"{r.kind_label} {r.number}"),
    "brand": (Brand, "品牌", lambda r: r.owner_enterprise, lambda r: r.name),
}


@router.get("/history/{entity_type}/{entity_id}")
def history(request: Request, session: SessionDep, user: AnyUser, entity_type: str, entity_id: Id) -> Response:
    if entity_type not in KINDS:
        raise HTTPException(404)
    model, label, owner_of, title_of = KINDS[entity_type]
    record = session.get(model, entity_id)
    if record is None:
        raise HTTPException(404)
    owner = owner_of(record)
    allowed = enterprise_service.is_staff(user) or (owner is not None and enterprise_service.can_manage(user, owner))
    if entity_type == "brand":
        allowed = allowed or brand_service.can_edit(user, record)
    if not allowed:
        raise HTTPException(403, "只有记录所属企业和审核人员可以查看变更历史。")
    context = {
        "history": service.timeline(session, entity_type=entity_type, entity_id=entity_id, limit=500),
        "label": label,
        "title": title_of(record),
    }
    return render(request, "audit/history.html", context)
