"""Account rules: login names, mobile numbers, person names and password strength.

Validators strip surrounding whitespace, return the cleaned value and raise
:class:`rules.errors.RuleViolation` (with a stable ``code``, the GraphQL ``field`` it
concerns and a Chinese ``message``) when the value is unacceptable.
:func:`password_violations` instead returns every problem at once so a form can
show them all.
"""

from __future__ import annotations

import re
import unicodedata

from rules.errors import ErrorCode, RuleViolation

__all__ = [
    "LOGIN_NAME_MAX_LENGTH",
    "LOGIN_NAME_MIN_LENGTH",
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MESSAGES",
    "PASSWORD_MIN_LENGTH",
    "PERSON_NAME_MAX_LENGTH",
    "UNIT_NAME_MAX_LENGTH",
    "password_problems",
    "password_violations",
    "validate_login_name",
    "validate_mobile",
    "validate_person_name",
    "validate_unit_name",
]

LOGIN_NAME_MIN_LENGTH = 4
LOGIN_NAME_MAX_LENGTH = 32
PERSON_NAME_MAX_LENGTH = 50
UNIT_NAME_MIN_LENGTH = 2
UNIT_NAME_MAX_LENGTH = 100
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
"""Upper bound on password length; bounds the cost of hashing."""

_LOGIN_NAME_PATTERN = re.compile(
    rf"[A-Za-z0-9_]{{{LOGIN_NAME_MIN_LENGTH},{LOGIN_NAME_MAX_LENGTH}}}"
)
_MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")

# Control (Cc), format (Cf: zero-width, bidi overrides…), surrogates (Cs) and
# line/paragraph separators. Private-use and unassigned code points are
# allowed on purpose: rare characters (生僻字) in names are often stored in
# the private-use area or come from CJK extensions newer than the runtime.
_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def validate_login_name(raw: str) -> str:
    """Return the stripped login name: 4–32 ASCII letters, digits or underscores."""
    value = raw.strip() if isinstance(raw, str) else ""
    if not _LOGIN_NAME_PATTERN.fullmatch(value):
        raise RuleViolation(
            ErrorCode.LOGIN_NAME_FORMAT,
            f"登录名须为{LOGIN_NAME_MIN_LENGTH}至{LOGIN_NAME_MAX_LENGTH}位英文字母、数字或下划线",
            "loginName",
        )
    return value


def validate_mobile(raw: str, field: str = "mobile") -> str:
    """Return the stripped 11-digit mainland mobile number (``1[3-9]`` + 9 digits)."""
    value = raw.strip() if isinstance(raw, str) else ""
    if not _MOBILE_PATTERN.fullmatch(value):
        raise RuleViolation(ErrorCode.MOBILE_FORMAT, "手机号码格式不正确，应为11位中国大陆手机号", field)
    return value


def validate_person_name(raw: str, field: str = "name") -> str:
    """Return the stripped name: 1–50 characters, not blank, no control characters."""
    value = raw.strip() if isinstance(raw, str) else ""
    if not value:
        raise RuleViolation(ErrorCode.NAME_FORMAT, "姓名不能为空", field)
    if len(value) > PERSON_NAME_MAX_LENGTH:
        raise RuleViolation(ErrorCode.NAME_FORMAT, f"姓名长度不能超过{PERSON_NAME_MAX_LENGTH}个字符", field)
    if any(unicodedata.category(ch) in _FORBIDDEN_NAME_CATEGORIES for ch in value):
        raise RuleViolation(ErrorCode.NAME_FORMAT, "姓名不能包含控制字符", field)
    return value


def validate_unit_name(raw: str, field: str = "name") -> str:
    """Return the stripped unit name: 2–100 printable characters (unit.name is String(100))."""
    value = raw.strip() if isinstance(raw, str) else ""
    if not UNIT_NAME_MIN_LENGTH <= len(value) <= UNIT_NAME_MAX_LENGTH or not value.isprintable():
        raise RuleViolation(
            ErrorCode.NAME_FORMAT, f"单位名称须为{UNIT_NAME_MIN_LENGTH}至{UNIT_NAME_MAX_LENGTH}个字符", field
        )
    return value


PASSWORD_MESSAGES: dict[str, str] = {
    "PASSWORD_TOO_SHORT": f"密码长度不能少于{PASSWORD_MIN_LENGTH}位",
    "PASSWORD_TOO_LONG": f"密码长度不能超过{PASSWORD_MAX_LENGTH}位",
    "PASSWORD_TOO_SIMPLE": "密码须包含大写字母、小写字母、数字、符号中的至少三类",
    "PASSWORD_CONTAINS_LOGIN": "密码不能包含登录名",
}


def _character_classes(password: str) -> int:
    """Count the classes present: upper-case, lower-case, digit, symbol.

    A symbol is any printable character that is not alphanumeric.
    """
    has_upper = any(ch.isupper() for ch in password)
    has_lower = any(ch.islower() for ch in password)
    has_digit = any(ch.isdigit() for ch in password)
    has_symbol = any(ch.isprintable() and not ch.isalnum() for ch in password)
    return sum((has_upper, has_lower, has_digit, has_symbol))


def password_problems(password: str, login_name: str) -> list[str]:
    """Return the codes of every rule the password breaks (empty list if none).

    Codes, in this order: ``PASSWORD_TOO_SHORT``, ``PASSWORD_TOO_LONG``,
    ``PASSWORD_TOO_SIMPLE``, ``PASSWORD_CONTAINS_LOGIN``; see
    :data:`PASSWORD_MESSAGES` for their Chinese messages.
    """
    problems: list[str] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append("PASSWORD_TOO_SHORT")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append("PASSWORD_TOO_LONG")
    if _character_classes(password) < 3:
        problems.append("PASSWORD_TOO_SIMPLE")
    login = login_name.strip().casefold() if login_name else ""
    if login and login in password.casefold():
        problems.append("PASSWORD_CONTAINS_LOGIN")
    return problems


def password_violations(password: str, login_name: str, field: str = "password") -> list[RuleViolation]:
    """Every rule the password breaks as errors on `field`, in :func:`password_problems`' order."""
    return [
        RuleViolation(code, PASSWORD_MESSAGES[code], field)
        for code in password_problems(password, login_name)
    ]
