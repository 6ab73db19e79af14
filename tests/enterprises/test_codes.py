"""Unified social credit codes and SC food production licence numbers: check characters, messages, parsing."""

from __future__ import annotations

import re

import pytest

from hotpot.enterprises.codes import (
    USCC_ALPHABET,
    ScNumber,
    demo_uscc,
    division_of,
    is_demo_uscc,
    make_uscc,
    normalize_sc,
    normalize_uscc,
    org_code_check_char,
    parse_sc,
    sc_problem,
    uscc_check_char,
    uscc_problem,
)

EXAMPLE = "91500117PDY00001XK"  # the fictional code given in the reference docs

CHECK_CHAR_MESSAGE = "统一社会信用代码校验码（第 18 位）不正确，请核对是否有输错的字符"
ORG_CODE_MESSAGE = "统一社会信用代码第 9–17 位（组织机构代码）校验不通过：第 17 位校验码与前 8 位不符，请核对"


# --- USCC: the documented example and independent arithmetic ----------------------------------------------------


def test_documented_example_is_valid() -> None:
    assert uscc_problem(EXAMPLE) is None
    assert make_uscc("91500117", "PDY00001") == EXAMPLE


def test_example_check_chars_by_hand() -> None:
    # Organisation code PDY00001: P=25, D=13, Y=34, weights 3 7 9 10 5 8 4 2.
    org_sum = 25 * 3 + 13 * 7 + 34 * 9 + 0 * 10 + 0 * 5 + 0 * 8 + 0 * 4 + 1 * 2
    assert org_sum == 474
    assert 11 - org_sum % 11 == 10  # -> "X"
    assert org_code_check_char("PDY00001") == "X"

    # Values in the 31-char alphabet of 9 1 5 0 0 1 1 7 P D Y 0 0 0 0 1 X, with weights 3^(i-1) mod 31.
    values = [9, 1, 5, 0, 0, 1, 1, 7, 23, 13, 30, 0, 0, 0, 0, 1, 29]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    assert total == 2647  # 2647 = 85 * 31 + 12
    assert 31 - total % 31 == 19
    assert USCC_ALPHABET[19] == "K"
    assert uscc_check_char("91500117PDY00001X") == "K"


def test_alphabet_leaves_out_ambiguous_letters() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)


def test_org_code_check_char_maps_10_to_x_and_11_to_0() -> None:
    # 1 * 2 = 2 -> 11 - 2 = 9
    assert org_code_check_char("00000001") == "9"
    # Sum 0 -> 11 - 0 = 11 -> "0"
    assert org_code_check_char("00000000") == "0"
    # 1 * 3 + 4 * 2 = 11 -> 11 - 0 = 11 -> "0"; 1 * 3 = 3 -> 8
    assert org_code_check_char("10000004") == "0"
    assert org_code_check_char("10000000") == "8"
    # A = 10: 10 * 3 = 30 -> 30 mod 11 = 8 -> 3
    assert org_code_check_char("A0000000") == "3"


def test_uscc_check_char_result_31_becomes_0() -> None:
    # All zeros sum to 0 -> 31 - 0 = 31 -> 0.
    assert uscc_check_char("0" * 17) == "0"


# --- USCC: valid codes, including the N and Y authorities stdnum refuses ----------------------------------------


@pytest.mark.parametrize(
    ("prefix8", "org8"),
    [
        ("91500117", "MA5U7G3K"),  # enterprise registered with market regulation, Hechuan district
        ("92500117", "MA60X1Q2"),  # individual business
        ("N2500117", "MA6H2B4C"),  # agricultural authority: rural collective economic organisation
        ("N1500117", "50000000"),
        ("Y1500117", "MA61P0D7"),  # other authorities
        ("Y2500000", "12345678"),
        ("11500000", "00916432"),  # government organ
        ("52500117", "MJP41027"),  # civil affairs: social organisation
    ],
)
def test_constructed_codes_are_valid(prefix8: str, org8: str) -> None:
    code = make_uscc(prefix8, org8)
    assert len(code) == 18
    assert code.startswith(prefix8 + org8)
    assert uscc_problem(code) is None
    assert division_of(code) == prefix8[2:]


