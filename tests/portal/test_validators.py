"""Credit codes (GB 32100-2015) and citizen ID numbers (GB 11643-1999) with real codes."""

from __future__ import annotations

import pytest

from portal.validators import (
    credit_code_check_char,
    credit_code_check_ok,
    credit_code_check_warning,
    credit_code_format_error,
    id_number_error,
    normalize_code,
)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the code printed as the example in GB 32100-2015 material
        "91110000600037341L",
        "913709020000000013",
    ],
)
def test_valid_credit_codes_have_no_error_and_a_correct_check_character(code):
    assert credit_code_format_error(code) is None
    assert credit_code_check_ok(code)
    assert credit_code_check_warning(code) is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "为空"),
        ("9137090200000001", "应为 18 位"),
        ("91370902000000001O", "非法字符“O”"),
        ("91370902000000001I", "非法字符“I”"),
        ("91ABCDEF0000000017", "行政区划数字"),
    ],
)
def test_malformed_credit_codes_are_errors_in_chinese(code, message):
    assert message in credit_code_format_error(code)


def test_a_wrong_check_character_is_a_warning_naming_the_expected_one():
    code = "91350100M000100Y44"
    assert credit_code_format_error(code) is None
    assert not credit_code_check_ok(code)
    assert "应为“3”" in credit_code_check_warning(code)


def test_normalize_turns_full_width_spaced_lower_case_codes_into_the_canonical_form():
    assert normalize_code(" ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"


def test_check_character_agrees_with_the_standards_formula_on_thousands_of_bodies():
    # GB 32100-2015 as the standard states it: weight of position i is 3^i mod 31, C18 = 31 - (sum mod 31).
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for n in range(3000):
        body = f"91{370902 + n % 90:06d}" + "".join(charset[(n * 7 + i * 13) % 31] for i in range(9))
        total = sum(charset.index(c) * pow(3, i, 31) for i, c in enumerate(body))
        assert credit_code_check_char(body) == charset[(31 - total % 31) % 31]


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "11010519491231002x"])
def test_valid_id_numbers_pass(number):
    assert id_number_error(number) is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "校验码不符（应为“X”）"),
        ("110105194913310028", "出生日期无效"),
        ("11010519491231002", "应为 18 位"),
        ("A10105194912310021", "应为 18 位"),
        ("110105299912310029", "晚于今天"),
    ],
)
def test_invalid_id_numbers_name_the_reason(number, message):
    assert message in id_number_error(number)
