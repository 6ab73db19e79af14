"""Brand use cases: record (producers their own brands, the committee the public ones), licences with history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth.models import Role, User
from hotpot.brands.models import LICENSABLE, Brand, BrandLicence
from hotpot.brands.schemas import BrandIn, LicenceIn, RevokeIn
from hotpot.db import utcnow
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.errors import NotAllowed
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.validation import FieldErrors, check_version


def _values(user: User, data: BrandIn) -> dict[str, Any]:
    """Producers record their enterprise's and products' brands; public brands belong to a public body."""
    errors: dict[str, str] = {}
    staff = user.role in (Role.admin, Role.reviewer)
    if data.level in LICENSABLE:
        if not staff:
            errors["level"] = "区域公用品牌和集群品牌由区农业农村委登记"
        if not data.owner_body:
            errors["owner_body"] = "请填写品牌所有者（如：合川区农业农村委员会、合川区火锅食材行业协会）"
    elif staff:
        errors["level"] = "企业品牌和产品品牌由企业自行登记"
    if data.trademark_no and not data.nice_class:
        errors["nice_class"] = "填写了商标注册号时请填写尼斯分类（1-45 类，食品多为 29、30 类）"
    if errors:
        raise FieldErrors(errors)
    values = data.model_dump(exclude={"honors"})
    values["honors"] = "|".join(data.honors) or None
    if data.level in LICENSABLE:
        values["owner_enterprise_id"] = None
    else:
        values["owner_body"] = None
        values["owner_enterprise_id"] = user.enterprise_id
    return values


def create(session: Session, *, user: User, data: BrandIn, is_demo: bool = False) -> Brand:
    if user.role == Role.producer and user.enterprise_id is None:
        raise FieldErrors({"__all__": "请先登记企业"})
    brand = Brand(**_values(user, data), is_demo=is_demo)
    return changes.created(session, brand, actor=user, action="brand.create")


def can_edit(user, brand: Brand) -> bool:
    if user is None:
        return False
    if brand.level in LICENSABLE:
        return user.role in (Role.admin, Role.reviewer)
    return user.role == Role.producer and user.enterprise_id == brand.owner_enterprise_id


def edit(session: Session, *, user: User, brand: Brand, data: BrandIn, version: int | None) -> Brand:
    if not can_edit(user, brand):
        raise NotAllowed("您不能修改这个品牌。")
    check_version(brand, version)
    if (data.level in LICENSABLE) != (brand.level in LICENSABLE):
        raise FieldErrors({"level": "公用品牌与企业品牌不能互相转换"})
    values = _values(user, data)
    with changes.tracked(session, brand, actor=user, action="brand.update"):
        for key, value in values.items():
            setattr(brand, key, value)
    return brand


@dataclass(frozen=True)
class LicenseeProducts:
    enterprise: Enterprise
    products: int  # the licensee's public products


def products_of(session: Session, *, brand: Brand, limit: int = 50) -> list[Product]:
    """Public products that carry the brand."""
    stmt = select(Product).where(Product.brand_id == brand.id, Product.is_public).order_by(Product.name).limit(limit)
    return list(session.scalars(stmt))


def licensee_products(session: Session, *, brand: Brand) -> list[LicenseeProducts]:
    """The verified enterprises licensed to use the brand today, each with its number of public products.

    A regional brand covers its licensees' products even when a product does not name the brand itself.
    """
    today = date.today()
    count = (
        select(func.count())
        .select_from(Product)
        .where(Product.enterprise_id == Enterprise.id, Product.is_public)
        .correlate(Enterprise)
        .scalar_subquery()
    )
    stmt = (
        select(Enterprise, count)
        .join(BrandLicence, BrandLicence.enterprise_id == Enterprise.id)
        .where(
            BrandLicence.brand_id == brand.id,
            BrandLicence.revoked_at.is_(None),
            BrandLicence.since_on <= today,
            (BrandLicence.until_on.is_(None)) | (BrandLicence.until_on >= today),
            Enterprise.status == EnterpriseStatus.verified,
        )
        .distinct()
        .order_by(count.desc(), Enterprise.name)
    )
    return [LicenseeProducts(e, n) for e, n in session.execute(stmt)]


def licences(session: Session, *, brand: Brand) -> list[BrandLicence]:
    return list(
        session.scalars(
            select(BrandLicence)
            .where(BrandLicence.brand_id == brand.id)
            .order_by(BrandLicence.revoked_at.is_not(None), BrandLicence.since_on.desc())
        )
    )


def _lock_licences(session: Session, brand: Brand) -> None:
    """Licence changes of one brand happen one at a time (the brand's row is locked until commit), so the checks
    below see the other reviewer's committed grant or revocation: no duplicate active licence, no revocation
    recorded twice. The brand's version is not bumped: a licence is not an edit of the brand's own fields."""
    session.execute(select(Brand.id).where(Brand.id == brand.id).with_for_update())


def grant(session: Session, *, reviewer: User, brand: Brand, data: LicenceIn) -> BrandLicence:
    """Authorize an enterprise to use a regional or cluster brand."""
    _lock_licences(session, brand)
    errors: dict[str, str] = {}
    if brand.level not in LICENSABLE:
        errors["__all__"] = "只有区域公用品牌和集群品牌可以授权使用"
    enterprise = session.get(Enterprise, data.enterprise_id)
    if enterprise is None or enterprise.status != EnterpriseStatus.verified:
        errors["enterprise_id"] = "请选择已认证的企业"
    if data.until_on and data.until_on < data.since_on:
        errors["until_on"] = "授权截止日期不能早于开始日期"
    if not errors and any(
        lic.enterprise_id == data.enterprise_id and lic.active() for lic in licences(session, brand=brand)
    ):
        errors["enterprise_id"] = "该企业已有有效授权"
    if errors:
        raise FieldErrors(errors)
    licence = BrandLicence(
        brand_id=brand.id,
        enterprise_id=data.enterprise_id,
        since_on=data.since_on,
        until_on=data.until_on,
        granted_at=utcnow(),
        granted_by_id=reviewer.id,
        is_demo=brand.is_demo,
    )
    # A licence is not an edit of the brand's own fields (bump=False); the event names the licence.
    with changes.tracked(session, brand, actor=reviewer, action="brand.licence_grant", bump=False) as change:
        session.add(licence)
        session.flush()
        change.before = None
        change.after = {
            "licence": licence.id,
            "enterprise_id": data.enterprise_id,
            "since_on": data.since_on,
            "until_on": data.until_on,
        }
    return licence


def revoke(session: Session, *, reviewer: User, brand: Brand, licence_id: int, data: RevokeIn) -> BrandLicence:
    _lock_licences(session, brand)
    licence = session.get(BrandLicence, licence_id, populate_existing=True)
    if licence is None or licence.brand_id != brand.id:
        raise FieldErrors({"__all__": "授权记录不存在"})
    if licence.revoked_at is not None:
        raise FieldErrors({"__all__": "该授权已撤销"})
    with changes.tracked(session, brand, actor=reviewer, action="brand.licence_revoke", bump=False) as change:
        licence.revoked_at = utcnow()
        licence.revoked_by_id = reviewer.id
        licence.revoke_reason = data.reason
        change.before = {"licence": licence.id, "enterprise_id": licence.enterprise_id}
        change.after = {"revoked": True, "reason": data.reason}
    return licence


@dataclass(frozen=True)
class BrandFilters:
    q: str | None = None
    level: str | None = None


def public_list(session: Session, *, filters: BrandFilters, page: int, page_size: int) -> Page[Brand]:
    stmt = (
        select(Brand)
        .outerjoin(Brand.owner_enterprise)
        .where(Brand.owner_enterprise_id.is_(None) | (Enterprise.status == EnterpriseStatus.verified))
    )
    if filters.level:
        stmt = stmt.where(Brand.level == filters.level)
    if filters.q:
        stmt = stmt.where(Brand.name.ilike(f"%{filters.q}%"))
    order = (Brand.level != "regional_public", Brand.level != "cluster", Brand.name)
    return paginate(session, stmt.order_by(*order), page=page, page_size=page_size)


def get(session: Session, *, brand_id: int) -> Brand | None:
    """The brand with this id, public or not (the caller checks who may see it), or None."""
    return session.get(Brand, brand_id)


def licence_candidates(session: Session) -> list[Enterprise]:
    """The enterprises a licence may be granted to: the verified ones, by name."""
    return list(
        session.scalars(
            select(Enterprise).where(Enterprise.status == EnterpriseStatus.verified).order_by(Enterprise.name)
        )
    )


def can_see(user, brand: Brand) -> bool:
    """Who may see a brand: public ones everyone; others those who may edit it and staff."""
    return brand.is_public or can_edit(user, brand) or enterprise_service.is_staff(user)


def of_enterprise(session: Session, *, enterprise: Enterprise) -> list[Brand]:
    return list(session.scalars(select(Brand).where(Brand.owner_enterprise_id == enterprise.id).order_by(Brand.name)))


def any_of_enterprise(enterprise_id: int):
    """SQL: whether of_enterprise would list anything (a page asks several such things in one statement)."""
    return select(Brand.id).where(Brand.owner_enterprise_id == enterprise_id).exists()


def _licences_of(enterprise_id: int):
    return and_(BrandLicence.enterprise_id == enterprise_id, BrandLicence.revoked_at.is_(None))


def licensed_to(session: Session, *, enterprise: Enterprise) -> list[BrandLicence]:
    return [lic for lic in session.scalars(select(BrandLicence).where(_licences_of(enterprise.id))) if lic.active()]


def any_licence_of(enterprise_id: int):
    """SQL: whether the enterprise holds a licence not revoked (licensed_to may still find none in force today)."""
    return select(BrandLicence.id).where(_licences_of(enterprise_id)).exists()


def licence_counts(session: Session, brand_ids: list[int]) -> dict[int, int]:
    if not brand_ids:
        return {}
    rows = session.execute(
        select(BrandLicence.brand_id, func.count())
        .where(BrandLicence.brand_id.in_(brand_ids), BrandLicence.revoked_at.is_(None))
        .group_by(BrandLicence.brand_id)
    )
    return {b: n for b, n in rows}  # noqa: C416


def brand_choices(session: Session, *, enterprise: Enterprise) -> list[Brand]:
    """Brands a product of this enterprise may carry: its own, and public brands it is licensed to use."""
    own = of_enterprise(session, enterprise=enterprise)
    licensed = [session.get(Brand, lic.brand_id) for lic in licensed_to(session, enterprise=enterprise)]
    return own + [b for b in licensed if b is not None]


def set_logo(
    session: Session, *, user: User, brand: Brand, upload: tuple[bytes, str] | None, version: int | None = None
) -> None:
    """Replace the brand's logo (re-encoded, at most 512 px); version is the page's (None: not checked)."""
    from hotpot.files import images

    if not can_edit(user, brand):
        raise NotAllowed("您不能修改这个品牌。")
    with changes.tracked(session, brand, actor=user, action="brand.logo", version=version) as change:
        change.before = {"logo_file_id": brand.logo_file_id}
        brand.logo_file_id = images.replace_single(session, upload=upload, user=user, field="logo")
        change.after = {"logo_file_id": brand.logo_file_id}
