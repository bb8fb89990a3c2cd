"""申报状态机：the declaration's states, the actions on it, and the allowed transitions.

One pure table shared by every workflow step (applicant steps here; unit review,
reporting and acceptance in the next issue), so no step can invent a transition.

    DRAFT ──confirm──▶ PENDING_REVIEW ──approve──▶ APPROVED ──report──▶ PENDING_REVIEW (superior)
      ▲  ◀──withdraw──┘     │  │  └──accept (committee's accepting unit)──▶ ACCEPTED
      │                     │  └──return down the route (reason)──▶ PENDING_REVIEW (the unit below)
      │                     ├──reject(reason)──▶ RETURNED ──confirm──▶ PENDING_REVIEW (work unit, new round)
      │                     └──request correction(items, deadline)──▶ RETURNED ──resubmit──▶ PENDING_REVIEW
      │                                                (same unit, same round)   │
      │                                                  deadline passes (system)└──abandon──▶ ABANDONED
      └─────────────── edit (DRAFT, RETURNED; under a notice only what it names) ───┘

ABANDONED (视为放弃) is final for the year. It is reached without anyone acting: a RETURNED
declaration whose correction deadline has passed *is* abandoned when read
(`rules.corrections.effective_status`), and the next write to it stores that.

单位公示 at the work unit happens inside APPROVED (it is data on the approved step, not a
state): starting it, raising and dismissing objections keep APPROVED; an upheld objection
returns the declaration to the applicant like a rejection.

    APPROVED ──start publicity / raise objection / dismiss objection──▶ APPROVED
    APPROVED ──uphold objection(reason)──▶ RETURNED

评审 (issue 14): the committee stage, run by the committee's office (评委会办事机构) and its
drawn experts. The office's formal check (受理审查) passes, sends the one-time correction
notice (the applicant's answer comes back to the committee, not to a unit), or returns the
declaration down the route to the unit that reported it:

    ACCEPTED ──check──▶ CHECKED ──schedule (a review session)──▶ IN_REVIEW ──ballot closed──▶ PASSED | NOT_PASSED
        │  └──request correction(items, deadline)──▶ RETURNED ──resubmit to committee──▶ ACCEPTED
        └──return down the route (reason)──▶ PENDING_REVIEW (the unit that reported it)

    PASSED ──results publicity, confirmed by the title office──▶ GRANTED ──fraud──▶ REVOKED

The last line's actions (results publicity, an upheld objection withdrawing the result,
GRANT, REVOKE) belong to the results stage; the states exist here so the table is whole.
"""

from __future__ import annotations

import enum
import functools


class DeclarationStatus(str, enum.Enum):
    DRAFT = "DRAFT"  # 草稿（未确认申报）
    PENDING_REVIEW = "PENDING_REVIEW"  # 待审核（在 current_unit）
    APPROVED = "APPROVED"  # 审核通过（待上报）
    RETURNED = "RETURNED"  # 审核不通过，退回申报人修改
    ACCEPTED = "ACCEPTED"  # 评审委员会已受理
    # --- corrections (一次性告知补正) ---
    ABANDONED = "ABANDONED"  # 视为放弃：补正期限内未重新确认申报（本年度终结）
    # --- 评审 (committee stage) ---
    CHECKED = "CHECKED"  # 受理审查通过（待评审）
    IN_REVIEW = "IN_REVIEW"  # 评审中（已列入评审会议）
    PASSED = "PASSED"  # 评审通过
    NOT_PASSED = "NOT_PASSED"  # 评审未通过
    GRANTED = "GRANTED"  # 已取得职称（已发证）
    REVOKED = "REVOKED"  # 已撤销（弄虚作假取得）


