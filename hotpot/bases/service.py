"""Base use cases: record, edit, verify/reject, the public list, product sources."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth.models import User
from hotpot.bases.models import CHONGQING_LAT, CHONGQING_LON, PRODUCE, BasePhoto, BaseStatus, ProductSource, RawBase
from hotpot.bases.schemas import BaseIn, SourceIn
from hotpot.db import utcnow
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.errors import NotAllowed
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.reference.models import Town
from hotpot.validation import FieldErrors, check_version
from hotpot.verification import BulkOutcome, DecisionIn, bulk_decide, parse_bulk
from hotpot.verification import decide as verification_decide

MAX_BASE_PHOTOS = 8
IDENTITY_FIELDS = ("name", "operator_name", "operator_uscc", "town_code", "kind", "produce")


def _resolve(session: Session, data: BaseIn) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if session.get(Town, data.town) is None:
        errors["town"] = "请选择基地所在的合川区镇街"
    if data.produce not in PRODUCE[data.kind] and data.produce != "其他":
        errors["produce"] = f"{'、'.join(PRODUCE[data.kind])}，或“其他”"
        errors["produce"] = "请选择与基地类型相符的主要产品：" + errors["produce"]
    if data.kind == "breeding" and data.stock_heads is None:
        errors["stock_heads"] = "养殖基地请填写存栏量（头/只）"
    if data.kind != "breeding" and data.area_mu is None:
        errors["area_mu"] = "种植、水产养殖基地请填写面积（亩）"
    if (data.latitude is None) != (data.longitude is None):
        errors["longitude" if data.longitude is None else "latitude"] = "经度和纬度需要同时填写"
    if data.latitude is not None and not CHONGQING_LAT[0] <= data.latitude <= CHONGQING_LAT[1]:
        errors["latitude"] = f"纬度应在重庆市范围内（{CHONGQING_LAT[0]}–{CHONGQING_LAT[1]}）"
    if data.longitude is not None and not CHONGQING_LON[0] <= data.longitude <= CHONGQING_LON[1]:
        errors["longitude"] = f"经度应在重庆市范围内（{CHONGQING_LON[0]}–{CHONGQING_LON[1]}）"
    if data.operator_uscc and not data.operator_name:
        errors["operator_name"] = "填写了经营主体代码时请同时填写经营主体名称"
    if errors:
        raise FieldErrors(errors)
    values = data.model_dump(exclude={"town"})
    values["town_code"] = data.town
    return values


def _require_manager(user: User, enterprise: Enterprise) -> None:
    if not enterprise_service.can_manage(user, enterprise):
        raise NotAllowed("这不是您企业的基地或产品，不能修改。")


def create(session: Session, *, user: User, enterprise: Enterprise, data: BaseIn, is_demo: bool = False) -> RawBase:
    """Put a raw-material base on record; it waits for the committee's verification."""
    _require_manager(user, enterprise)
    base = RawBase(**_resolve(session, data), enterprise_id=enterprise.id, is_demo=is_demo)
    return changes.created(session, base, actor=user, action="base.create")


def edit(session: Session, *, user: User, base: RawBase, data: BaseIn, version: int | None) -> RawBase:
    """Edit a base; a rejected one, or a verified one whose identity changed, goes back to review."""
    _require_manager(user, base.enterprise)
    check_version(base, version)
    values = _resolve(session, data)
    with changes.tracked(session, base, actor=user, action="base.update"):
        if base.status == BaseStatus.rejected or (
            base.status == BaseStatus.verified and any(values[k] != getattr(base, k) for k in IDENTITY_FIELDS)
        ):
            base.status, base.status_reason, base.status_changed_at = BaseStatus.pending, None, utcnow()
        for key, value in values.items():
            setattr(base, key, value)
    return base


def decide(session: Session, *, reviewer: User, base: RawBase, data: DecisionIn, version: int | None = None) -> RawBase:
    """The committee verifies a base or sends it back with a reason (BASE_WORKFLOW)."""
    return verification_decide(session, base, data.action, actor=reviewer, reason=data.reason, version=version)


@dataclass(frozen=True)
class BaseFilters:
    q: str | None = None
    town: str | None = None
    kind: str | None = None
    produce: str | None = None
    standard_level: str | None = None


