"""Identity-document rules: resident ID numbers and unified social credit codes.

* 居民身份证号码 (GB 11643-1999): 6-digit region code, 8-digit birth date
  (YYYYMMDD), 3-digit sequence code (odd = male, even = female) and an
  ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``).
* 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character set
  (no ``I O Z S V``), the last one an ISO 7064 MOD 31-3 style check character.

Everything here is pure: the current date is always passed in explicitly. A bad number
raises :class:`rules.errors.RuleViolation` on the field the caller names; a programming
error (a check-digit helper given the wrong length) raises ``ValueError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import NamedTuple

from rules.errors import ErrorCode, RuleViolation

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "ID_NUMBER_MASK",
    "MOBILE_MASK",
    "RESIDENT_ID_CHECK_CHARS",
    "RESIDENT_ID_WEIGHTS",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "Mask",
    "ResidentId",
    "Sex",
    "mask_candidates",
    "mask_mobile",
    "mask_resident_id",
    "normalize_resident_id",
    "normalize_uscc",
    "parse_resident_id",
    "resident_id_check_char",
    "uscc_check_char",
    "validate_uscc",
]

# --------------------------------------------------------------------------
# Resident ID numbers (GB 11643)
# --------------------------------------------------------------------------

RESIDENT_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""Weights of the first 17 digits: 2^(18-i) mod 11."""

RESIDENT_ID_CHECK_CHARS = "10X98765432"
"""Check character indexed by the weighted sum mod 11."""

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
"""Birth dates before this are rejected by default."""

_ID_FORMAT_MESSAGE = "身份证号码格式不正确，应为18位数字或17位数字加X"
_RESIDENT_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
_FIRST17_PATTERN = re.compile(r"[0-9]{17}")


class Sex(str, Enum):
    """Sex encoded in the 17th digit of a resident ID (odd = male)."""

    MALE = "MALE"
    FEMALE = "FEMALE"

    @property
    def label(self) -> str:
        """Chinese label: 男 / 女."""
        return "男" if self is Sex.MALE else "女"


@dataclass(frozen=True)
class ResidentId:
    """A validated 18-character resident ID number and the facts it encodes."""

    number: str
    """Normalised number (no surrounding spaces, upper-case ``X``)."""
    region_code: str
    """Administrative division code: the first 6 digits."""
    birth_date: date
    sex: Sex

    @property
    def masked(self) -> str:
        """The number masked for display, see :func:`mask_resident_id`."""
        return mask_resident_id(self.number)


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits.

    Raises ``ValueError`` unless ``first17`` is exactly 17 ASCII digits.
    """
    if not _FIRST17_PATTERN.fullmatch(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def normalize_resident_id(raw: str) -> str:
    """Strip surrounding whitespace and upper-case a trailing ``x``."""
    return raw.strip().upper()


def parse_resident_id(
    raw: str,
    *,
    today: date,
    earliest: date = EARLIEST_BIRTH_DATE,
    field: str = "idNumber",
) -> ResidentId:
    """Validate an 18-character resident ID number and decode it.

    Checks, in order: format (``ID_FORMAT``), birth date (``ID_BIRTH_DATE``:
    a real calendar date, not before ``earliest`` and not after ``today``),
    then the check character (``ID_CHECK_DIGIT``).
    """
    if not isinstance(raw, str):
        raise RuleViolation(ErrorCode.ID_FORMAT, _ID_FORMAT_MESSAGE, field)
    number = normalize_resident_id(raw)
    if not _RESIDENT_ID_PATTERN.fullmatch(number):
        raise RuleViolation(ErrorCode.ID_FORMAT, _ID_FORMAT_MESSAGE, field)

    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise RuleViolation(ErrorCode.ID_BIRTH_DATE, "身份证号码中的出生日期无效", field) from None
    if birth_date < earliest:
        raise RuleViolation(
            ErrorCode.ID_BIRTH_DATE,
            f"身份证号码中的出生日期不能早于{earliest.year}年{earliest.month}月{earliest.day}日",
            field,
        )
    if birth_date > today:
        raise RuleViolation(ErrorCode.ID_BIRTH_DATE, "身份证号码中的出生日期不能晚于今天", field)

    if resident_id_check_char(number[:17]) != number[17]:
        raise RuleViolation(ErrorCode.ID_CHECK_DIGIT, "身份证号码校验位错误，请核对后重新输入", field)

    return ResidentId(
        number=number,
        region_code=number[:6],
        birth_date=birth_date,
        sex=Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE,
    )


class Mask(NamedTuple):
    """A display mask: `keep_start` characters, `stars` asterisks, `keep_end` characters.
    Both renderings of a mask, the Python functions below (the standard path) and the SQL
    of resolvers.projections (compiled trusted documents), read these, and a property
    test holds them equal."""

    keep_start: int
    stars: int
    keep_end: int


ID_NUMBER_MASK = Mask(6, 8, 4)
MOBILE_MASK = Mask(3, 4, 4)


def mask_resident_id(number: str) -> str:
    """Mask an ID number for display: first 6 + 8 asterisks + last 4.

    ``370102198001011234`` becomes ``370102********1234``. Inputs shorter
    than 10 characters are masked completely so nothing leaks.
    """
    m = ID_NUMBER_MASK
    value = number.strip().upper()
    if len(value) < m.keep_start + m.keep_end:
        return "*" * m.stars
    return f"{value[:m.keep_start]}{'*' * m.stars}{value[-m.keep_end:]}"


def mask_mobile(mobile: str) -> str:
    """Mask a mobile number for display: ``138****5678``."""
    m = MOBILE_MASK
    return mobile[:m.keep_start] + "*" * m.stars + mobile[-m.keep_end:]


# --------------------------------------------------------------------------
# Unified social credit codes (GB 32100)
# --------------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters allowed in a USCC; a character's value is its index."""

USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
"""Weights of positions 1..17: 3^(i-1) mod 31."""

_USCC_VALUES = {ch: value for value, ch in enumerate(USCC_CHARSET)}


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters.

    Raises ``ValueError`` unless ``first17`` is 17 characters from
    :data:`USCC_CHARSET` (upper-case).
    """
    if len(first17) != 17 or any(ch not in _USCC_VALUES for ch in first17):
        raise ValueError("first17 must be 17 characters from USCC_CHARSET")
    total = sum(_USCC_VALUES[ch] * weight for ch, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_uscc(raw: str) -> str:
    """Strip surrounding whitespace and upper-case."""
    return raw.strip().upper()


def validate_uscc(raw: str, *, field: str = "uscc") -> str:
    """Validate a unified social credit code and return it normalised.

    Raises :class:`RuleViolation` on `field` with ``USCC_FORMAT`` (not 18 characters
    from the charset) or ``USCC_CHECK_DIGIT`` (check character wrong).
    """
    if not isinstance(raw, str):
        raise RuleViolation(ErrorCode.USCC_FORMAT, "统一社会信用代码格式不正确，应为18位数字或大写字母", field)
    code = normalize_uscc(raw)
    if len(code) != 18 or any(ch not in _USCC_VALUES for ch in code):
        raise RuleViolation(
            ErrorCode.USCC_FORMAT,
            "统一社会信用代码格式不正确，应为18位数字或大写字母（不含I、O、Z、S、V）",
            field,
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise RuleViolation(ErrorCode.USCC_CHECK_DIGIT, "统一社会信用代码校验位错误，请核对后重新输入", field)
    return code


def mask_candidates(masked: str, birth_year: int) -> list[str]:
    """Every valid ID number that a masked one and its holder's birth year could stand for.

    This is what staff can rebuild from all a person's fields they are served (the mask,
    `birthYear`, and `sex`, which the visible 17th digit already tells): one number per
    day of the year whose check character is the visible one — about 365 / 11 ≈ 33 of them.
    The mask is only sound while this stays well above one."""
    value = masked.strip().upper()
    if len(value) != 18 or value[6:14] != "*" * 8:
        raise ValueError("not a masked resident ID number")
    region, sequence, check = value[:6], value[14:17], value[17]
    found = []
    day = date(birth_year, 1, 1)
    while day.year == birth_year:
        first17 = f"{region}{day:%Y%m%d}{sequence}"
        if resident_id_check_char(first17) == check:
            found.append(first17 + check)
        day += timedelta(days=1)
    return found
