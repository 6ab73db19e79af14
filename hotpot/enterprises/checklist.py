"""What an enterprise still lacks before buyers can trust and find it, gathered from all its records."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot.certificates.models import Certificate, Verification
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.products.models import Product, ProductStatus
from hotpot.products.photos import ProductPhoto


def checklist(session: Session, *, enterprise: Enterprise) -> list[tuple[str, str]]:
    """(level, message) pairs: error, warning or info, most urgent first."""
    items: list[tuple[str, str]] = []
    if enterprise.status == EnterpriseStatus.pending:
        items.append(("info", "企业信息正在等待区农业农村委审核，审核通过后企业和产品才会公开展示"))
    elif enterprise.status == EnterpriseStatus.rejected:
        items.append(("error", f"企业登记被退回：{enterprise.status_reason or '请按审核意见修改后重新提交'}"))
    elif enterprise.status == EnterpriseStatus.suspended:
        items.append(("error", f"企业已被暂停展示：{enterprise.status_reason or ''}"))

    certs = list(session.scalars(select(Certificate).where(Certificate.enterprise_id == enterprise.id)))
    sc = [c for c in certs if c.kind == "sc"]
    today = date.today()
    if not certs:
        items.append(("warning", "还没有登记任何资质证书（如 SC 食品生产许可证）"))
    elif not sc:
        items.append(("warning", "还没有登记 SC 食品生产许可证"))
    for c in sc:
        if c.valid_until and c.valid_until < today:
            items.append(("error", f"SC 食品生产许可证 {c.number} 已于 {c.valid_until} 过期，请及时续证并更新"))
        elif c.state() == "expiring":
            items.append(("warning", f"SC 食品生产许可证 {c.number} 将于 {c.valid_until} 到期"))
    if any(c.verification == Verification.rejected for c in certs):
        items.append(("error", "有证书核验未通过，请查看意见并更新"))

    counts = dict(
        session.execute(
            select(Product.status, func.count()).where(Product.enterprise_id == enterprise.id).group_by(Product.status)
        ).all()
    )
    if not counts:
        items.append(("warning", "还没有登记任何产品"))
    elif not counts.get(ProductStatus.published):
        items.append(("warning", "还没有已发布的产品：草稿不会展示给采购商"))
    without_photo = session.scalar(
        select(func.count())
        .select_from(Product)
        .where(
            Product.enterprise_id == enterprise.id,
            Product.status == ProductStatus.published,
            ~select(ProductPhoto.id).where(ProductPhoto.product_id == Product.id).exists(),
        )
    )
    if without_photo:
        items.append(("warning", f"{without_photo} 个已发布产品没有照片，有照片的产品更容易被采购商选中"))
    if not enterprise.description:
        items.append(("warning", "企业简介为空：写明主营产品和产能，便于采购商了解"))
    return items