def test_codes_starting_with_n_and_y_are_accepted() -> None:
    for first in "NY":
        for second in USCC_ALPHABET:
            code = make_uscc(f"{first}{second}500117", "MA5U7G3K")
            assert uscc_problem(code) is None, code


# --- USCC: refusals --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [EXAMPLE, make_uscc("N2500117", "MA6H2B4C"), make_uscc("Y1500117", "MA61P0D7")])
def test_every_other_check_char_is_refused(code: str) -> None:
    others = [ch for ch in USCC_ALPHABET if ch != code[17]]
    assert len(others) == 30
    for ch in others:
        assert uscc_problem(code[:17] + ch) == CHECK_CHAR_MESSAGE


def test_check_char_message_does_not_reveal_the_expected_char() -> None:
    message = uscc_problem(EXAMPLE[:17] + "0")
    assert message == CHECK_CHAR_MESSAGE
    assert "K" not in message


def test_single_change_before_the_org_code_is_refused_by_the_check_char() -> None:
    wrong = "8" + EXAMPLE[1:]
    assert uscc_problem(wrong) == CHECK_CHAR_MESSAGE


def test_wrong_org_code_check_char_is_refused() -> None:
    for ch in "0123456789":
        code = EXAMPLE[:16] + ch + EXAMPLE[17]
        assert uscc_problem(code) == ORG_CODE_MESSAGE
    # Even when char 18 is recomputed to match, char 17 still has to satisfy GB 11714.
    first17 = EXAMPLE[:16] + "3"
    assert uscc_problem(first17 + uscc_check_char(first17)) == ORG_CODE_MESSAGE


def test_typo_inside_the_org_code_is_refused() -> None:
    assert uscc_problem(EXAMPLE[:8] + "PDY00002" + EXAMPLE[16:]) == ORG_CODE_MESSAGE


@pytest.mark.parametrize("code", ["", "91500117PDY00001X", "91500117PDY00001XK0", "9150011"])
def test_wrong_length_is_refused(code: str) -> None:
    assert uscc_problem(code) == f"统一社会信用代码应为 18 位，当前为 {len(code)} 位"


def test_illegal_characters_are_named() -> None:
    message = uscc_problem("91500117PDI0O001XK")
    assert message is not None
    assert "「I」" in message
    assert "「O」" in message
    assert "I、O、Z、S、V" in message


def test_illegal_characters_are_named_once_each() -> None:
    message = uscc_problem("91500117SSS00001XK")
    assert message is not None
    assert message.count("「S」") == 1


def test_lowercase_is_illegal_until_normalized() -> None:
    lower = EXAMPLE.lower()
    message = uscc_problem(lower)
    assert message is not None
    assert "「p」" in message
    assert uscc_problem(normalize_uscc(lower)) is None


def test_division_must_be_digits() -> None:
    message = uscc_problem("91A00117PDY00001XK")
    assert message is not None
    assert "行政区划" in message


# --- USCC: normalization ---------------------------------------------------------------------------------------


def test_normalize_strips_spaces_and_uppercases() -> None:
    assert normalize_uscc("  9150 0117 pdy0 0001 xk\t\n") == EXAMPLE


def test_normalize_converts_full_width_input() -> None:
    full_width = "９１５００１１７ＰＤＹ００００１ＸＫ"
    assert uscc_problem(full_width) is not None
    assert normalize_uscc(full_width) == EXAMPLE
    assert normalize_uscc("\u3000９１５００１１７\u3000ｐｄｙ００００１ｘｋ\u3000") == EXAMPLE


# --- USCC: demo codes ------------------------------------------------------------------------------------------


def test_demo_uscc_first_is_the_documented_example() -> None:
    assert demo_uscc(1) == EXAMPLE


@pytest.mark.parametrize("n", [1, 2, 9, 10, 11, 99, 100, 1234, 5000, 31337, 77777, 99998, 99999])
def test_demo_codes_are_valid(n: int) -> None:
    code = demo_uscc(n)
    assert uscc_problem(code) is None
    assert code[8:16] == f"PDY{n:05d}"
    assert is_demo_uscc(code)


