"""Inquiry pages: ask an enterprise for a quote, the inbox (buyer's or enterprise's), the thread."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from hotpot.auth.models import Role
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, allow_roles
from hotpot.enterprises.models import Enterprise
from hotpot.inquiries import service
from hotpot.inquiries.models import INQUIRY_STATUSES, Inquiry
from hotpot.inquiries.schemas import ReplyIn
from hotpot.products.models import PRICE_UNITS
from hotpot.validation import FieldErrors, Id, parse_form
from hotpot.web import redirect, render

router = APIRouter(include_in_schema=False)
BuyerUser = Annotated[object, Depends(allow_roles(Role.buyer))]
PartyUser = Annotated[object, Depends(allow_roles(Role.buyer, Role.producer))]
UNITS = ["箱", "kg", "吨", "袋", "件", "桶"]


def party_inquiry(session: SessionDep, user: PartyUser, inquiry_id: Id) -> Inquiry:
    """The inquiry, if the caller is its buyer or one of its enterprise's producers; others get 404."""
    inquiry = service.party_inquiry(session, inquiry_id=inquiry_id, user=user)
    if inquiry is None:
        raise HTTPException(404)
    return inquiry


PartyInquiry = Annotated[Inquiry, Depends(party_inquiry)]


def _verified_enterprise(session, enterprise_id: Id) -> Enterprise:
    enterprise = service.askable_enterprise(session, enterprise_id=enterprise_id)
    if enterprise is None:
        raise HTTPException(404)
    return enterprise


def _form(request, session, enterprise, *, values, errors, status_code=200) -> Response:
    products = service.product_choices(session, enterprise=enterprise)
    return render(
        request,
        "inquiries/form.html",
        {
            "enterprise": enterprise,
            "values": values,
            "errors": errors,
            "units": [(u, u) for u in UNITS],
            "price_units": [(u, u) for u in PRICE_UNITS],
            "products": [(str(p.id), f"{p.name}（{p.spec}）") for p in products],
        },
        status_code=status_code,
    )


@router.get("/enterprises/{enterprise_id}/inquire")
def inquiry_form(
    request: Request, session: SessionDep, user: BuyerUser, enterprise_id: Id, product: Id | None = None
) -> Response:
    enterprise = _verified_enterprise(session, enterprise_id)
    values = {"product_id": str(product) if product else "", "unit": "箱", "delivery_city": "重庆"}
    return _form(request, session, enterprise, values=values, errors={})


@router.post("/enterprises/{enterprise_id}/inquire")
def send_inquiry(request: Request, session: SessionDep, user: BuyerUser, enterprise_id: Id, form: FormDict) -> Response:
    enterprise = _verified_enterprise(session, enterprise_id)
    try:
        inquiry = service.create_from_form(session, buyer=user, enterprise=enterprise, form=form)
    except FieldErrors as exc:
        return _form(request, session, enterprise, values=form, errors=exc.errors, status_code=422)
    return redirect(request, f"/inquiries/{inquiry.id}", flash="inquiry_sent")


@router.get("/inquiries")
def inbox(
    request: Request, session: SessionDep, user: PartyUser, params: ListParamsDep, status: str | None = None
) -> Response:
    status = status if status in INQUIRY_STATUSES else None
    page = service.inbox(session, user=user, status=status, page=params.page, page_size=params.page_size)
    return render(
        request,
        "inquiries/inbox.html",
        {
            "page": page,
            "status": status,
            "statuses": INQUIRY_STATUSES,
            "unread": service.unread_ids(session, user=user, ids=[i.id for i in page.items]),
            "is_producer": user.role == Role.producer,
        },
        block="results",
    )


def _thread(request, session, user, inquiry, *, errors, values, status_code=200) -> Response:
    return render(
        request,
        "inquiries/thread.html",
        {
            "inquiry": inquiry,
            "messages": service.messages(session, inquiry=inquiry),
            "side": service.side_of(user, inquiry),
            "errors": errors,
            "values": values,
            "price_units": [(u, u) for u in PRICE_UNITS],
        },
        status_code=status_code,
    )


@router.get("/inquiries/{inquiry_id}")
def thread(request: Request, session: SessionDep, user: PartyUser, inquiry: PartyInquiry) -> Response:
    service.mark_read(session, user=user, inquiry=inquiry)
    return _thread(request, session, user, inquiry, errors={}, values={})


@router.post("/inquiries/{inquiry_id}/messages")
def post_message(
    request: Request, session: SessionDep, user: PartyUser, inquiry: PartyInquiry, form: FormDict
) -> Response:
    try:
        service.reply(session, user=user, inquiry=inquiry, data=parse_form(ReplyIn, form))
    except FieldErrors as exc:
        return _thread(request, session, user, inquiry, errors=exc.errors, values=form, status_code=422)
    return redirect(request, f"/inquiries/{inquiry.id}#latest", flash="reply_sent")


@router.post("/inquiries/{inquiry_id}/close")
def close(request: Request, session: SessionDep, user: PartyUser, inquiry: PartyInquiry) -> Response:
    service.close(session, user=user, inquiry=inquiry)
    return redirect(request, f"/inquiries/{inquiry.id}", flash="inquiry_closed")
