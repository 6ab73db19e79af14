"""Input schemas of the expert pool (专家库), ties of interest and assignments."""

from __future__ import annotations

from pydantic import EmailStr, Field, field_validator

from hotpot.hitpool.enums import Expertise
from hotpot.validation import Id, InputSchema

FIELD_VALUES = frozenset(Expertise.labels())


def _fields(value: object) -> list[str]:
    """The checked boxes of a form: one value or several; each must be a known field, at least one."""
    if value is None or value == "":
        raise ValueError("请至少选择一个专业领域")
    items = [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]
    chosen = []
    for item in items:
        item = str(item).strip()
        if item not in FIELD_VALUES:
            raise ValueError("请选择有效的专业领域")
        if item not in chosen:
            chosen.append(item)
    if not chosen:
        raise ValueError("请至少选择一个专业领域")
    return chosen


class ExpertProfileIn(InputSchema):
    """What an expert may change of their own entry (and staff too, with the name)."""

    organization: str = Field(min_length=2, max_length=100)
    title: str | None = Field(default=None, max_length=40)
    fields: list[str] = Field(default=None, validate_default=True)  # type: ignore[assignment]
    bio: str | None = Field(default=None, max_length=2000)

    @field_validator("fields", mode="before")
    @classmethod
    def _check_fields(cls, value: object) -> list[str]:
        return _fields(value)


class ExpertEditIn(ExpertProfileIn):
    name: str = Field(min_length=2, max_length=30)


class ExpertCreateIn(ExpertEditIn):
    email: EmailStr = Field(max_length=254)


class TieIn(InputSchema):
    enterprise_id: Id
    reason: str = Field(min_length=2, max_length=200)


class AssignmentAddIn(InputSchema):
    candidate_id: Id
    expert_id: Id
    reason: str = Field(min_length=2, max_length=300)


class AssignmentMoveIn(InputSchema):
    expert_id: Id
    reason: str = Field(min_length=2, max_length=300)


class DrawIn(InputSchema):
    seed: str | None = Field(default=None, max_length=64, pattern=r"^[0-9A-Za-z_\-]+$")
