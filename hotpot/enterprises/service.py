"""Enterprise use cases: register, edit, verify/reject/suspend, the public directory and the review queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, selectinload

from hotpot import changes
from hotpot.audit import service as audit
from hotpot.auth.models import Role, User
from hotpot.db import utcnow
from hotpot.enterprises.models import Enterprise, EnterpriseInvitation, EnterpriseStatus
from hotpot.enterprises.schemas import EnterpriseIn, StatusChangeIn
from hotpot.errors import NotAllowed, NotFound
from hotpot.files.models import StoredFile
from hotpot.mail import service as mail
from hotpot.pagination import Page, paginate
from hotpot.reference.models import ChainLink, Town
from hotpot.validation import FieldErrors, check_version
from hotpot.verification import BulkOutcome, bulk_decide, parse_bulk
from hotpot.verification import decide as verification_decide

SORTS = {
    "name": (Enterprise.name, Enterprise.id),
    "newest": (Enterprise.created_at.desc(), Enterprise.id.desc()),
    "capacity": (Enterprise.annual_capacity_t.desc().nulls_last(), Enterprise.id),
}


# The verification decision (change_status) still calls it by this name.
snapshot = changes.snapshot


def _resolve(
    session: Session, data: EnterpriseIn, *, exclude_id: int | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """Check what the schema cannot (references, uniqueness, cross-field rules); return column values."""
    errors = dict(errors or {})
    town_code = None if data.town == "outside" else data.town
    if town_code and session.get(Town, town_code) is None:
        errors["town"] = "请选择合川区的镇街，或“合川区外”"
    if data.town == "outside" and not data.outside_address:
        errors["outside_address"] = "选择“合川区外”时请填写所在地（省、市、区县）"
    if data.town == "outside" and data.park_group != "none":
        errors["park_group"] = "合川区外的企业不属于园区组团"
    links = list(session.scalars(select(ChainLink).where(ChainLink.code.in_(data.chain_links))))
    if len(links) != len(set(data.chain_links)):
        errors["chain_links"] = "请选择有效的产业链环节"
    taken = select(Enterprise.id).where(Enterprise.uscc == data.uscc)
    if exclude_id is not None:
        taken = taken.where(Enterprise.id != exclude_id)
    if session.scalar(taken):
        errors["uscc"] = "该统一社会信用代码已登记。如为本企业，请联系企业管理员邀请您加入"
    if errors:
        raise FieldErrors(errors)
    values = data.model_dump(exclude={"town", "chain_links"})
    values["town_code"] = town_code
    values["outside_address"] = data.outside_address if town_code is None else None
    return {"values": values, "links": links}


def register(
    session: Session,
    *,
    user: User,
    data: EnterpriseIn,
    is_demo: bool = False,
    licence: StoredFile | None = None,
    licence_errors: dict[str, str] | None = None,
) -> Enterprise:
    """A producer puts their enterprise on record (with its business licence); it waits for verification."""
    if user.role != Role.producer:
        raise FieldErrors({"__all__": "只有生产企业账号可以登记企业"})
    if user.enterprise_id is not None:
        raise FieldErrors({"__all__": "您的账号已属于一家企业，不能重复登记"})
    resolved = _resolve(session, data, errors=licence_errors)
    enterprise = Enterprise(
        **resolved["values"],
        created_by_id=user.id,
        is_demo=is_demo,
        licence_file_id=licence.id if licence else None,
    )
    enterprise.chain_links = resolved["links"]
    changes.created(session, enterprise, actor=user, action="enterprise.register")
    user.enterprise_id = enterprise.id
    return enterprise


def edit(
    session: Session,
    *,
    user: User,
    enterprise: Enterprise,
    data: EnterpriseIn,
    version: int | None,
    licence: StoredFile | None = None,
    licence_errors: dict[str, str] | None = None,
) -> Enterprise:
    """Edit the record. A rejected one goes back to review; a verified one does when its name or code changes."""
    check_version(enterprise, version)
    resolved = _resolve(session, data, exclude_id=enterprise.id, errors=licence_errors)
    with changes.tracked(session, enterprise, actor=user, action="enterprise.update"):
        identity_changed = (data.name, data.uscc) != (enterprise.name, enterprise.uscc)
        if enterprise.status == EnterpriseStatus.verified and identity_changed:
            # The reviewer sees what was verified next to what is asked now.
            enterprise.verified_name = enterprise.name
            enterprise.verified_uscc = enterprise.uscc
            _set_status(enterprise, EnterpriseStatus.pending, reason=None, by=user)
        elif enterprise.status == EnterpriseStatus.rejected:
            _set_status(enterprise, EnterpriseStatus.pending, reason=None, by=user)
        for key, value in resolved["values"].items():
            setattr(enterprise, key, value)
        enterprise.chain_links = resolved["links"]
        if licence is not None:
            enterprise.licence_file_id = licence.id
    _sync_products(session, enterprise)
    return enterprise


def _set_status(enterprise: Enterprise, status: str, *, reason: str | None, by: User | None) -> None:
    enterprise.status = status
    enterprise.status_reason = reason
    enterprise.status_changed_at = utcnow()
    enterprise.status_changed_by_id = by.id if by else None


def change_status(
    session: Session, *, reviewer: User, enterprise: Enterprise, data: StatusChangeIn, version: int | None = None
) -> Enterprise:
    """The committee verifies, rejects (with a reason), suspends (with a reason) or reinstates an enterprise
    (ENTERPRISE_WORKFLOW); its products become public or hidden with it."""
    verification_decide(session, enterprise, data.action, actor=reviewer, reason=data.reason, version=version)
    _sync_products(session, enterprise)
    return enterprise


def _sync_products(session: Session, enterprise: Enterprise) -> None:
    """Keep product.is_public true exactly for published products of verified enterprises."""
    from hotpot.products.models import Product, ProductStatus

    session.execute(
        sql_update(Product)
        .where(Product.enterprise_id == enterprise.id)
        .values(
            is_public=(Product.status == ProductStatus.published)
            if enterprise.status == EnterpriseStatus.verified
            else False
        )
        .execution_options(synchronize_session="fetch")
    )


@dataclass(frozen=True)
class DirectoryFilters:
    q: str | None = None
    town: str | None = None
    park_group: str | None = None
    chain_link: str | None = None
    scale: str | None = None
    status: str | None = None


def _filtered(stmt, f: DirectoryFilters):
    if f.q:
        like = f"%{f.q}%"
        stmt = stmt.where(
            or_(Enterprise.name.ilike(like), Enterprise.short_name.ilike(like), Enterprise.uscc == f.q.upper())
        )
    if f.town == "outside":
        stmt = stmt.where(Enterprise.town_code.is_(None))
    elif f.town:
        stmt = stmt.where(Enterprise.town_code == f.town)
    if f.park_group:
        stmt = stmt.where(Enterprise.park_group == f.park_group)
    if f.scale:
        stmt = stmt.where(Enterprise.scale == f.scale)
    if f.chain_link:
        stmt = stmt.where(Enterprise.chain_links.any(ChainLink.code == f.chain_link))
    return stmt


def directory(
    session: Session, *, filters: DirectoryFilters, sort: str | None, page: int, page_size: int
) -> Page[Enterprise]:
    """Verified enterprises, filtered, sorted and paginated (the public directory)."""
    stmt = _filtered(select(Enterprise).where(Enterprise.status == EnterpriseStatus.verified), filters)
    stmt = stmt.options(selectinload(Enterprise.chain_links))  # the directory's cards show them
    return paginate(session, stmt.order_by(*SORTS.get(sort or "name", SORTS["name"])), page=page, page_size=page_size)


def review_queue(session: Session, *, filters: DirectoryFilters, page: int, page_size: int) -> Page[Enterprise]:
    """Enterprises for the committee, by status (pending first by default), oldest first."""
    stmt = _filtered(select(Enterprise), filters)
    stmt = stmt.where(Enterprise.status == (filters.status or EnterpriseStatus.pending))
    return paginate(session, stmt.order_by(Enterprise.updated_at, Enterprise.id), page=page, page_size=page_size)


def org_part(uscc: str | None) -> str | None:
    """Characters 9-17 of a credit code: the organisation code, the same for one organisation under any code."""
    return uscc[8:17] if uscc and len(uscc) == 18 else None


@dataclass
class Duplicate:
    enterprise: Enterprise
    reason: str


def duplicates(session: Session, *, enterprises: list[Enterprise]) -> dict[int, list[Duplicate]]:
    """For each enterprise, the other pending or verified ones with the same name or the same organisation code
    (one query for a whole queue page): the reviewer should check that it is not registered twice."""
    names = {e.name for e in enterprises}
    orgs = {o for o in (org_part(e.uscc) for e in enterprises) if o}
    if not enterprises:
        return {}
    others = list(
        session.scalars(
            select(Enterprise).where(
                Enterprise.status.in_((EnterpriseStatus.pending, EnterpriseStatus.verified)),
                Enterprise.name.in_(names) | func.substr(Enterprise.uscc, 9, 9).in_(orgs),
            )
        )
    )
    found: dict[int, list[Duplicate]] = {}
    for e in enterprises:
        hits = []
        for o in others:
            if o.id == e.id:
                continue
            if o.name == e.name:
                hits.append(Duplicate(o, "企业名称相同"))
            elif org_part(o.uscc) and org_part(o.uscc) == org_part(e.uscc):
                hits.append(Duplicate(o, "信用代码的组织机构代码部分（第 9-17 位）相同"))
        if hits:
            found[e.id] = hits
    return found


def decide_many(session: Session, *, reviewer: User, form: dict[str, Any]) -> BulkOutcome:
    """Verify or reject several pending enterprises with one reason; each checked and recorded on its own."""
    data, picks = parse_bulk(form)
    change = StatusChangeIn(action=data.action, reason=data.reason)
    return bulk_decide(
        session,
        action=data.action,
        picks=picks,
        model=Enterprise,
        decide=lambda e, version: change_status(session, reviewer=reviewer, enterprise=e, data=change, version=version),
        title=lambda e: e.name,
    )


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Enterprise.status, func.count()).group_by(Enterprise.status))
    return {status: n for status, n in rows}  # noqa: C416 - rows are Row objects


def can_see(user, enterprise: Enterprise) -> bool:
    """Who may see an enterprise: verified ones everyone; others their own producers and staff."""
    return enterprise.status == EnterpriseStatus.verified or can_manage(user, enterprise) or is_staff(user)


def can_read_licence(user, enterprise: Enterprise) -> bool:
    """The business licence scan carries personal data: the enterprise's own producers and staff only."""
    return can_manage(user, enterprise) or is_staff(user)


