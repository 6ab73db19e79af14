"""What an expert's review form and a discussion post may carry, checked with every error in Chinese in one round."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field

from hotpot.hitpool.enums import Recommendation
from hotpot.validation import FieldErrors, InputSchema, has_nul, parse_id

ACTIONS = ("save", "submit")
SCORE_STEP = Decimal("0.5")
MAX_NOTE = 1000
MAX_COMMENT = 5000
MIN_COMMENT = 4
MIN_REASON = 4
MAX_REASON = 300
MIN_POST = 2
MAX_POST = 2000


@dataclass
class ReviewInput:
    """A parsed review form: scores and notes by criterion id (a draft may leave some out)."""

    action: str
    review_id: int | None
    scores: dict[int, Decimal] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    recommendation: Recommendation | None = None
    confidence: int | None = None
    comment: str | None = None
    stamp: str | None = None  # the draft's updated_at when the form was loaded (a second tab's edits are not lost)

    @property
    def submitting(self) -> bool:
        return self.action == "submit"


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key)
    if isinstance(value, list):  # a repeated field: the last one counts, as a browser would send one
        value = value[-1] if value else ""
    return value.strip() if isinstance(value, str) else ""


def parse_review(form: Mapping[str, Any], criteria: Iterable[Any]) -> ReviewInput:
    """The review form against the batch's rubric: scores 0..max in steps of 0.5; on submit every score, the
    recommendation, the confidence and the overall comment are required. Raises FieldErrors with every error."""
    errors: dict[str, str] = {}
    if any(has_nul(v) for v in form.values()):
        raise FieldErrors({"__all__": "表单包含无效字符，请删除后重新提交"})
    action = _text(form, "action")
    if action not in ACTIONS:
        raise FieldErrors({"__all__": "请选择“保存草稿”或“提交评审”"})
    raw_id = _text(form, "review_id")
    review_id = parse_id(raw_id) if raw_id else None
    if raw_id and review_id is None:
        raise FieldErrors({"__all__": "表单已损坏，请刷新页面后重试"})
    data = ReviewInput(action=action, review_id=review_id, stamp=_text(form, "draft_stamp") or None)
    submitting = data.submitting

    for c in criteria:
        key, note_key = f"score_{c.id}", f"note_{c.id}"
        raw = _text(form, key)
        if raw == "":
            if submitting:
                errors[key] = f"请为“{c.name}”打分（0–{c.max_score} 分）"
        else:
            try:
                score = Decimal(raw)
            except InvalidOperation:
                score = None
            if score is None or not score.is_finite():
                errors[key] = "请输入数字"
            elif score < 0 or score > c.max_score:
                errors[key] = f"分数须在 0 到 {c.max_score} 之间"
            elif score % SCORE_STEP != 0:
                errors[key] = "分数以 0.5 分为单位（如 7 或 7.5）"
            else:
                data.scores[c.id] = score.quantize(Decimal("0.1"))
        note = _text(form, note_key)
        if len(note) > MAX_NOTE:
            errors[note_key] = f"不能超过 {MAX_NOTE} 个字符"
        elif note:
            data.notes[c.id] = note

    rec = _text(form, "recommendation")
    if rec:
        if rec in Recommendation.labels():
            data.recommendation = Recommendation(rec)
        else:
            errors["recommendation"] = "请选择一个有效的选项"
    elif submitting:
        errors["recommendation"] = "请选择总体推荐意见"

    conf = _text(form, "confidence")
    if conf:
        if conf in {"1", "2", "3", "4", "5"}:
            data.confidence = int(conf)
        else:
            errors["confidence"] = "把握程度请选择 1 到 5"
    elif submitting:
        errors["confidence"] = "请选择您对这份评审的把握程度（1–5）"

    comment = _text(form, "comment")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"不能超过 {MAX_COMMENT} 个字符"
    elif comment:
        if submitting and len(comment) < MIN_COMMENT:
            errors["comment"] = f"总体意见至少 {MIN_COMMENT} 个字"
        data.comment = comment
    elif submitting:
        errors["comment"] = "请填写总体评审意见"

    if errors:
        raise FieldErrors(errors)
    return data


class RevisionIn(InputSchema):
    """Why a submitted review is revised (kept with the revision, shown in its history)."""

    revision_reason: str = Field(min_length=MIN_REASON, max_length=MAX_REASON)


class PostIn(InputSchema):
    """One message of a candidate's discussion."""

    body: str = Field(min_length=MIN_POST, max_length=MAX_POST)
