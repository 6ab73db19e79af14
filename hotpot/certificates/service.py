"""Certificate use cases: record with a scan, edit (back to unverified), verify, and where they are shown."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth.models import User
from hotpot.bases.models import BaseStatus, RawBase
from hotpot.certificates.models import EXPIRING_DAYS, Certificate, Verification
from hotpot.certificates.schemas import CertificateIn
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.errors import NotAllowed
from hotpot.files import service as files
from hotpot.files.models import StoredFile
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.validation import FieldErrors, check_version, parse_id
from hotpot.verification import BulkOutcome, DecisionIn, bulk_decide, parse_bulk
from hotpot.verification import decide as verification_decide

# The verification decision (decide) still calls it by this name.
snapshot = changes.snapshot


def _resolve(
    session: Session, *, enterprise: Enterprise, data: CertificateIn, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    errors = dict(errors or {})
    values: dict[str, Any] = data.model_dump(exclude={"holder"})
    holder_type, _, raw_id = data.holder.partition(":")
    values.update(holder_type=holder_type, product_id=None, base_id=None)
    if holder_type == "product":
        product = session.get(Product, product_id) if (product_id := parse_id(raw_id)) else None
        if product is None or product.enterprise_id != enterprise.id:
            errors["holder"] = "请选择本企业的产品"
        else:
            values["product_id"] = product.id
    elif holder_type == "base":
        base = session.get(RawBase, base_id) if (base_id := parse_id(raw_id)) else None
        if base is None or base.enterprise_id != enterprise.id:
            errors["holder"] = "请选择本企业的基地"
        else:
            values["base_id"] = base.id
    elif holder_type != "enterprise":
        errors["holder"] = "请选择证书持有者"
    # The number, the dates and "other"'s name are checked by CertificateIn itself, in the same round as the
    # other fields; only what needs the database is checked here.
    if errors:
        raise FieldErrors(errors)
    return values


def _require_manager(user: User, enterprise: Enterprise) -> None:
    if not enterprise_service.can_manage(user, enterprise):
        raise NotAllowed("这不是您企业的证书，不能修改。")


def _store_scan(session: Session, *, user: User, scan: tuple[bytes, str] | None) -> int | None:
    if not scan or not scan[0]:
        return None
    data, filename = scan
    return files.store(session, data=data, filename=filename, uploaded_by=user, field="scan").id


def take_scan(
    session: Session, *, user: User, scan: tuple[bytes, str] | None, held: StoredFile | None
) -> tuple[StoredFile | None, dict[str, str]]:
    """The scan of this try: a newly chosen one is checked and stored at once, so that it survives an error in
    another field; without a new choice, the one kept from the last try. Returns the file and the scan's error."""
    return files.take(session, user=user, upload=scan, held=held, field="scan")


def create(
    session: Session,
    *,
    user: User,
    enterprise: Enterprise,
    data: CertificateIn,
    scan: tuple[bytes, str] | None = None,
    scan_file: StoredFile | None = None,
    scan_errors: dict[str, str] | None = None,
    is_demo: bool = False,
) -> Certificate:
    """Record a certificate (with its scan, PDF or image); it waits for verification."""
    _require_manager(user, enterprise)
    values = _resolve(session, enterprise=enterprise, data=data, errors=scan_errors)
    scan_id = scan_file.id if scan_file else _store_scan(session, user=user, scan=scan)
    cert = Certificate(**values, enterprise_id=enterprise.id, is_demo=is_demo, scan_file_id=scan_id)
    return changes.created(session, cert, actor=user, action="certificate.create")


