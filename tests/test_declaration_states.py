"""The declaration state machine's transition table (pure)."""

import pytest

from rules.declaration_states import (
    APPLICANT_ACTIONS,
    TransitionNotAllowed,
    allowed_actions,
    can,
    is_editable,
    next_state,
)
from rules.declaration_states import (
    DeclarationAction as A,
)
from rules.declaration_states import (
    DeclarationStatus as S,
)


def test_applicant_path():
    state = next_state(None, A.CREATE)
    assert state is S.DRAFT
    state = next_state(state, A.CONFIRM)
    assert state is S.PENDING_REVIEW
    assert next_state(state, A.WITHDRAW) is S.DRAFT


def test_review_route():
    assert next_state(S.PENDING_REVIEW, A.APPROVE) is S.APPROVED
    assert next_state(S.APPROVED, A.REPORT) is S.PENDING_REVIEW
    assert next_state(S.PENDING_REVIEW, A.ACCEPT) is S.ACCEPTED
    assert next_state(S.PENDING_REVIEW, A.REJECT) is S.RETURNED
    assert next_state(S.RETURNED, A.CONFIRM) is S.PENDING_REVIEW


@pytest.mark.parametrize("state", [S.PENDING_REVIEW, S.APPROVED, S.ACCEPTED])
def test_locked_states_refuse_edits(state):
    assert not is_editable(state)
    with pytest.raises(TransitionNotAllowed):
        next_state(state, A.EDIT)


def test_editable_states():
    assert is_editable(S.DRAFT) and is_editable(S.RETURNED)
    assert allowed_actions(S.DRAFT) == {A.EDIT, A.CONFIRM}
    # Accepted by the committee, the applicant can do nothing; its office checks it.
    assert allowed_actions(S.ACCEPTED) == {A.CHECK, A.REQUEST_CORRECTION, A.RETURN_DOWN}
    assert not allowed_actions(S.ACCEPTED) & APPLICANT_ACTIONS


def test_no_withdraw_after_approval_and_no_create_twice():
    assert not can(S.APPROVED, A.WITHDRAW)
    assert not can(S.DRAFT, A.CREATE)
    assert A.APPROVE not in APPLICANT_ACTIONS


def test_unit_publicity_keeps_approved_and_an_upheld_objection_returns():
    for action in (A.START_PUBLICITY, A.RAISE_OBJECTION, A.DISMISS_OBJECTION):
        assert next_state(S.APPROVED, action) is S.APPROVED
        assert not can(S.PENDING_REVIEW, action) and not can(S.RETURNED, action)
    assert next_state(S.APPROVED, A.UPHOLD_OBJECTION) is S.RETURNED
    assert allowed_actions(S.APPROVED) == {A.REPORT, A.START_PUBLICITY, A.RAISE_OBJECTION, A.DISMISS_OBJECTION,
                                           A.UPHOLD_OBJECTION}
    assert not APPLICANT_ACTIONS & {A.START_PUBLICITY, A.RAISE_OBJECTION, A.DISMISS_OBJECTION, A.UPHOLD_OBJECTION}


def test_the_committee_stage_runs_from_accepted_to_a_result():
    assert next_state(S.ACCEPTED, A.CHECK) is S.CHECKED
    assert next_state(S.CHECKED, A.SCHEDULE) is S.IN_REVIEW
    assert next_state(S.IN_REVIEW, A.PASS) is S.PASSED
    assert next_state(S.IN_REVIEW, A.FAIL) is S.NOT_PASSED
    # A committee's correction notice brings the answer back to the committee, not a unit.
    assert next_state(S.ACCEPTED, A.REQUEST_CORRECTION) is S.RETURNED
    assert next_state(S.RETURNED, A.RESUBMIT_TO_COMMITTEE) is S.ACCEPTED
    assert next_state(S.ACCEPTED, A.RETURN_DOWN) is S.PENDING_REVIEW
    for state in (S.CHECKED, S.IN_REVIEW, S.PASSED, S.NOT_PASSED, S.GRANTED, S.REVOKED):
        assert not is_editable(state)
    assert not can(S.CHECKED, A.PASS) and not can(S.ACCEPTED, A.SCHEDULE)


def test_the_results_stage():
    # 评审结果: publicity and objections keep PASSED; an upheld objection withdraws it; the
    # title office grants or confirms the failure; a granted title may be revoked, nothing after.
    for action in (A.START_RESULTS_PUBLICITY, A.RAISE_RESULT_OBJECTION, A.DISMISS_RESULT_OBJECTION):
        assert next_state(S.PASSED, action) is S.PASSED
    assert next_state(S.PASSED, A.WITHDRAW_RESULT) is S.NOT_PASSED
    assert next_state(S.PASSED, A.GRANT) is S.GRANTED
    assert next_state(S.NOT_PASSED, A.CONFIRM_NOT_PASSED) is S.NOT_PASSED
    assert next_state(S.GRANTED, A.REVOKE) is S.REVOKED
    assert not can(S.NOT_PASSED, A.GRANT) and not can(S.GRANTED, A.GRANT)
    assert allowed_actions(S.REVOKED) == frozenset()
    assert allowed_actions(S.NOT_PASSED) == {A.CONFIRM_NOT_PASSED}