def licence_file(session: Session, *, user, enterprise_id: int) -> StoredFile | None:
    """The business licence scan, for the enterprise's own producers and staff only (None for anyone else)."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.licence_file_id is None:
        return None
    if not can_read_licence(user, enterprise):
        return None
    return session.get(StoredFile, enterprise.licence_file_id)


def is_staff(user) -> bool:
    return user is not None and user.role in (Role.admin, Role.reviewer)


def can_manage(user, enterprise: Enterprise) -> bool:
    """Producers edit only their own enterprise's records."""
    return user is not None and user.role == Role.producer and user.enterprise_id == enterprise.id


def of_user(session: Session, user) -> Enterprise | None:
    return session.get(Enterprise, user.enterprise_id) if user is not None and user.enterprise_id else None


# --- colleagues ---------------------------------------------------------------------------------------------------


def is_owner(user, enterprise: Enterprise) -> bool:
    """The account that registered the enterprise invites and removes colleagues."""
    return user is not None and can_manage(user, enterprise) and enterprise.created_by_id == user.id


def members(session: Session, *, enterprise: Enterprise) -> list[User]:
    return list(session.scalars(select(User).where(User.enterprise_id == enterprise.id).order_by(User.id)))


def invitations(session: Session, *, enterprise: Enterprise) -> list[EnterpriseInvitation]:
    stmt = select(EnterpriseInvitation).where(
        EnterpriseInvitation.enterprise_id == enterprise.id,
        EnterpriseInvitation.accepted_at.is_(None),
        EnterpriseInvitation.revoked_at.is_(None),
    )
    return list(session.scalars(stmt.order_by(EnterpriseInvitation.created_at.desc())))


