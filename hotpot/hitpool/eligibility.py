"""The eligibility rules of a batch, checked when a producer submits an application (and again on screening).

`check(session, candidate)` lists every failed rule in Chinese with the page that fixes it; `rules(batch)` says the
batch's rules in plain Chinese for the producer's pool page. A verified enterprise is always required; a published
product, a valid verified SC licence and a minimum time on the platform are the batch's own choices; the required
fields of the application are pitch, last year's sales and volume, and capacity.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotpot.certificates.models import Certificate, Verification
from hotpot.enterprises.models import EnterpriseStatus
from hotpot.hitpool.dates import today
from hotpot.hitpool.models import Batch, Candidate
from hotpot.products.models import ProductStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The fields a submitted application must have, with what the producer reads.
REQUIRED_FIELDS = {
    "pitch": "申报理由（产品亮点）",
    "sales_wan": "上年销售额（万元）",
    "volume_t": "上年销量（吨）",
    "capacity_t": "年产能（吨/年）",
}


@dataclass(frozen=True)
class Failure:
    """One failed rule: which, why (Chinese), and the page that fixes it (None when nothing on the platform can)."""

    rule: str
    message: str
    fix_url: str | None = None
    fix_label: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rules(batch: Batch) -> list[str]:
    """The batch's rules in plain Chinese (the producer's pool page)."""
    out = ["企业已在平台通过认证"]
    if batch.require_published_product:
        out.append("申报产品已在平台发布")
    if batch.require_sc_licence:
        out.append("企业或该产品持有有效期内、已通过核验的 SC 食品生产许可证")
    if batch.min_months_on_platform:
        out.append(f"企业入驻平台满 {batch.min_months_on_platform} 个月")
    out.append("申报书填写完整：" + "、".join(REQUIRED_FIELDS.values()))
    return out


def sc_licences(session: Session, candidate: Candidate) -> list[Certificate]:
    """The SC licences that could cover the candidate: the enterprise's own and the product's."""
    stmt = select(Certificate).where(
        Certificate.enterprise_id == candidate.enterprise_id,
        Certificate.kind == "sc",
        or_(Certificate.holder_type == "enterprise", Certificate.product_id == candidate.product_id),
    )
    return list(session.scalars(stmt.order_by(Certificate.valid_until.desc().nulls_first(), Certificate.id)))


def check(session: Session, candidate: Candidate) -> list[Failure]:
    """Every rule the application fails now, in the order a producer fixes them (empty: eligible)."""
    batch, enterprise, product = candidate.batch, candidate.enterprise, candidate.product
    edit_url = f"/my/pool/candidates/{candidate.id}"
    now = today()
    failures: list[Failure] = []
    if enterprise.status != EnterpriseStatus.verified:
        failures.append(
            Failure(
                "enterprise_verified",
                f"企业尚未通过认证（当前状态：{enterprise.status_label}）。认证通过后才能申报。",
                "/my/enterprise",
                "查看企业认证",
            )
        )
    if batch.require_published_product and product.status != ProductStatus.published:
        failures.append(
            Failure(
                "product_published",
                f"申报产品“{product.name}”尚未发布（当前状态：{product.status_label}）。",
                "/my/enterprise",
                "去发布产品",
            )
        )
    if batch.require_sc_licence:
        failures.extend(_sc_failures(session, candidate, now))
    if batch.min_months_on_platform:
        joined = enterprise.created_at.astimezone(SHANGHAI).date()
        due = add_months(joined, batch.min_months_on_platform)
        if due > now:
            since = f"{joined.year}年{joined.month}月{joined.day}日"
            ready = f"{due.year}年{due.month}月{due.day}日"
            failures.append(
                Failure(
                    "min_months",
                    f"本批次要求企业入驻平台满 {batch.min_months_on_platform} 个月；贵企业于"
                    f" {since}入驻，{ready}起满足条件。",
                )
            )
    for field, label in REQUIRED_FIELDS.items():
        value = getattr(candidate, field)
        if value is None or (isinstance(value, str) and not value.strip()):
            failures.append(Failure(f"field:{field}", f"请填写{label}。", f"{edit_url}#field-{field}", f"填写{label}"))
    return failures


def _sc_failures(session: Session, candidate: Candidate, now: date) -> list[Failure]:
    licences = sc_licences(session, candidate)
    good = [
        c
        for c in licences
        if c.verification == Verification.verified and (c.valid_until is None or c.valid_until >= now)
    ]
    if good:
        return []
    if not licences:
        return [
            Failure(
                "sc_licence",
                "未找到 SC 食品生产许可证。请先在资质证书中登记企业或该产品的 SC 证书，并等待核验。",
                "/my/certificates/new",
                "登记 SC 证书",
            )
        ]
    latest = licences[0]
    edit = f"/my/certificates/{latest.id}/edit"
    if latest.valid_until is not None and latest.valid_until < now:
        until = latest.valid_until
        message = f"SC 食品生产许可证 {latest.number} 已于 {until.year}年{until.month}月{until.day}日过期，请更新证书。"
        return [Failure("sc_licence", message, edit, "更新 SC 证书")]
    if latest.verification == Verification.rejected:
        message = f"SC 食品生产许可证 {latest.number} 核验未通过：{latest.verification_note or '请查看核验意见'}。"
        return [Failure("sc_licence", message, edit, "修改 SC 证书")]
    message = f"SC 食品生产许可证 {latest.number} 尚未通过核验。工作人员核验通过后即可提交。"
    return [Failure("sc_licence", message, edit, "查看 SC 证书")]