def edit(
    session: Session,
    *,
    user: User,
    cert: Certificate,
    data: CertificateIn,
    version: int | None,
    scan: tuple[bytes, str] | None = None,
    scan_file: StoredFile | None = None,
    scan_errors: dict[str, str] | None = None,
) -> Certificate:
    """Change a certificate; it must be verified again."""
    _require_manager(user, cert.enterprise)
    check_version(cert, version)
    values = _resolve(session, enterprise=cert.enterprise, data=data, errors=scan_errors)
    new_scan = scan_file.id if scan_file else _store_scan(session, user=user, scan=scan)
    with changes.tracked(session, cert, actor=user, action="certificate.update"):
        for key, value in values.items():
            setattr(cert, key, value)
        if new_scan:
            cert.scan_file_id = new_scan
        cert.verification, cert.verification_note = Verification.unverified, None
        cert.verified_at, cert.verified_by_id = None, None
    return cert


def decide(
    session: Session, *, reviewer: User, cert: Certificate, data: DecisionIn, version: int | None = None
) -> Certificate:
    """A reviewer checks the certificate against its scan and the issuer's records (CERTIFICATE_WORKFLOW)."""
    return verification_decide(session, cert, data.action, actor=reviewer, reason=data.reason, version=version)


def decide_many(session: Session, *, reviewer: User, form: dict[str, Any]) -> BulkOutcome:
    """One decision and reason for several certificates of the queue; each checked and recorded on its own."""
    data, picks = parse_bulk(form)
    return bulk_decide(
        session,
        action=data.action,
        picks=picks,
        model=Certificate,
        decide=lambda cert, version: decide(session, reviewer=reviewer, cert=cert, data=data, version=version),
        title=lambda cert: f"{cert.kind_label} {cert.number}（{cert.enterprise.name}）",
    )


def public_condition():
    """SQL for "anyone may see this certificate": verified, and its holder public (the enterprise verified, the
    product public, the base verified). A draft product's or a pending base's certificate would name them."""
    product_public = select(Product.id).where(Product.id == Certificate.product_id, Product.is_public).exists()
    base_public = (
        select(RawBase.id).where(RawBase.id == Certificate.base_id, RawBase.status == BaseStatus.verified).exists()
    )
    return and_(
        Certificate.verification == Verification.verified,
        Certificate.enterprise.has(Enterprise.status == EnterpriseStatus.verified),
        or_(
            Certificate.holder_type == "enterprise",
            and_(Certificate.holder_type == "product", product_public),
            and_(Certificate.holder_type == "base", base_public),
        ),
    )


def is_public(cert: Certificate) -> bool:
    """The same rule as public_condition, for one loaded certificate."""
    if cert.verification != Verification.verified or cert.enterprise.status != EnterpriseStatus.verified:
        return False
    if cert.holder_type == "product":
        return cert.product is not None and cert.product.is_public
    if cert.holder_type == "base":
        return cert.base is not None and cert.base.is_public
    return cert.holder_type == "enterprise"


def _of_enterprise(enterprise_id: int, public_only: bool):
    condition = Certificate.enterprise_id == enterprise_id
    return and_(condition, public_condition()) if public_only else condition


def of_enterprise(session: Session, *, enterprise: Enterprise, public_only: bool) -> list[Certificate]:
    stmt = select(Certificate).where(_of_enterprise(enterprise.id, public_only))
    return list(session.scalars(stmt.order_by(Certificate.holder_type, Certificate.kind, Certificate.id)))


def any_of_enterprise(enterprise_id: int, *, public_only: bool):
    """SQL: whether of_enterprise would list anything (a page asks several such things in one statement)."""
    return select(Certificate.id).where(_of_enterprise(enterprise_id, public_only)).exists()


def of_product(session: Session, *, product: Product, public_only: bool) -> list[Certificate]:
    """The product's own certificates and its enterprise's (an SC licence covers the enterprise's products)."""
    stmt = select(Certificate).where(
        (Certificate.product_id == product.id)
        | ((Certificate.enterprise_id == product.enterprise_id) & (Certificate.holder_type == "enterprise"))
    )
    if public_only:
        stmt = stmt.where(public_condition())
    return list(session.scalars(stmt.order_by(Certificate.holder_type.desc(), Certificate.kind)))


