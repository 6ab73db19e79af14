"""The batch's ranking list and decision list as XLSX (openpyxl): Chinese headers, one row per candidate, the same
visibility as the page (ranking.rank applies access.visible_candidates)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from hotpot.hitpool import ranking
from hotpot.hitpool.enums import Recommendation
from hotpot.hitpool.models import Batch

RANKING_HEADERS = (
    "排名",
    "产品",
    "企业",
    "品类",
    "标准化得分",
    "平均加权总分",
    "评审数",
    "应评审数",
    "分差",
    "意见分歧",
    *(r.label for r in Recommendation),
    "配额线内",
    "拟定决定",
)
DECISION_HEADERS = ("排名", "产品", "企业", "品类", "决定", "给企业的说明", "状态")
QUOTA_FILL = PatternFill("solid", fgColor="E8F5EE")


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def _workbook(title: str, headers: tuple[str, ...], rows: list[list[Any]], widths: dict[int, int]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(index, 12)
    return book


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ranking_xlsx(session: Session, batch: Batch, viewer: Any, *, sort: str = "normalised") -> bytes:
    """The ranking as the page shows it (same sort), rows inside the quota shaded."""
    rows = ranking.rank(session, batch, viewer, sort=sort)
    data = [
        [
            r.rank,
            r.product_name,
            r.enterprise_name,
            r.category,
            _number(r.normalised),
            _number(r.mean),
            r.review_count,
            r.expected_reviews,
            _number(r.spread),
            "是" if r.disagreement else "否",
            *(r.recommendations.get(rec.value, 0) for rec in Recommendation),
            "是" if r.above_quota else "否",
            r.outcome_label or "",
        ]
        for r in rows
    ]
    book = _workbook("排名", RANKING_HEADERS, data, {2: 24, 3: 30, 4: 12, 5: 12, 6: 14, 16: 14})
    sheet = book.active
    for offset, r in enumerate(rows, start=2):
        if r.above_quota:
            for cell in sheet[offset]:
                cell.fill = QUOTA_FILL
    return _bytes(book)


def decisions_xlsx(session: Session, batch: Batch, viewer: Any) -> bytes:
    """Every visible candidate that has a decision, in ranking order."""
    rows = [r for r in ranking.rank(session, batch, viewer) if r.decision_outcome]
    data = [
        [
            r.rank,
            r.product_name,
            r.enterprise_name,
            r.category,
            r.outcome_label,
            r.decision_note or "",
            "已正式发布" if r.decision_final else "拟定",
        ]
        for r in rows
    ]
    return _bytes(_workbook("入库决定", DECISION_HEADERS, data, {2: 24, 3: 30, 6: 40}))


def filename(batch: Batch, what: str) -> str:
    return f"{batch.name}-{what}.xlsx"
