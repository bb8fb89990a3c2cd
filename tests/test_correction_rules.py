"""The pure rules of issue 13: correction notices, their deadline, the integrity list, and the
new transitions of the state machine."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from rules import corrections as c
from rules import integrity as i
from rules.corrections import CorrectionItem, CorrectionTarget
from rules.declaration_states import (
    APPLICANT_ACTIONS,
    DeclarationAction,
    DeclarationStatus,
    allowed_actions,
    next_state,
)
from rules.errors import ErrorCode, RuleViolation, RuleViolations
from rules.records import RecordCategory

A, S, T = DeclarationAction, DeclarationStatus, CorrectionTarget
TODAY = date(2026, 3, 1)


def test_transitions_of_corrections_and_returns():
    assert next_state(S.PENDING_REVIEW, A.REQUEST_CORRECTION) is S.RETURNED
    assert next_state(S.RETURNED, A.RESUBMIT) is S.PENDING_REVIEW
    assert next_state(S.RETURNED, A.ABANDON) is S.ABANDONED
    assert next_state(S.PENDING_REVIEW, A.RETURN_DOWN) is S.PENDING_REVIEW
    assert allowed_actions(S.ABANDONED) == frozenset()  # final for the year
    assert A.RESUBMIT in APPLICANT_ACTIONS and A.ABANDON not in APPLICANT_ACTIONS


def test_items_are_trimmed_and_every_problem_is_reported_at_once():
    assert c.check_items([CorrectionItem(T.PHONE, "  号码错误 ")]) == [CorrectionItem(T.PHONE, "号码错误")]
    with pytest.raises(RuleViolation) as none:
        c.check_items([])
    assert none.value.code is ErrorCode.CORRECTION_ITEMS_REQUIRED
    with pytest.raises(RuleViolations) as many:
        c.check_items([CorrectionItem(T.PHONE, ""), CorrectionItem(T.EDUCATION, "x" * 501),
                       CorrectionItem(T.PHONE, "again")])
    assert [(e.code, e.field) for e in many.value.errors] == [
        (ErrorCode.FIELD_REQUIRED, "items.0.message"), (ErrorCode.FIELD_TOO_LONG, "items.1.message"),
        (ErrorCode.INVALID_INPUT, "items.2.target")]


@pytest.mark.parametrize(("deadline", "ok"), [
    (date(2026, 3, 1), False), (date(2026, 2, 28), False), (date(2026, 3, 2), True),
    (date(2026, 3, 31), True), (date(2026, 4, 1), False)])
def test_deadline_is_after_today_and_within_the_cap(deadline, ok):
    if ok:
        assert c.check_deadline(deadline, TODAY, 30) == deadline
    else:
        with pytest.raises(RuleViolation) as refused:
            c.check_deadline(deadline, TODAY, 30)
        assert refused.value.code is ErrorCode.CORRECTION_DEADLINE_INVALID and refused.value.field == "deadline"


def test_the_deadline_day_is_the_last_day_and_it_passes_at_beijing_midnight():
    deadline = date(2026, 3, 15)
    assert not c.has_expired(deadline, date(2026, 3, 15)) and c.has_expired(deadline, date(2026, 3, 16))
    assert c.expired_at(deadline).astimezone(UTC) == datetime(2026, 3, 15, 16, 0, tzinfo=UTC)


def test_effective_status_is_abandoned_only_for_a_returned_declaration_past_its_deadline():
    deadline = date(2026, 3, 15)
    after = date(2026, 3, 16)
    assert c.effective_status(S.RETURNED, deadline, after) is S.ABANDONED
    assert c.effective_status(S.RETURNED, deadline, deadline) is S.RETURNED
    assert c.effective_status(S.RETURNED, None, after) is S.RETURNED  # a plain rejection has no deadline
    assert c.effective_status(S.PENDING_REVIEW, deadline, after) is S.PENDING_REVIEW


def test_a_notice_opens_only_what_it_names():
    refused = c.field_changes_refused([T.PHONE], ["phone", "current_title", "year"])
    assert [(e.code, e.field) for e in refused] == [
        (ErrorCode.NOT_IN_CORRECTION_NOTICE, "currentTitle"), (ErrorCode.NOT_IN_CORRECTION_NOTICE, "year")]
    assert "申报年度" in refused[1].message
    # 申报方式 opens the fields that go with it.
    assert c.field_changes_refused([T.METHOD], ["method", "exceptional_reason", "former_series_code"]) == []
    assert c.record_edit_refused([T.EDUCATION], RecordCategory.EDUCATION, "input") is None
    refusal = c.record_edit_refused([T.EDUCATION, T.MATERIALS], RecordCategory.ACHIEVEMENT, "input")
    assert refusal is not None and refusal.code is ErrorCode.NOT_IN_CORRECTION_NOTICE and "业绩成果" in refusal.message


def test_route_fields_cannot_be_named():
    names = {t.value for t in CorrectionTarget}
    assert not names & {"YEAR", "SERIES_CODE", "LEVEL", "TITLE_CODE", "WORK_UNIT_ID"}
    assert {cat.value for cat in RecordCategory} <= names
    assert set(c.TARGET_LABELS) == set(CorrectionTarget)


def test_summary_lists_every_item_with_the_deadline():
    text = c.summary([CorrectionItem(T.EDUCATION, "缺学位证"), CorrectionItem(T.PHONE, "空号")], date(2026, 3, 15))
    assert "2026-03-15" in text and "1. 学历：缺学位证" in text and "2. 联系电话：空号" in text
    assert len(c.step_note(15, date(2026, 3, 15))) <= 500


def test_integrity_period():
    category = i.IntegrityCategory
    assert i.check_period(category.FALSIFIED_MATERIALS, TODAY, None) == date(2029, 2, 28)
    assert i.check_period(category.FALSIFIED_MATERIALS, date(2028, 2, 29), None) == date(2031, 2, 27)
    assert i.check_period(category.OTHER, TODAY, date(2026, 12, 31)) == date(2026, 12, 31)
    for ends_on, code in ((None, ErrorCode.FIELD_REQUIRED), (date(2026, 2, 28), ErrorCode.DATE_ORDER)):
        with pytest.raises(RuleViolation) as refused:
            i.check_period(category.OTHER, TODAY, ends_on)
        assert refused.value.code is code and refused.value.field == "endsOn"
    assert i.in_force(TODAY, TODAY, TODAY) and not i.in_force(TODAY, TODAY, date(2026, 3, 2))
    assert "2029-02-28" in i.listed_message("造假", date(2029, 2, 28))
