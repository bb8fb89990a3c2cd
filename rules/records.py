"""分类录入：pure validation of a declaration's categorised records.

Records live in one table with a category and a JSON payload; these functions are the
payload's schema. Each takes the submitted values (snake_case keys) and today's date,
and returns the clean payload (JSON-safe: dates as ISO strings) and every problem at once,
each a RuleViolation on the API's field `<category>.<field>` (e.g. `education.endDate`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from typing import Any

from rules import catalog
from rules.errors import ErrorCode, RuleViolation
from rules.text import clean_text


class RecordCategory(str, enum.Enum):
    QUALIFICATION = "QUALIFICATION"  # 现专业技术资格
    EDUCATION = "EDUCATION"  # 学历
    WORK_EXPERIENCE = "WORK_EXPERIENCE"  # 工作经历
    CONTINUING_EDUCATION = "CONTINUING_EDUCATION"  # 继续教育
    ACHIEVEMENT = "ACHIEVEMENT"  # 业绩成果


class EducationLevel(str, enum.Enum):
    DOCTORATE = "DOCTORATE"  # 博士研究生
    MASTER = "MASTER"  # 硕士研究生
    BACHELOR = "BACHELOR"  # 大学本科
    JUNIOR_COLLEGE = "JUNIOR_COLLEGE"  # 大学专科
    SECONDARY = "SECONDARY"  # 中专、高中及以下


class AchievementKind(str, enum.Enum):
    PAPER = "PAPER"  # 论文
    BOOK = "BOOK"  # 著作
    AWARD = "AWARD"  # 获奖
    PATENT = "PATENT"  # 专利
    PROJECT = "PROJECT"  # 项目


#: The cap of a record's free text unless the field says otherwise (names, titles, subjects).
TEXT_MAX = 200
#: Fields only one kind of achievement has (anything else is refused, not silently kept).
KIND_FIELDS: dict[AchievementKind, dict[str, str]] = {
    AchievementKind.PAPER: {"journal": "刊物名称"},
    AchievementKind.BOOK: {"publisher": "出版社", "isbn": "ISBN"},
    AchievementKind.AWARD: {"issuer": "授奖单位", "award_grade": "奖励等级"},
    AchievementKind.PATENT: {"patent_number": "专利号"},
    AchievementKind.PROJECT: {"project_source": "项目来源", "end_date": "结题日期"},
}
#: Of the kind fields, those that may be left empty.
OPTIONAL_KIND_FIELDS = {"isbn", "end_date"}


def camel(name: str) -> str:
    """`current_title_obtained_on` → `currentTitleObtainedOn`: a Python name as its GraphQL field."""
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


class _Checker:
    """Collects every problem of one payload."""

    def __init__(self, category: RecordCategory, values: dict[str, Any], today: date) -> None:
        self.prefix = camel(category.value.lower())
        self.values = values
        self.today = today
        self.problems: list[RuleViolation] = []
        self.clean: dict[str, Any] = {}

    def field(self, key: str) -> str:
        return f"{self.prefix}.{camel(key)}"

    def problem(self, key: str, code: ErrorCode, message: str) -> None:
        self.problems.append(RuleViolation(code, message, self.field(key)))

    def text(self, key: str, label: str, *, required: bool = True, max_len: int = TEXT_MAX) -> str | None:
        raw = self.values.get(key)
        try:
            value = clean_text(raw, field=self.field(key), limit=max_len, required=required,
                               required_message=f"请填写{label}", too_long_message=f"{label}不超过{max_len}个字符")
        except RuleViolation as exc:
            self.problems.append(exc)
            value = (raw or "").strip() or None
        else:
            if value is not None and not value.isprintable():
                self.problem(key, ErrorCode.INVALID_INPUT, f"{label}不能包含控制字符")
        self.clean[key] = value
        return value

    def day(self, key: str, label: str, *, required: bool = True, past: bool = True) -> date | None:
        value = self.values.get(key)
        if value is None:
            if required:
                self.problem(key, ErrorCode.FIELD_REQUIRED, f"请填写{label}")
        elif past and value > self.today:
            self.problem(key, ErrorCode.DATE_IN_FUTURE, f"{label}不能晚于今天")
        self.clean[key] = value.isoformat() if value else None
        return value

    def order(self, start_key: str, end_key: str, start: date | None, end: date | None, label: str) -> None:
        if start and end and end < start:
            self.problem(end_key, ErrorCode.DATE_ORDER, f"{label}不能早于开始日期")

    def choice(self, key: str, enum_cls: type[enum.Enum], label: str) -> Any:
        value = self.values.get(key)
        if value is None:
            self.problem(key, ErrorCode.FIELD_REQUIRED, f"请选择{label}")
        self.clean[key] = enum_cls(value).value if value is not None else None
        return value

    def integer(self, key: str, label: str, low: int, high: int) -> int | None:
        value = self.values.get(key)
        if value is None:
            self.problem(key, ErrorCode.FIELD_REQUIRED, f"请填写{label}")
        elif not low <= value <= high:
            self.problem(key, ErrorCode.INVALID_INPUT, f"{label}须在{low}至{high}之间")
        self.clean[key] = value
        return value


def _qualification(c: _Checker) -> None:
    series = c.text("series_code", "职称系列", max_len=64)
    level = c.choice("level", catalog.TitleLevel, "级别")
    title = c.text("title_code", "资格名称", max_len=64)
    c.day("obtained_on", "取得时间")
    c.text("certificate_number", "证书编号", max_len=50)
    c.text("issuing_authority", "发证机关", max_len=100)
    if series and level and title:
        found = catalog.find_title(title)
        if catalog.find_series(series) is None:
            c.problem("series_code", ErrorCode.UNKNOWN_SERIES, "职称系列不存在")
        elif found is None:
            c.problem("title_code", ErrorCode.UNKNOWN_TITLE, "资格名称不存在")
        elif found[0].code != series or found[1].level.value != catalog.TitleLevel(level).value:
            c.problem("title_code", ErrorCode.TITLE_NOT_IN_LEVEL, "资格名称不属于所选系列和级别")


def _education(c: _Checker) -> None:
    c.text("school", "毕业院校")
    c.text("major", "所学专业")
    c.choice("education_level", EducationLevel, "学历")
    c.text("degree", "学位", required=False, max_len=50)
    start = c.day("start_date", "入学时间")
    end = c.day("end_date", "毕业时间")
    c.order("start_date", "end_date", start, end, "毕业时间")


def _work_experience(c: _Checker) -> None:
    c.text("employer", "工作单位")
    c.text("position", "职务或岗位", max_len=100)
    start = c.day("start_date", "起始时间")
    end = c.day("end_date", "截止时间", required=False)
    c.order("start_date", "end_date", start, end, "截止时间")


def _continuing_education(c: _Checker) -> None:
    c.integer("year", "年度", 1950, c.today.year)
    # 人社部令第25号: 90 hours a year are required; one record never exceeds a year's worth.
    c.integer("hours", "学时", 1, 1000)
    c.text("subject", "培训内容")
    c.text("provider", "培训机构")


def _achievement(c: _Checker) -> None:
    kind = c.choice("kind", AchievementKind, "成果类别")
    c.text("title", "成果名称")
    c.text("role", "本人排名或角色", required=False, max_len=50)
    start = c.day("date", "取得（发表）时间")
    if kind is None:
        return
    kind = AchievementKind(kind)
    own = KIND_FIELDS[kind]
    for other in {k for fields in KIND_FIELDS.values() for k in fields} - set(own):
        if c.values.get(other) not in (None, ""):
            c.problem(other, ErrorCode.INVALID_INPUT, "该项不适用于所选成果类别")
    for key, label in own.items():
        if key == "end_date":
            end = c.day(key, label, required=False)
            c.order("date", key, start, end, label)
        else:
            c.text(key, label, required=key not in OPTIONAL_KIND_FIELDS, max_len=100)


VALIDATORS: dict[RecordCategory, Callable[[_Checker], None]] = {
    RecordCategory.QUALIFICATION: _qualification,
    RecordCategory.EDUCATION: _education,
    RecordCategory.WORK_EXPERIENCE: _work_experience,
    RecordCategory.CONTINUING_EDUCATION: _continuing_education,
    RecordCategory.ACHIEVEMENT: _achievement,
}


def validate_record(
    category: RecordCategory, values: dict[str, Any], today: date
) -> tuple[dict[str, Any], list[RuleViolation]]:
    """The clean JSON payload of a record and every problem found (empty when valid)."""
    checker = _Checker(category, values, today)
    VALIDATORS[category](checker)
    return checker.clean, checker.problems


def parse_payload_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