def invite(session: Session, *, owner: User, enterprise: Enterprise, email: str) -> EnterpriseInvitation:
    """Invite a colleague's producer account by e-mail; it appears to them when they log in."""
    if not is_owner(owner, enterprise):
        raise NotAllowed("只有企业的登记人可以邀请同事。")
    email = email.strip().lower()
    if any(m.email == email for m in members(session, enterprise=enterprise)):
        raise FieldErrors({"email": "该账号已经是本企业成员"})
    if any(i.email == email for i in invitations(session, enterprise=enterprise)):
        raise FieldErrors({"email": "已经邀请过该邮箱，等待对方接受"})
    invitation = EnterpriseInvitation(enterprise_id=enterprise.id, email=email, invited_by_id=owner.id)
    session.add(invitation)
    session.flush()
    mail.send(
        session,
        to=email,
        kind="invitation",
        subject=f"{enterprise.name} 邀请您加入 - 合川火锅食材数字化平台",
        body=(
            f"您好！\n\n{owner.display_name}（{owner.email}）邀请您以同事身份加入企业“{enterprise.name}”，"
            "一起管理企业信息、产品和询价。\n\n"
            "已有生产企业账号：登录后在“我的企业”页面接受邀请：\n"
            f"{mail.public_url('/login')}\n\n"
            f"还没有账号：用此邮箱 {email} 注册生产企业账号并验证邮箱后即可接受：\n"
            f"{mail.public_url('/register?role=producer')}\n\n"
            "只有验证过此邮箱的账号才能接受邀请。如果您不认识邀请人，请忽略本邮件。"
        ),
    )
    audit.record(
        session,
        actor=owner,
        action="enterprise.invite",
        entity_type="enterprise",
        entity_id=enterprise.id,
        after={"email": email},
    )
    return invitation


