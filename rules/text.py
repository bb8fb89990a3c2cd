"""Free text from the client: trimming, length caps, phone numbers, LIKE terms.

One place for what every form does to a string, so a cap or a message cannot differ
between two steps that take the same kind of text. Caps are characters (not bytes) and
never exceed the column the value is stored in (see models/).
"""

from __future__ import annotations

import re
from typing import Literal, overload

from rules.errors import ErrorCode, RuleViolation

#: The caps shared by several steps. A step with a narrower column passes its own.
NAME_MAX = 100  # unit, committee, supervisor names: String(100)
PERSON_NAME_MAX = 50  # a person's name, a contact's name: String(50)
ADDRESS_MAX = 200  # String(200)
REASON_MAX = 500  # a decision's or withdrawal's reason (review_step.reason is String(500))
LONG_TEXT_MAX = 2000  # 破格情况, 人工审核理由: free prose stored as Text
SEARCH_MAX = 50  # search terms are cut to this, not refused: a longer term matches nothing useful

#: A landline or mobile number as people write it: 7–20 characters of digits, spaces,
#: `+ - ( )`, at least 7 of them digits ("0531-88888888", "+86 138 0013 8000").
PHONE_PATTERN = re.compile(r"(?=(?:\D*\d){7})[0-9+\-() ]{7,20}")
PHONE_MESSAGE = "联系电话须为7至20位数字，可含空格、+、-、括号"


def trimmed(value: str | None) -> str | None:
    """Surrounding whitespace removed; None for a blank or missing value."""
    return (value or "").strip() or None


def clean_text(value: str | None, *, field: str, limit: int, required: bool = False,
               required_message: str | None = None, too_long_message: str | None = None) -> str | None:
    """The trimmed value, or None when blank.

    Raises FIELD_REQUIRED when blank and `required`, FIELD_TOO_LONG when longer than `limit`
    characters after trimming (so pasted surrounding whitespace never counts)."""
    text = trimmed(value)
    if text is None:
        if required:
            raise RuleViolation(ErrorCode.FIELD_REQUIRED, required_message, field)
        return None
    if len(text) > limit:
        raise RuleViolation(ErrorCode.FIELD_TOO_LONG, too_long_message or f"不能超过{limit}个字符", field)
    return text


@overload
def clean_reason(value: str | None, *, required: Literal[True], required_message: str | None = None,
                 field: str = "reason", limit: int = REASON_MAX) -> str: ...
@overload
def clean_reason(value: str | None, *, required: bool, required_message: str | None = None,
                 field: str = "reason", limit: int = REASON_MAX) -> str | None: ...
def clean_reason(value: str | None, *, required: bool, required_message: str | None = None,
                 field: str = "reason", limit: int = REASON_MAX) -> str | None:
    """A decision's reason: trimmed, None when blank; REASON_REQUIRED when blank and `required`
    (a rejection or revocation must tell the other side why), FIELD_TOO_LONG past `limit`."""
    text = clean_text(value, field=field, limit=limit, too_long_message=f"原因不超过{limit}字")
    if text is None and required:
        raise RuleViolation(ErrorCode.REASON_REQUIRED, required_message, field)
    return text


def search_term(value: str | None, limit: int = SEARCH_MAX) -> str:
    """A search box's term: trimmed and silently cut to `limit` characters ("" for none)."""
    return (value or "").strip()[:limit]


def like_escape(term: str) -> str:
    """`term` as a literal inside a LIKE pattern whose ESCAPE character is a backslash."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_phone(value: str | None, *, field: str, required: bool = False) -> str | None:
    """The trimmed phone number (None when blank), or INVALID_INPUT on `field`."""
    text = clean_text(value, field=field, limit=20, required=required)
    if text is not None and not PHONE_PATTERN.fullmatch(text):
        raise RuleViolation(ErrorCode.INVALID_INPUT, PHONE_MESSAGE, field)
    return text
