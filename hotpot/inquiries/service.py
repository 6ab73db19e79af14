"""Inquiry use cases: a buyer asks, both sides write in a thread, either side closes; unread counts; reply times."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.auth.models import Role, User
from hotpot.config import get_settings
from hotpot.db import utcnow
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.errors import NotAllowed
from hotpot.inquiries.models import Inquiry, InquiryMessage
from hotpot.inquiries.schemas import InquiryIn, ReplyIn
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.validation import FieldErrors, parse_form


def side_of(user, inquiry: Inquiry) -> str | None:
    """'buyer' or 'enterprise' when the user takes part in the inquiry, else None."""
    if user is None:
        return None
    if user.id == inquiry.buyer_id:
        return "buyer"
    if user.role == Role.producer and user.enterprise_id == inquiry.enterprise_id:
        return "enterprise"
    return None


def party_inquiry(session: Session, *, inquiry_id: int, user) -> Inquiry | None:
    """The inquiry, if the user is its buyer or one of its enterprise's producers; else None."""
    inquiry = session.get(Inquiry, inquiry_id)
    return inquiry if inquiry is not None and side_of(user, inquiry) is not None else None


def askable_enterprise(session: Session, *, enterprise_id: int) -> Enterprise | None:
    """The enterprise a buyer may ask for a quote (a verified one), or None."""
    enterprise = session.get(Enterprise, enterprise_id)
    return enterprise if enterprise is not None and enterprise.status == EnterpriseStatus.verified else None


def product_choices(session: Session, *, enterprise: Enterprise) -> list[Product]:
    """The enterprise's public products, by name: what an inquiry may be about."""
    stmt = select(Product).where(Product.enterprise_id == enterprise.id, Product.is_public).order_by(Product.name)
    return list(session.scalars(stmt))


def _product_problem(session: Session, *, enterprise: Enterprise, product_id: object) -> str | None:
    product = session.get(Product, int(product_id)) if str(product_id).isdigit() and len(str(product_id)) < 10 else None
    if product is None or product.enterprise_id != enterprise.id or not product.is_public:
        return "请选择该企业已发布的产品"
    return None


def create_from_form(session: Session, *, buyer: User, enterprise: Enterprise, form: dict) -> Inquiry:
    """The inquiry form: every field's error in one round, the product's with the schema's."""
    try:
        data = parse_form(InquiryIn, form)
    except FieldErrors as exc:
        errors = dict(exc.errors)
        if form.get("product_id") and "product_id" not in errors:
            problem = _product_problem(session, enterprise=enterprise, product_id=form["product_id"])
            if problem:
                errors["product_id"] = problem
        raise FieldErrors(errors) from exc
    return create(session, buyer=buyer, enterprise=enterprise, data=data)


def create(session: Session, *, buyer: User, enterprise: Enterprise, data: InquiryIn) -> Inquiry:
    """A buyer asks a verified enterprise for a quote, within the hourly limit against spam."""
    if enterprise.status != EnterpriseStatus.verified:
        raise FieldErrors({"__all__": "只能向已认证的企业询价"})
    errors: dict[str, str] = {}
    if data.product_id is not None:
        problem = _product_problem(session, enterprise=enterprise, product_id=data.product_id)
        if problem:
            errors["product_id"] = problem
    if data.needed_by is not None and data.needed_by < date.today():
        errors["needed_by"] = "需求日期不能早于今天"
    if data.target_price is not None and not data.price_unit:
        errors["price_unit"] = "填写了目标价时请选择价格单位"
    limit = get_settings().inquiries_per_hour
    recent = (
        session.scalar(
            select(func.count())
            .select_from(Inquiry)
            .where(Inquiry.buyer_id == buyer.id, Inquiry.created_at > utcnow() - timedelta(hours=1))
        )
        or 0
    )
    if recent >= limit:
        errors["__all__"] = f"一小时内最多发起 {limit} 条询价，请稍后再试"
    if errors:
        raise FieldErrors(errors)
    now = utcnow()
    inquiry = Inquiry(
        buyer_id=buyer.id,
        enterprise_id=enterprise.id,
        product_id=data.product_id,
        quantity=data.quantity,
        unit=data.unit,
        target_price=data.target_price,
        price_unit=data.price_unit,
        delivery_city=data.delivery_city,
        needed_by=data.needed_by,
        created_at=now,
        last_message_at=now,
        buyer_read_at=now,
    )
    session.add(inquiry)
    session.flush()
    session.add(
        InquiryMessage(inquiry_id=inquiry.id, author_id=buyer.id, side="buyer", body=data.message, created_at=now)
    )
    session.flush()
    audit.record(
        session,
        actor=buyer,
        action="inquiry.create",
        entity_type="inquiry",
        entity_id=inquiry.id,
        after={
            "enterprise_id": enterprise.id,
            "product_id": data.product_id,
            "quantity": data.quantity,
            "unit": data.unit,
        },
    )
    return inquiry