def public_list(session: Session, *, filters: BaseFilters, page: int, page_size: int) -> Page[RawBase]:
    stmt = (
        select(RawBase)
        .join(RawBase.enterprise)
        .where(RawBase.status == BaseStatus.verified, Enterprise.status == EnterpriseStatus.verified)
    )
    f = filters
    if f.q:
        stmt = stmt.where(RawBase.name.ilike(f"%{f.q}%") | RawBase.produce.ilike(f"%{f.q}%"))
    if f.town:
        stmt = stmt.where(RawBase.town_code == f.town)
    if f.kind:
        stmt = stmt.where(RawBase.kind == f.kind)
    if f.produce:
        stmt = stmt.where(RawBase.produce == f.produce)
    if f.standard_level:
        stmt = stmt.where(RawBase.standard_level == f.standard_level)
    return paginate(
        session, stmt.order_by(RawBase.annual_output_t.desc().nulls_last(), RawBase.id), page=page, page_size=page_size
    )


def review_queue(session: Session, *, status: str, page: int, page_size: int) -> Page[RawBase]:
    stmt = select(RawBase).where(RawBase.status == status).order_by(RawBase.updated_at, RawBase.id)
    return paginate(session, stmt, page=page, page_size=page_size)


def decide_many(session: Session, *, reviewer: User, form: dict[str, Any]) -> BulkOutcome:
    """One decision and reason for several bases of the queue; each checked and recorded on its own."""
    data, picks = parse_bulk(form)
    return bulk_decide(
        session,
        action=data.action,
        picks=picks,
        model=RawBase,
        decide=lambda base, version: decide(session, reviewer=reviewer, base=base, data=data, version=version),
        title=lambda base: f"{base.name}（{base.enterprise.name}）",
    )


def status_counts(session: Session) -> dict[str, int]:
    return {s: n for s, n in session.execute(select(RawBase.status, func.count()).group_by(RawBase.status))}  # noqa: C416


def _of_enterprise(enterprise_id: int, public_only: bool):
    condition = RawBase.enterprise_id == enterprise_id
    return and_(condition, RawBase.status == BaseStatus.verified) if public_only else condition


def of_enterprise(session: Session, *, enterprise: Enterprise, public_only: bool) -> list[RawBase]:
    stmt = select(RawBase).where(_of_enterprise(enterprise.id, public_only))
    return list(session.scalars(stmt.order_by(RawBase.name)))


def any_of_enterprise(enterprise_id: int, *, public_only: bool):
    """SQL: whether of_enterprise would list anything (a page asks several such things in one statement)."""
    return select(RawBase.id).where(_of_enterprise(enterprise_id, public_only)).exists()


def can_see(user, base: RawBase) -> bool:
    """Who may see a base: public ones everyone; others its enterprise's producers and staff."""
    return base.is_public or enterprise_service.can_manage(user, base.enterprise) or enterprise_service.is_staff(user)


def can_edit(user, base: RawBase) -> bool:
    """Only the producers of the base's own enterprise change it."""
    return enterprise_service.can_manage(user, base.enterprise)


def get(session: Session, *, base_id: int) -> RawBase | None:
    """The base with this id, public or not (the caller checks who may see it), or None."""
    return session.get(RawBase, base_id)


def photo_of(session: Session, *, base: RawBase, photo_id: int) -> BasePhoto | None:
    """A photo of this base, or None (no such photo, or one of another base)."""
    photo = session.get(BasePhoto, photo_id)
    return photo if photo is not None and photo.base_id == base.id else None


# --- product sources --------------------------------------------------------------------------------------------


def sources(session: Session, *, product: Product) -> list[ProductSource]:
    return list(
        session.scalars(
            select(ProductSource).where(ProductSource.product_id == product.id).order_by(ProductSource.share_pct.desc())
        )
    )


