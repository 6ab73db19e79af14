"""Shared validation: field errors in Chinese for forms and the API, and common field rules."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Record ids are PostgreSQL integers: a positive 32-bit number, or the record cannot exist. Routes (path, query),
# forms and schemas all take ids as Id, so 2147483648 is a 404 or a 422, never an out-of-range error from the database.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# PostgreSQL text cannot hold a NUL byte; no form, query or JSON value may carry one.
NUL_MESSAGE = "包含无效字符"


def has_nul(value: Any) -> bool:
    """Whether a submitted value (a string, or a list or dict of them) contains a NUL byte."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple, set)):
        return any(has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False


def parse_id(raw: Any) -> int | None:
    """An id a client typed or picked (a form value, the N of "product:N"): the integer, or None if it is no id."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class FieldErrors(Exception):
    """A use case refused its input; errors maps a field path to a message in Chinese."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class StaleVersion(Exception):
    """The record changed since the form was loaded (optimistic locking); current is the record as it is now.

    Raised by check_version, and by the session's flush when the database refused the conditioned UPDATE
    (hotpot/db.py AppSession); current is None when the record was deleted meanwhile, title (when known) is
    what a generic conflict page calls the record.
    """

    def __init__(self, current: Any, *, title: str | None = None):
        super().__init__("stale version")
        self.current = current
        self.title = title


def check_version(record: Any, version: int | None) -> None:
    """Refuse a change made from a stale copy of record (None skips this comparison, e.g. for the CLI).

    This only catches a form that was stale when the request began; a writer who commits between this check and
    the flush is caught by the database, whose UPDATE is conditioned on the version loaded (hotpot/db.py
    Versioned), with or without a version here."""
    if version is not None and version != record.version:
        raise StaleVersion(record)


class InputSchema(BaseModel):
    """Base of every input schema: unknown fields are refused, so status or owner cannot be mass-assigned."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value


_MESSAGES = {
    "missing": "此项为必填项",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "value_error": "{msg}",
    "assertion_error": "{msg}",
    "extra_forbidden": "不允许提交此字段",
    "int_parsing": "请输入整数",
    "int_type": "请输入整数",
    "float_parsing": "请输入数字",
    "decimal_parsing": "请输入数字",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "date_from_datetime_parsing": "请输入正确的日期（年-月-日）",
    "date_parsing": "请输入正确的日期（年-月-日）",
    "literal_error": "请选择一个有效的选项",
    "enum": "请选择一个有效的选项",
    "bool_parsing": "请选择是或否",
    "string_pattern_mismatch": "格式不正确",
    "too_short": "至少选择 {min_length} 项",
    "too_long": "最多选择 {max_length} 项",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "date_from_datetime_inexact": "请输入正确的日期（年-月-日）",
    "list_type": "请选择",
}


def chinese_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = dict(err.get("ctx") or {})
    if kind == "value_error" and "email address" in str(err.get("msg", "")):
        return "邮箱格式不正确"
    if kind in ("value_error", "assertion_error"):
        msg = str(ctx.get("error", err.get("msg", "")))
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return "输入不正确"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "form"))


def errors_from_validation(exc: ValidationError) -> dict[str, str]:
    """First message for each field path, in Chinese."""
    out: dict[str, str] = {}
    for err in exc.errors():
        out.setdefault(field_path(tuple(err["loc"])) or "__all__", chinese_message(err))
    return out


SchemaT = TypeVar("SchemaT", bound=BaseModel)


def parse_form(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    """Validate form data against a schema; raise FieldErrors in Chinese. Empty strings count as missing."""
    cleaned = {k: v for k, v in data.items() if k != "csrf_token" and not (isinstance(v, str) and v.strip() == "")}
    try:
        return schema.model_validate(cleaned)
    except ValidationError as exc:
        errors = errors_from_validation(exc)
        # Unknown fields have no place on the page: name them in the form-wide message.
        extra = [field_path(tuple(e["loc"])) for e in exc.errors() if e["type"] == "extra_forbidden"]
        if extra:
            errors["__all__"] = "表单包含不允许提交的字段（不允许提交此字段）：" + "、".join(extra)
        raise FieldErrors(errors) from exc


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?$")


def normalize_phone(value: str) -> str:
    """Accept a mainland mobile number or a landline with area code (e.g. 023-42828888); refuse anything else."""
    compact = re.sub(r"[\s()（）]", "", value).removeprefix("+86").removeprefix("0086")
    if MOBILE_RE.match(compact) or LANDLINE_RE.match(compact):
        return compact
    raise ValueError("请输入 11 位手机号，或带区号的固定电话（如 023-42828888）")