def reply(session: Session, *, user: User, inquiry: Inquiry, data: ReplyIn) -> InquiryMessage:
    """Write in the thread; a price from the enterprise marks the inquiry quoted."""
    side = side_of(user, inquiry)
    if side is None:
        raise NotAllowed("您不是这条询价的买方或供应企业，不能操作。")
    if inquiry.status == "closed":
        raise FieldErrors({"body": "询价已关闭，不能再回复"})
    if data.quoted_price is not None and side != "enterprise":
        raise FieldErrors({"quoted_price": "只有供应企业可以报价"})
    if data.quoted_price is not None and not data.quoted_unit:
        raise FieldErrors({"quoted_unit": "请选择报价单位"})
    now = utcnow()
    message = InquiryMessage(
        inquiry_id=inquiry.id,
        author_id=user.id,
        side=side,
        body=data.body,
        quoted_price=data.quoted_price,
        quoted_unit=data.quoted_unit,
        created_at=now,
    )
    session.add(message)
    inquiry.last_message_at = now
    if side == "enterprise":
        inquiry.first_reply_at = inquiry.first_reply_at or now
        inquiry.enterprise_read_at = now
        if data.quoted_price is not None:
            inquiry.status = "quoted"
    else:
        inquiry.buyer_read_at = now
    session.flush()
    audit.record(
        session,
        actor=user,
        action="inquiry.reply",
        entity_type="inquiry",
        entity_id=inquiry.id,
        after={"side": side, "quoted_price": data.quoted_price},
    )
    return message


def close(session: Session, *, user: User, inquiry: Inquiry) -> Inquiry:
    side = side_of(user, inquiry)
    if side is None:
        raise NotAllowed("您不是这条询价的买方或供应企业，不能操作。")
    if inquiry.status == "closed":
        return inquiry
    before = inquiry.status
    inquiry.status, inquiry.closed_at, inquiry.closed_by_id = "closed", utcnow(), user.id
    session.flush()
    audit.record(
        session,
        actor=user,
        action="inquiry.close",
        entity_type="inquiry",
        entity_id=inquiry.id,
        before={"status": before},
        after={"status": "closed", "by": side},
    )
    return inquiry


def mark_read(session: Session, *, user: User, inquiry: Inquiry) -> None:
    """Opening the thread reads it (a write on GET, but only of the reader's own marker)."""
    side = side_of(user, inquiry)
    if side == "buyer":
        inquiry.buyer_read_at = utcnow()
    elif side == "enterprise":
        inquiry.enterprise_read_at = utcnow()


def messages(session: Session, *, inquiry: Inquiry) -> list[InquiryMessage]:
    return list(
        session.scalars(
            select(InquiryMessage)
            .where(InquiryMessage.inquiry_id == inquiry.id)
            .order_by(InquiryMessage.created_at, InquiryMessage.id)
        )
    )


def _mine(user: User):
    if user.role == Role.producer:
        return Inquiry.enterprise_id == (user.enterprise_id or -1)
    return Inquiry.buyer_id == user.id


def _unread(user: User):
    if user.role == Role.producer:
        return or_(Inquiry.enterprise_read_at.is_(None), Inquiry.last_message_at > Inquiry.enterprise_read_at)
    return or_(Inquiry.buyer_read_at.is_(None), Inquiry.last_message_at > Inquiry.buyer_read_at)


def inbox(session: Session, *, user: User, status: str | None, page: int, page_size: int) -> Page[Inquiry]:
    """A buyer's inquiries, or a producer's enterprise's inbox, newest activity first."""
    stmt = select(Inquiry).where(_mine(user))
    if status:
        stmt = stmt.where(Inquiry.status == status)
    return paginate(
        session, stmt.order_by(Inquiry.last_message_at.desc(), Inquiry.id.desc()), page=page, page_size=page_size
    )


def unread_count(session: Session, *, user) -> int:
    """The bell's number: threads with news from the other side."""
    if user is None or user.role not in (Role.buyer, Role.producer):
        return 0
    if user.role == Role.producer and not user.enterprise_id:
        return 0
    return session.scalar(select(func.count()).select_from(Inquiry).where(_mine(user), _unread(user))) or 0


def unread_ids(session: Session, *, user: User, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(Inquiry.id).where(Inquiry.id.in_(ids), _unread(user))))


def median_first_reply_seconds(enterprise_id: int, *, days: int = 90):
    """SQL: the median seconds from an inquiry to the enterprise's first reply over the last `days` days (NULL: none);
    a scalar subquery, for a page that asks it beside other things in one statement."""
    since = utcnow() - timedelta(days=days)
    return (
        select(
            func.percentile_cont(0.5).within_group(func.extract("epoch", Inquiry.first_reply_at - Inquiry.created_at))
        )
        .where(Inquiry.enterprise_id == enterprise_id, Inquiry.created_at > since, Inquiry.first_reply_at.is_not(None))
        .scalar_subquery()
    )


def hours(seconds) -> float | None:
    return None if seconds is None else float(seconds) / 3600


def median_first_reply_hours(session: Session, *, enterprise_id: int, days: int = 90) -> float | None:
    """Median hours from an inquiry to the enterprise's first reply, over the last `days` days."""
    return hours(session.scalar(select(median_first_reply_seconds(enterprise_id, days=days))))
