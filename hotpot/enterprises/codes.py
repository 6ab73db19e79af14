"""Enterprise identifiers: the unified social credit code (GB 32100-2015) and the SC food production licence number."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

# --- Unified social credit code (统一社会信用代码) -------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = re.compile(r"[0-9A-Z]{8}")

# Demo enterprises get organisation codes on this block so fictional codes can never collide with a real one.
DEMO_ORG_PREFIX = "PDY"
DEMO_DEFAULT_PREFIX8 = "91500117"

_WHITESPACE = re.compile(r"\s+")


def _normalize(raw: str) -> str:
    """Drop all whitespace, fold full-width forms to half-width (NFKC) and uppercase."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _quoted(chars: str) -> str:
    """Each distinct character once, in order of appearance, inside 「」 so a stray space stays visible."""
    return "".join(f"「{ch}」" for ch in dict.fromkeys(chars))


def normalize_uscc(raw: str) -> str:
    """Canonical form of a typed USCC: no whitespace, half-width, uppercase."""
    return _normalize(raw)


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character of an organisation code's first 8 characters (digits or A–Z)."""
    if not _ORG_BODY.fullmatch(first8):
        raise ValueError(f"组织机构代码本体应为 8 位数字或大写字母：{first8!r}")
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character (char 18) of a USCC's first 17 characters."""
    if len(first17) != 17 or any(ch not in _USCC_VALUES for ch in first17):
        raise ValueError(f"应为 17 位且只含代码字符集中的字符：{first17!r}")
    total = sum(_USCC_VALUES[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """What is wrong with a normalized USCC, in Chinese; None when it is valid."""
    if len(code) != USCC_LENGTH:
        return f"统一社会信用代码应为 18 位，当前为 {len(code)} 位"
    illegal = "".join(ch for ch in code if ch not in _USCC_VALUES)
    if illegal:
        return f"统一社会信用代码含有不允许的字符：{_quoted(illegal)}（只能是数字和大写字母，且不使用 I、O、Z、S、V）"
    if not code[2:8].isdigit():
        return f"统一社会信用代码第 3–8 位应为 6 位数字的行政区划码，当前为「{code[2:8]}」"
    # Chars 9-16 are in the USCC alphabet by now, which is a subset of what GB 11714 accepts.
    if code[16] != org_code_check_char(code[8:16]):
        return "统一社会信用代码第 9–17 位（组织机构代码）校验不通过：第 17 位校验码与前 8 位不符，请核对"
    if code[17] != uscc_check_char(code[:17]):
        return "统一社会信用代码校验码（第 18 位）不正确，请核对是否有输错的字符"
    return None


def make_uscc(prefix8: str, org8: str) -> str:
    """A valid USCC built from chars 1–8 and the organisation code's first 8 chars, with both check chars computed."""
    if len(prefix8) != 8 or any(ch not in _USCC_VALUES for ch in prefix8) or not prefix8[2:].isdigit():
        raise ValueError(f"前 8 位应为登记管理部门码、机构类别码和 6 位行政区划码：{prefix8!r}")
    if len(org8) != 8 or any(ch not in _USCC_VALUES for ch in org8):
        raise ValueError(f"组织机构代码本体应为 8 位且只含代码字符集中的字符：{org8!r}")
    first17 = prefix8 + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def demo_uscc(n: int, *, prefix8: str = DEMO_DEFAULT_PREFIX8) -> str:
    """The n-th fictional demo USCC (n in 1..99999) on the reserved organisation-code block PDY00001..PDY99999."""
    if not 1 <= n <= 99999:
        raise ValueError(f"演示代码序号应在 1–99999 之间：{n}")
    return make_uscc(prefix8, f"{DEMO_ORG_PREFIX}{n:05d}")


def is_demo_uscc(code: str) -> bool:
    """Whether a USCC lies on the reserved fictional organisation-code block (chars 9–11 are PDY)."""
    return len(code) == USCC_LENGTH and code[8:11] == DEMO_ORG_PREFIX


def division_of(code: str) -> str:
    """The 6-digit administrative division code of a USCC (chars 3–8)."""
    if len(code) != USCC_LENGTH:
        raise ValueError(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位")
    return code[2:8]


# --- SC food production licence number (食品生产许可证编号) -------------------------------------------------------

SC_DIGITS = 14
_SC_KINDS: dict[str, tuple[Literal["food", "additive"], str]] = {"1": ("food", "食品"), "2": ("additive", "食品添加剂")}


@dataclass(frozen=True, slots=True)
class ScNumber:
    """A parsed SC number: SC + kind (1) + food class (2) + division (6) + serial (4) + check digit (1)."""

    number: str
    kind: Literal["food", "additive"]
    kind_label: str
    food_class: str
    division: str
    serial: str
    check_digit: str


def normalize_sc(raw: str) -> str:
    """Canonical form of a typed SC number: no whitespace, half-width, uppercase."""
    return _normalize(raw)


def parse_sc(number: str) -> ScNumber:
    """Split a normalized SC number into its parts; ValueError with a Chinese message when the format is wrong."""
    if not number.startswith("SC"):
        raise ValueError("食品生产许可证编号应以 SC 开头")
    digits = number[2:]
    non_digits = "".join(ch for ch in digits if not ("0" <= ch <= "9"))
    if non_digits:
        raise ValueError(f"食品生产许可证编号 SC 后只能是数字，发现：{_quoted(non_digits)}")
    if len(digits) != SC_DIGITS:
        raise ValueError(f"食品生产许可证编号 SC 后应为 14 位数字，当前为 {len(digits)} 位")
    if digits[0] not in _SC_KINDS:
        raise ValueError(f"食品生产许可证编号 SC 后第 1 位应为 1（食品）或 2（食品添加剂），当前为 {digits[0]}")
    food_class = digits[1:3]
    if not 1 <= int(food_class) <= 31:
        raise ValueError(f"食品生产许可证编号 SC 后第 2–3 位食品类别应为 01–31，当前为 {food_class}")
    kind, kind_label = _SC_KINDS[digits[0]]
    # The check digit's algorithm is not published, so it is kept but never verified.
    return ScNumber(
        number=number,
        kind=kind,
        kind_label=kind_label,
        food_class=food_class,
        division=digits[3:9],
        serial=digits[9:13],
        check_digit=digits[13],
    )


def sc_problem(number: str) -> str | None:
    """What is wrong with a normalized SC number's format, in Chinese; None when it is well-formed."""
    try:
        parse_sc(number)
    except ValueError as exc:
        return str(exc)
    return None
