"""What the verification of enterprises, bases and certificates has in common: reasons, who and when."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hotpot.validation import FieldErrors, InputSchema


class DecisionIn(InputSchema):
    action: Literal["verify", "reject"]
    reason: str | None = Field(default=None, max_length=500)


def require_reason(action: str, reason: str | None) -> None:
    """Refusals must say why: the producer sees the reason next to the record."""
    if action in ("reject", "suspend") and len((reason or "").strip()) < 4:
        raise FieldErrors({"reason": "退回或暂停时请填写原因（至少 4 个字），企业会看到这段说明"})