def of_base(session: Session, *, base: RawBase, public_only: bool) -> list[Certificate]:
    stmt = select(Certificate).where(Certificate.base_id == base.id)
    if public_only:
        stmt = stmt.where(public_condition())
    return list(session.scalars(stmt.order_by(Certificate.kind)))


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def review_queue(
    session: Session, *, verification: str, page: int, page_size: int, q: str | None = None
) -> Page[Certificate]:
    """The staff queue of one verification state; q finds a number, a holder's or the enterprise's name."""
    stmt = select(Certificate).where(Certificate.verification == verification)
    if q:
        pattern = _like(q)
        compact = _like(q.replace(" ", "").upper())
        enterprises = select(Enterprise.id).where(Enterprise.name.ilike(pattern) | Enterprise.uscc.ilike(compact))
        products = select(Product.id).where(Product.name.ilike(pattern))
        bases = select(RawBase.id).where(RawBase.name.ilike(pattern))
        stmt = stmt.where(
            Certificate.number.ilike(compact)
            | Certificate.number.ilike(pattern)
            | Certificate.enterprise_id.in_(enterprises)
            | Certificate.product_id.in_(products)
            | Certificate.base_id.in_(bases)
        )
    return paginate(session, stmt.order_by(Certificate.updated_at, Certificate.id), page=page, page_size=page_size)


def verification_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Certificate.verification, func.count()).group_by(Certificate.verification))
    return {v: n for v, n in rows}  # noqa: C416


def expiring_count(session: Session) -> int:
    today = date.today()
    return (
        session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.valid_until.between(today, today + timedelta(days=EXPIRING_DAYS)))
        )
        or 0
    )


def get(session: Session, *, cert_id: int) -> Certificate | None:
    """The certificate with this id, public or not (the caller checks who may see it), or None."""
    return session.get(Certificate, cert_id)


def scan_for(session: Session, *, cert_id: int, user) -> StoredFile | None:
    """The certificate's scan, for its enterprise's producers and staff only (scans carry personal data), or None."""
    cert = session.get(Certificate, cert_id)
    if (
        cert is None
        or cert.scan_file_id is None
        or not (enterprise_service.can_manage(user, cert.enterprise) or enterprise_service.is_staff(user))
    ):
        return None
    return session.get(StoredFile, cert.scan_file_id)


def can_see(user, cert: Certificate) -> bool:
    """Who may see a certificate: public ones everyone; others its enterprise's producers and staff."""
    return can_read_scan(user, cert) or is_public(cert)


def can_read_scan(user, cert: Certificate) -> bool:
    """Scans carry personal data: the certificate's own producers and staff only, even of a public certificate."""
    return enterprise_service.can_manage(user, cert.enterprise) or enterprise_service.is_staff(user)


def can_edit(user, cert: Certificate) -> bool:
    """Only the producers of the certificate's own enterprise change it."""
    return enterprise_service.can_manage(user, cert.enterprise)


def holder_choices(session: Session, *, enterprise: Enterprise) -> list[tuple[str, str]]:
    products = session.scalars(select(Product).where(Product.enterprise_id == enterprise.id).order_by(Product.name))
    bases = session.scalars(select(RawBase).where(RawBase.enterprise_id == enterprise.id).order_by(RawBase.name))
    return (
        [("enterprise", f"本企业：{enterprise.name}")]
        + [(f"product:{p.id}", f"产品：{p.name}") for p in products]
        + [(f"base:{b.id}", f"基地：{b.name}") for b in bases]
    )


def public_list(session: Session, *, kind: str | None, page: int, page_size: int) -> Page[Certificate]:
    stmt = select(Certificate).where(public_condition())
    if kind:
        stmt = stmt.where(Certificate.kind == kind)
    return paginate(session, stmt.order_by(Certificate.id.desc()), page=page, page_size=page_size)