def revoke_invitation(session: Session, *, owner: User, enterprise: Enterprise, invitation_id: int) -> bool:
    if not is_owner(owner, enterprise):  # before the lookup: a colleague learns nothing about invitation ids
        raise NotAllowed("只有企业的登记人可以撤回邀请。")
    invitation = session.get(EnterpriseInvitation, invitation_id)
    if invitation is None or invitation.enterprise_id != enterprise.id or not invitation.is_open:
        return False
    invitation.revoked_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=owner,
        action="enterprise.invite_revoke",
        entity_type="enterprise",
        entity_id=enterprise.id,
        before={"email": invitation.email},
    )
    return True


def invitations_for(session: Session, *, user: User) -> list[EnterpriseInvitation]:
    """Open invitations addressed to this account's e-mail, once the account has proven it owns that address."""
    if user.email_verified_at is None:
        return []
    stmt = select(EnterpriseInvitation).where(
        EnterpriseInvitation.email == user.email,
        EnterpriseInvitation.accepted_at.is_(None),
        EnterpriseInvitation.revoked_at.is_(None),
    )
    return list(session.scalars(stmt))


def accept_invitation(session: Session, *, user: User, invitation_id: int) -> Enterprise:
    invitation = session.get(EnterpriseInvitation, invitation_id)
    if invitation is None or invitation.email != user.email or not invitation.is_open:
        raise NotFound("没有找到发给您的这份邀请：它可能已被撤回或已被接受。")
    # The invitation names an address; only an account that proved it reads that mailbox may take it up
    # (registering the address alone proves nothing).
    if user.email_verified_at is None:
        raise FieldErrors({"__all__": "请先验证您的邮箱，再接受企业邀请"})
    if user.role != Role.producer or user.enterprise_id is not None:
        raise FieldErrors({"__all__": "您的账号已属于一家企业，不能再加入其他企业"})
    invitation.accepted_at = utcnow()
    user.enterprise_id = invitation.enterprise_id
    session.flush()
    audit.record(
        session,
        actor=user,
        action="enterprise.join",
        entity_type="enterprise",
        entity_id=invitation.enterprise_id,
        after={"email": user.email},
    )
    return invitation.enterprise


def set_logo(
    session: Session,
    *,
    user: User,
    enterprise: Enterprise,
    upload: tuple[bytes, str] | None,
    version: int | None = None,
) -> None:
    """Replace the enterprise's logo (re-encoded, at most 512 px); version is the page's (None: not checked)."""
    from hotpot.files import images

    if not can_manage(user, enterprise):
        raise NotAllowed("只能修改本企业的信息")
    with changes.tracked(session, enterprise, actor=user, action="enterprise.logo", version=version) as change:
        change.before = {"logo_file_id": enterprise.logo_file_id}
        enterprise.logo_file_id = images.replace_single(session, upload=upload, user=user, field="logo")
        change.after = {"logo_file_id": enterprise.logo_file_id}