class DeclarationAction(str, enum.Enum):
    CREATE = "CREATE"  # 新增申报
    EDIT = "EDIT"  # 修改申报信息、记录、材料
    CONFIRM = "CONFIRM"  # 确认申报
    WITHDRAW = "WITHDRAW"  # 撤回（单位尚未处理）
    APPROVE = "APPROVE"  # 单位审核通过
    REJECT = "REJECT"  # 单位审核不通过（退回）
    REPORT = "REPORT"  # 上报至上级单位
    ACCEPT = "ACCEPT"  # 评审委员会受理
    # --- corrections (一次性告知补正, 按原报送渠道退回) ---
    REQUEST_CORRECTION = "REQUEST_CORRECTION"  # 单位一次性告知补正（退回申报人，限期）
    RESUBMIT = "RESUBMIT"  # 申报人补正后重新确认（回到告知补正的单位）
    ABANDON = "ABANDON"  # 补正期限已过，视为放弃（系统）
    RETURN_DOWN = "RETURN_DOWN"  # 上级单位按原报送渠道退回下级单位
    # --- 单位公示 ---
    START_PUBLICITY = "START_PUBLICITY"  # 单位公示开始
    RAISE_OBJECTION = "RAISE_OBJECTION"  # 公示期间有人提出异议
    DISMISS_OBJECTION = "DISMISS_OBJECTION"  # 单位处理异议：不成立
    UPHOLD_OBJECTION = "UPHOLD_OBJECTION"  # 单位处理异议：成立（退回申报人）
    # --- 评审 (committee stage) ---
    CHECK = "CHECK"  # 评委会办事机构受理审查通过
    RESUBMIT_TO_COMMITTEE = "RESUBMIT_TO_COMMITTEE"  # 申报人按评委会的补正告知补正后重新确认（回到评委会）
    SCHEDULE = "SCHEDULE"  # 列入评审会议（评审中）
    PASS = "PASS"  # 评审通过（闭票计票）
    FAIL = "FAIL"  # 评审未通过（闭票计票）
    # --- 评审结果 (results publicity, confirmation, revocation) ---
    START_RESULTS_PUBLICITY = "START_RESULTS_PUBLICITY"  # 评审结果公示开始
    RAISE_RESULT_OBJECTION = "RAISE_RESULT_OBJECTION"  # 评审结果公示期间有人提出异议
    DISMISS_RESULT_OBJECTION = "DISMISS_RESULT_OBJECTION"  # 评委会办事机构处理异议：不成立
    WITHDRAW_RESULT = "WITHDRAW_RESULT"  # 异议成立，撤销评审通过结果
    GRANT = "GRANT"  # 职称管理机构确认评审结果，取得职称、发放电子证书
    CONFIRM_NOT_PASSED = "CONFIRM_NOT_PASSED"  # 职称管理机构确认评审结果（未通过，终结）
    REVOKE = "REVOKE"  # 弄虚作假取得的职称被撤销


S, A = DeclarationStatus, DeclarationAction

#: (state, action) → next state. `None` as the state means "no declaration yet".
TRANSITIONS: dict[tuple[DeclarationStatus | None, DeclarationAction], DeclarationStatus] = {
    (None, A.CREATE): S.DRAFT,
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.RETURNED, A.EDIT): S.RETURNED,
    (S.DRAFT, A.CONFIRM): S.PENDING_REVIEW,
    (S.RETURNED, A.CONFIRM): S.PENDING_REVIEW,
    (S.PENDING_REVIEW, A.WITHDRAW): S.DRAFT,
    (S.PENDING_REVIEW, A.APPROVE): S.APPROVED,
    (S.PENDING_REVIEW, A.REJECT): S.RETURNED,
    (S.PENDING_REVIEW, A.ACCEPT): S.ACCEPTED,
    (S.APPROVED, A.REPORT): S.PENDING_REVIEW,
    (S.APPROVED, A.START_PUBLICITY): S.APPROVED,
    (S.APPROVED, A.RAISE_OBJECTION): S.APPROVED,
    (S.APPROVED, A.DISMISS_OBJECTION): S.APPROVED,
    (S.APPROVED, A.UPHOLD_OBJECTION): S.RETURNED,
}

#: Actions the applicant takes; the others are taken by units (an objection by a unit or a
#: person of the work unit).
APPLICANT_ACTIONS = frozenset({A.CREATE, A.EDIT, A.CONFIRM, A.WITHDRAW})