def set_sources(
    session: Session, *, user: User, product: Product, items: list[SourceIn], version: int | None = None
) -> list[ProductSource]:
    """Replace a product's raw-material sources; bases must be the enterprise's own or verified ones,
    each listed once, and the shares must total at most 100%. The sources are part of the product's record: the
    change bumps its version like any edit (`version` is the one the form was loaded with)."""
    _require_manager(user, product.enterprise)
    check_version(product, version)
    errors: dict[str, str] = {}
    ids = [i.base_id for i in items]
    if len(ids) != len(set(ids)):
        errors["sources"] = "同一基地只能填写一次"
    total = sum((i.share_pct for i in items), Decimal(0))
    if total > 100:
        errors["sources"] = f"各基地占比合计 {total:g}%，不能超过 100%"
    bases = {b.id: b for b in session.scalars(select(RawBase).where(RawBase.id.in_(ids)))} if ids else {}
    for i in items:
        b = bases.get(i.base_id)
        if b is None or not (b.enterprise_id == product.enterprise_id or b.status == BaseStatus.verified):
            errors["sources"] = "请选择本企业登记的基地或已认证的基地"
    if errors:
        raise FieldErrors(errors)
    # The product's conditioned UPDATE comes before the association rows (bump_first): it locks the product, so of
    # two saves from the same version one waits and is refused (StaleVersion), instead of both rewriting the rows.
    with changes.tracked(session, product, actor=user, action="product.sources", bump_first=True) as change:
        change.before = {str(s.base_id): s.share_pct for s in sources(session, product=product)}
        session.execute(delete(ProductSource).where(ProductSource.product_id == product.id))
        for i in items:
            session.add(ProductSource(product_id=product.id, base_id=i.base_id, share_pct=i.share_pct))
        change.after = {str(i.base_id): i.share_pct for i in items}
    return sources(session, product=product)


def source_choices(session: Session, *, enterprise: Enterprise) -> list[RawBase]:
    """Bases a product of this enterprise may name: its own, and every verified one."""
    stmt = select(RawBase).where((RawBase.enterprise_id == enterprise.id) | (RawBase.status == BaseStatus.verified))
    return list(session.scalars(stmt.order_by(RawBase.enterprise_id != enterprise.id, RawBase.name).limit(300)))


# --- photos -----------------------------------------------------------------------------------------------------


def photos_of(session: Session, *, base: RawBase) -> list[BasePhoto]:
    return list(session.scalars(select(BasePhoto).where(BasePhoto.base_id == base.id).order_by(BasePhoto.position)))


def add_photos(
    session: Session, *, user: User, base: RawBase, uploads: list[tuple[bytes, str]], version: int | None = None
) -> list[BasePhoto]:
    """Add photos to a base (at most eight); every upload is checked before any is kept. The photos are part of the
    base's record: the change bumps its version (`version`: the page's, None: not checked)."""
    from hotpot.files import images

    _require_manager(user, base.enterprise)
    check_version(base, version)
    existing = len(photos_of(session, base=base))
    stored = images.store_photo_set(
        session, uploads=uploads, existing=existing, limit=MAX_BASE_PHOTOS, noun="基地", user=user
    )
    added = []
    with changes.tracked(session, base, actor=user, action="base.photos_add", bump_first=True) as change:
        for position, (_image, full, thumb) in enumerate(stored, start=existing + 1):
            photo = BasePhoto(base_id=base.id, position=position, image_file_id=full.id, thumb_file_id=thumb.id)
            session.add(photo)
            added.append(photo)
        session.flush()
        change.before, change.after = None, {"photos": [p.id for p in added]}
    return added


def add_photo_copies(session: Session, *, copies: list[tuple[User, RawBase, BasePhoto]]) -> list[BasePhoto]:
    """Show other bases' photos on these bases too, sharing their stored files (the demo set repeats its pictures).
    One insert for all."""
    for user, base, _source in copies:
        _require_manager(user, base.enterprise)
    from hotpot.files import images

    return images.share_photos(
        session,
        photo_model=BasePhoto,
        owner_field="base_id",
        copies=copies,
        max_photos=MAX_BASE_PHOTOS,
        limit_message=f"每个基地最多 {MAX_BASE_PHOTOS} 张照片",
        action="base.photos_add",
        entity_type="base",
    )


def remove_photo(session: Session, *, user: User, base: RawBase, photo_id: int, version: int | None = None) -> bool:
    """Remove one photo of the base (False: not one of its photos); bumps the base's version like an edit."""
    _require_manager(user, base.enterprise)
    photo = session.get(BasePhoto, photo_id)
    if photo is None or photo.base_id != base.id:
        return False
    with changes.tracked(
        session, base, actor=user, action="base.photo_remove", version=version, bump_first=True
    ) as change:
        session.delete(photo)
        change.before, change.after = {"photo": photo_id}, None
    return True


def visible(session: Session, *, base_id: int, user) -> RawBase | None:
    """The base if this caller may see it (`can_see`), or None: a missing and a hidden one look the same."""
    record = session.get(RawBase, base_id)
    return record if record is not None and can_see(user, record) else None
