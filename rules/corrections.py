"""一次性告知补正: what a correction notice may name, which edits it allows, and its deadline.

Pure rules (the caller passes today's date, Beijing time). A notice lists every item to
correct at once; each names a record category, a basic-information field or the proof
materials, and says what is wrong. While it is open the applicant may change only what
it names (materials always); a notice not answered by its deadline makes the declaration
视为放弃 (ABANDONED): `effective_status` is that rule, applied wherever a declaration is read.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from rules.declaration_states import DeclarationStatus
from rules.errors import ErrorCode, RuleViolation, RuleViolations, collect
from rules.records import RecordCategory, camel
from rules.text import REASON_MAX, clean_text

#: Beijing time (core.clock.CHINA_TZ; rules import nothing of the infrastructure).
_BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class CorrectionTarget(str, enum.Enum):
    """What one item of a notice names. The basic-information fields are those of
    DeclarationInput that do not decide the route: year, series, level, title and work unit
    choose the reporting path, so a notice cannot reopen them (a unit that needs them
    changed rejects the declaration, which starts the route over)."""

    # Record categories (rules.records.RecordCategory)
    QUALIFICATION = "QUALIFICATION"
    EDUCATION = "EDUCATION"
    WORK_EXPERIENCE = "WORK_EXPERIENCE"
    CONTINUING_EDUCATION = "CONTINUING_EDUCATION"
    ACHIEVEMENT = "ACHIEVEMENT"
    # Basic-information fields (DeclarationInput)
    SPECIALTY_CODE = "SPECIALTY_CODE"
    METHOD = "METHOD"
    EXCEPTIONAL_REASON = "EXCEPTIONAL_REASON"
    FORMER_SERIES_CODE = "FORMER_SERIES_CODE"
    EDUCATION_LEVEL = "EDUCATION_LEVEL"
    CURRENT_TITLE = "CURRENT_TITLE"
    CURRENT_TITLE_OBTAINED_ON = "CURRENT_TITLE_OBTAINED_ON"
    YEARS_IN_SPECIALTY = "YEARS_IN_SPECIALTY"
    PHONE = "PHONE"
    # Proof materials (always editable under a notice; naming them tells the applicant what is missing)
    MATERIALS = "MATERIALS"


T = CorrectionTarget

#: What each target is called on the applicant's pages.
TARGET_LABELS: dict[CorrectionTarget, str] = {
    T.QUALIFICATION: "现专业技术资格", T.EDUCATION: "学历", T.WORK_EXPERIENCE: "工作经历",
    T.CONTINUING_EDUCATION: "继续教育", T.ACHIEVEMENT: "业绩成果",
    T.SPECIALTY_CODE: "现从事专业", T.METHOD: "申报方式", T.EXCEPTIONAL_REASON: "破格情况",
    T.FORMER_SERIES_CODE: "原职称系列", T.EDUCATION_LEVEL: "最高学历", T.CURRENT_TITLE: "现职称",
    T.CURRENT_TITLE_OBTAINED_ON: "现职称取得时间", T.YEARS_IN_SPECIALTY: "从事本专业年限", T.PHONE: "联系电话",
    T.MATERIALS: "证明材料",
}

#: The declaration attributes (DeclarationFields) each field target opens. 申报方式 opens the
#: two fields that go with it: changing 正常晋升 to 破格 needs 破格情况, and so on.
FIELD_ATTRIBUTES: dict[CorrectionTarget, tuple[str, ...]] = {
    T.SPECIALTY_CODE: ("specialty_code",),
    T.METHOD: ("method", "exceptional_reason", "former_series_code"),
    T.EXCEPTIONAL_REASON: ("exceptional_reason",),
    T.FORMER_SERIES_CODE: ("former_series_code",),
    T.EDUCATION_LEVEL: ("education_level",),
    T.CURRENT_TITLE: ("current_title",),
    T.CURRENT_TITLE_OBTAINED_ON: ("current_title_obtained_on",),
    T.YEARS_IN_SPECIALTY: ("years_in_specialty",),
    T.PHONE: ("phone",),
}

#: Every basic-information attribute and its label, for the refusal of a change not named.
_ATTRIBUTE_LABELS = {
    "year": "申报年度", "series_code": "职称系列", "level": "申报级别", "title_code": "申报职称",
    "work_unit_id": "工作单位", "specialty_code": "现从事专业", "method": "申报方式",
    "exceptional_reason": "破格情况", "former_series_code": "原职称系列", "education_level": "最高学历",
    "current_title": "现职称", "current_title_obtained_on": "现职称取得时间",
    "years_in_specialty": "从事本专业年限", "phone": "联系电话",
}


def category_target(category: RecordCategory) -> CorrectionTarget:
    return CorrectionTarget(category.value)


@dataclass(frozen=True)
class CorrectionItem:
    target: CorrectionTarget
    message: str


def check_items(items: Iterable[CorrectionItem]) -> list[CorrectionItem]:
    """The items with their messages trimmed, or every problem at once: none at all, a blank
    or over-long message, a target named twice (one notice says everything about a thing in
    one place)."""
    items = list(items)
    if not items:
        raise RuleViolation(ErrorCode.CORRECTION_ITEMS_REQUIRED, field="items")
    errors: list[RuleViolation] = []
    clean: list[CorrectionItem] = []
    seen: set[CorrectionTarget] = set()
    for i, item in enumerate(items):
        message = collect(errors, clean_text, item.message, field=f"items.{i}.message", limit=REASON_MAX,
                          required=True, required_message=f"请说明“{TARGET_LABELS[item.target]}”需要如何补正",
                          too_long_message=f"每项说明不超过{REASON_MAX}字")
        if item.target in seen:
            errors.append(RuleViolation(ErrorCode.INVALID_INPUT,
                                        f"“{TARGET_LABELS[item.target]}”列了两次，请合并为一项说明",
                                        f"items.{i}.target"))
        seen.add(item.target)
        if message is not None:
            clean.append(CorrectionItem(item.target, message))
    if errors:
        raise RuleViolations(errors) if len(errors) > 1 else errors[0]
    return clean


def check_deadline(deadline: date, today: date, max_days: int) -> date:
    """A deadline after today and at most `max_days` days away (the last day to resubmit)."""
    latest = today + timedelta(days=max_days)
    if deadline <= today:
        raise RuleViolation(ErrorCode.CORRECTION_DEADLINE_INVALID, "补正期限须晚于今天", "deadline")
    if deadline > latest:
        raise RuleViolation(ErrorCode.CORRECTION_DEADLINE_INVALID,
                            f"补正期限不能超过{max_days}天（最晚{latest.isoformat()}）", "deadline")
    return deadline


def has_expired(deadline: date, today: date) -> bool:
    """The deadline is the last day to resubmit (Beijing date): it has passed from the next day on."""
    return today > deadline


def expired_at(deadline: date) -> datetime:
    """The moment a deadline passes: the first instant of the next day, Beijing time."""
    return datetime.combine(deadline + timedelta(days=1), time(0), _BEIJING)


def effective_status(status: DeclarationStatus, correction_deadline: date | None, today: date) -> DeclarationStatus:
    """The status as of `today`: a RETURNED declaration under a notice whose deadline has
    passed is ABANDONED, whether or not anything has written that yet."""
    if status is DeclarationStatus.RETURNED and correction_deadline is not None \
            and has_expired(correction_deadline, today):
        return DeclarationStatus.ABANDONED
    return status


def allowed_attributes(targets: Iterable[CorrectionTarget]) -> set[str]:
    return {attribute for target in targets for attribute in FIELD_ATTRIBUTES.get(target, ())}


def field_changes_refused(targets: Iterable[CorrectionTarget], changed: Iterable[str]) -> list[RuleViolation]:
    """One NOT_IN_CORRECTION_NOTICE per changed basic-information attribute the notice does
    not name (on the GraphQL field), in a stable order."""
    allowed = allowed_attributes(targets)
    return [RuleViolation(ErrorCode.NOT_IN_CORRECTION_NOTICE,
                          f"补正通知未列出“{_ATTRIBUTE_LABELS.get(attribute, attribute)}”，不能修改", camel(attribute))
            for attribute in sorted(set(changed) - allowed)]


def record_edit_refused(targets: Iterable[CorrectionTarget], category: RecordCategory,
                        field: str) -> RuleViolation | None:
    """NOT_IN_CORRECTION_NOTICE unless the notice names the record's category."""
    target = category_target(category)
    if target in set(targets):
        return None
    return RuleViolation(ErrorCode.NOT_IN_CORRECTION_NOTICE,
                         f"补正通知未列出“{TARGET_LABELS[target]}”，不能增加、修改或删除这类记录", field)


def summary(items: Iterable[CorrectionItem], deadline: date) -> str:
    """The notice as one text for the timeline and the declaration's return reason."""
    lines = "；".join(f"{i}. {TARGET_LABELS[item.target]}：{item.message}" for i, item in enumerate(items, 1))
    return f"一次性告知补正，请于{deadline.isoformat()}（含）前补正并重新确认申报：{lines}"


def step_note(item_count: int, deadline: date) -> str:
    """The notice as the unit's review decision records it (review_step.reason is 500 characters)."""
    return f"一次性告知补正（{item_count}项，期限{deadline.isoformat()}）"


def deadline_passed_message(deadline: date) -> str:
    return f"补正期限（{deadline.isoformat()}）已过，本年度申报视为放弃"


def abandoned_reason(deadline: date) -> str:
    return f"未在补正期限（{deadline.isoformat()}）内重新确认申报，视为放弃"