def test_every_demo_code_in_a_range_is_valid_and_distinct() -> None:
    codes = [demo_uscc(n) for n in range(1, 2001)]
    assert all(uscc_problem(code) is None for code in codes)
    assert len(set(codes)) == len(codes)


def test_demo_uscc_with_another_prefix() -> None:
    code = demo_uscc(42, prefix8="N2500117")
    assert code.startswith("N2500117PDY00042")
    assert uscc_problem(code) is None


@pytest.mark.parametrize("n", [0, -1, 100000])
def test_demo_uscc_refuses_out_of_range(n: int) -> None:
    with pytest.raises(ValueError, match="1–99999"):
        demo_uscc(n)


def test_is_demo_uscc() -> None:
    assert is_demo_uscc(EXAMPLE)
    assert not is_demo_uscc(make_uscc("91500117", "MA5U7G3K"))
    assert not is_demo_uscc("PDY")


def test_make_uscc_refuses_bad_parts() -> None:
    with pytest.raises(ValueError, match="前 8 位"):
        make_uscc("9150011", "PDY00001")
    with pytest.raises(ValueError, match="前 8 位"):
        make_uscc("915A0117", "PDY00001")
    with pytest.raises(ValueError, match="组织机构代码"):
        make_uscc("91500117", "PDI00001")


def test_division_of() -> None:
    assert division_of(EXAMPLE) == "500117"
    with pytest.raises(ValueError, match="18 位"):
        division_of("915001")


# --- SC food production licence numbers ------------------------------------------------------------------------


def test_parse_food_licence() -> None:
    number = "SC" + "1" + "03" + "500117" + "0001" + "7"
    assert parse_sc(number) == ScNumber(
        number="SC10350011700017",
        kind="food",
        kind_label="食品",
        food_class="03",
        division="500117",
        serial="0001",
        check_digit="7",
    )
    assert sc_problem(number) is None


def test_parse_additive_licence() -> None:
    parsed = parse_sc("SC" + "2" + "31" + "500117" + "0123" + "4")
    assert parsed.kind == "additive"
    assert parsed.kind_label == "食品添加剂"
    assert parsed.food_class == "31"
    assert parsed.serial == "0123"


@pytest.mark.parametrize("check_digit", "0123456789")
def test_check_digit_is_not_verified(check_digit: str) -> None:
    assert sc_problem("SC10150011700012"[:-1] + check_digit) is None


def test_parsed_number_is_frozen() -> None:
    parsed = parse_sc("SC10350011700017")
    with pytest.raises(AttributeError):
        parsed.serial = "9999"  # type: ignore[misc]


def test_normalize_sc() -> None:
    assert normalize_sc(" sc 103 500117 0001 7 ") == "SC10350011700017"
    assert normalize_sc("ＳＣ１０３５００１１７０００１７\u3000") == "SC10350011700017"
    assert sc_problem(normalize_sc("ｓｃ１０３５００１１７０００１７")) is None


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("10350011700017", "应以 SC 开头"),
        ("", "应以 SC 开头"),
        ("SC1035001170001", "SC 后应为 14 位数字，当前为 13 位"),
        ("SC103500117000170", "SC 后应为 14 位数字，当前为 15 位"),
        ("SC1035001170001A", "SC 后只能是数字"),
        ("SCA0350011700017", "「A」"),
        ("SC30350011700017", "1（食品）或 2（食品添加剂）"),
        ("SC00350011700017", "1（食品）或 2（食品添加剂）"),
        ("SC10050011700017", "食品类别应为 01–31，当前为 00"),
        ("SC13250011700017", "食品类别应为 01–31，当前为 32"),
        ("SC29950011700017", "食品类别应为 01–31，当前为 99"),
    ],
)
def test_bad_sc_numbers_are_explained(number: str, expected: str) -> None:
    message = sc_problem(number)
    assert message is not None
    assert expected in message
    with pytest.raises(ValueError, match=re.escape(expected)):
        parse_sc(number)
