"""Validators for the codes the registers carry (one definition, used by forms, imports and API)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

# GB 32100-2015: 18 characters from this charset (no I, O, S, V, Z).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_CHARSET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# GB 11643-1999 citizen identity number: 17 digits and a check character.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")


def normalize_code(raw: object) -> str:
    """Full-width to half-width, no spaces anywhere, upper case ("９１３７ ０９..." → "913709...")."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"\s+", "", text).upper()


def credit_code_check_char(body17: str) -> str:
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(body17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def credit_code_format_error(code: str) -> str | None:
    """The reason a credit code is malformed, in Chinese, or None when its form is right."""
    if not code:
        return "统一社会信用代码为空"
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实际 {len(code)} 位"
    if not _CREDIT_RE.match(code):
        bad = next((c for c in code if c not in CREDIT_CODE_CHARSET), None)
        if bad is not None:
            return f"统一社会信用代码含非法字符“{bad}”"
        return "统一社会信用代码第 3–8 位应为行政区划数字"
    return None


def credit_code_check_ok(code: str) -> bool:
    """GB 32100-2015 check character. Some legally issued early codes fail it: callers treat a
    failure as a warning to confirm, not as an error (DOMAIN.md)."""
    return credit_code_check_char(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    error = credit_code_format_error(value)
    if error:
        raise ValidationError(error, code="credit_code_format")


def credit_code_check_warning(code: str) -> str | None:
    if credit_code_format_error(code) or credit_code_check_ok(code):
        return None
    return f"统一社会信用代码校验位不符（按 GB 32100 应为“{credit_code_check_char(code[:17])}”），请核实后确认"


def id_number_check_char(body17: str) -> str:
    """GB 11643 check character of the first 17 digits of a citizen ID number."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_error(value: str) -> str | None:
    """GB 11643 citizen ID number: form, birth date and check digit; the reason in Chinese or None."""
    code = normalize_code(value)
    if len(code) != 18 or not _ID_RE.match(code):
        return "身份证号码应为 18 位：17 位数字加 1 位校验码（数字或 X）"
    try:
        birth = dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效"
    if birth > dt.date.today():  # noqa: DTZ011 - a calendar date, no time zone involved
        return "身份证号码中的出生日期晚于今天"
    expected = id_number_check_char(code[:17])
    if code[17] != expected:
        return f"身份证号码校验码不符（应为“{expected}”）"
    return None


def validate_id_number(value: str) -> None:
    error = id_number_error(value)
    if error:
        raise ValidationError(error, code="id_number")


_PHONE_RE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")


def validate_phone(value: str) -> None:
    if not _PHONE_RE.match(normalize_code(value)):
        raise ValidationError("电话号码格式不正确（手机 11 位，或区号-号码）", code="phone")


class PasswordCharacterClassValidator:
    """A password mixes at least `min_classes` of: lower-case, upper-case, digits, other characters
    (the usual rule for government systems, on top of Django's length, similarity, common-password
    and all-numeric checks)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码应至少包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类"


def not_in_future(day: dt.date | None, field: str, label: str) -> None:
    """A date a user enters for something that has happened (a visit, a join date …) is not later
    than today; the message lands beside `field`."""
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: f"{label}不能晚于今天"})