# --- corrections (一次性告知补正, 按原报送渠道退回) ---
# A unit returns with a notice, or down to the unit that reported it; the applicant's
# confirmation under a notice is RESUBMIT (back to that unit, not to the work unit); the
# system's ABANDON is the deadline passing.
TRANSITIONS.update({
    (S.PENDING_REVIEW, A.REQUEST_CORRECTION): S.RETURNED,
    (S.RETURNED, A.RESUBMIT): S.PENDING_REVIEW,
    (S.RETURNED, A.ABANDON): S.ABANDONED,
    (S.PENDING_REVIEW, A.RETURN_DOWN): S.PENDING_REVIEW,
})
APPLICANT_ACTIONS |= {A.RESUBMIT}
#: Taken by nobody: the passing of a deadline (the timeline's actor is 系统).
SYSTEM_ACTIONS = frozenset({A.ABANDON})


# --- 评审 (committee stage): the formal check reuses the notice and the return down ---
TRANSITIONS.update({
    (S.ACCEPTED, A.CHECK): S.CHECKED,
    (S.ACCEPTED, A.REQUEST_CORRECTION): S.RETURNED,
    (S.RETURNED, A.RESUBMIT_TO_COMMITTEE): S.ACCEPTED,
    (S.ACCEPTED, A.RETURN_DOWN): S.PENDING_REVIEW,
    (S.CHECKED, A.SCHEDULE): S.IN_REVIEW,
    (S.IN_REVIEW, A.PASS): S.PASSED,
    (S.IN_REVIEW, A.FAIL): S.NOT_PASSED,
})
APPLICANT_ACTIONS |= {A.RESUBMIT_TO_COMMITTEE}
#: Taken by the committee office (评委会办事机构) for its committee.
COMMITTEE_ACTIONS = frozenset({A.CHECK, A.SCHEDULE, A.PASS, A.FAIL})


# --- 评审结果: publicity of the passed, objections, the title office's confirmation (GRANT
# issues the certificate; NOT_PASSED is confirmed as final), revocation for fraud ---
TRANSITIONS.update({
    (S.PASSED, A.START_RESULTS_PUBLICITY): S.PASSED,
    (S.PASSED, A.RAISE_RESULT_OBJECTION): S.PASSED,
    (S.PASSED, A.DISMISS_RESULT_OBJECTION): S.PASSED,
    (S.PASSED, A.WITHDRAW_RESULT): S.NOT_PASSED,
    (S.PASSED, A.GRANT): S.GRANTED,
    (S.NOT_PASSED, A.CONFIRM_NOT_PASSED): S.NOT_PASSED,
    (S.GRANTED, A.REVOKE): S.REVOKED,
})
COMMITTEE_ACTIONS |= {A.START_RESULTS_PUBLICITY, A.DISMISS_RESULT_OBJECTION, A.WITHDRAW_RESULT}
#: Taken by the title office (职称管理机构 of the committee's region or the province).
TITLE_OFFICE_ACTIONS = frozenset({A.GRANT, A.CONFIRM_NOT_PASSED, A.REVOKE})


class TransitionNotAllowed(Exception):
    def __init__(self, state: DeclarationStatus | None, action: DeclarationAction) -> None:
        self.state = state
        self.action = action
        super().__init__(f"{action.value} is not allowed in {state.value if state else 'no state'}")


def can(state: DeclarationStatus | None, action: DeclarationAction) -> bool:
    return (state, action) in TRANSITIONS


def next_state(state: DeclarationStatus | None, action: DeclarationAction) -> DeclarationStatus:
    """The state after `action`, or TransitionNotAllowed."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionNotAllowed(state, action) from None


@functools.cache  # a scan of the table; every declaration of a list page asks (isEditable, canWithdraw)
def allowed_actions(state: DeclarationStatus | None) -> frozenset[DeclarationAction]:
    return frozenset(action for (s, action) in TRANSITIONS if s == state)


def is_editable(state: DeclarationStatus) -> bool:
    """The applicant may change the declaration and everything under it (DRAFT, RETURNED)."""
    return can(state, A.EDIT)
