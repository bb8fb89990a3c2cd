"""申报状态机：the declaration's states, the actions on it, and the allowed transitions.

One pure table shared by every workflow step (applicant steps here; unit review,
reporting and acceptance in the next issue), so no step can invent a transition.

    DRAFT ──confirm──▶ PENDING_REVIEW ──approve──▶ APPROVED ──report──▶ PENDING_REVIEW (superior)
      ▲  ◀──withdraw──┘     │  └──accept (committee's accepting unit)──▶ ACCEPTED
      │                     └──reject(reason)──▶ RETURNED ──confirm──▶ PENDING_REVIEW
      └─────────────── edit (DRAFT, RETURNED) ───┘

单位公示 at the work unit happens inside APPROVED (it is data on the approved step, not a
state): starting it, raising and dismissing objections keep APPROVED; an upheld objection
returns the declaration to the applicant like a rejection.

    APPROVED ──start publicity / raise objection / dismiss objection──▶ APPROVED
    APPROVED ──uphold objection(reason)──▶ RETURNED
"""

from __future__ import annotations

import enum


class DeclarationStatus(str, enum.Enum):
    DRAFT = "DRAFT"  # 草稿（未确认申报）
    PENDING_REVIEW = "PENDING_REVIEW"  # 待审核（在 current_unit）
    APPROVED = "APPROVED"  # 审核通过（待上报）
    RETURNED = "RETURNED"  # 审核不通过，退回申报人修改
    ACCEPTED = "ACCEPTED"  # 评审委员会已受理


class DeclarationAction(str, enum.Enum):
    CREATE = "CREATE"  # 新增申报
    EDIT = "EDIT"  # 修改申报信息、记录、材料
    CONFIRM = "CONFIRM"  # 确认申报
    WITHDRAW = "WITHDRAW"  # 撤回（单位尚未处理）
    APPROVE = "APPROVE"  # 单位审核通过
    REJECT = "REJECT"  # 单位审核不通过（退回）
    REPORT = "REPORT"  # 上报至上级单位
    ACCEPT = "ACCEPT"  # 评审委员会受理
    START_PUBLICITY = "START_PUBLICITY"  # 单位公示开始
    RAISE_OBJECTION = "RAISE_OBJECTION"  # 公示期间有人提出异议
    DISMISS_OBJECTION = "DISMISS_OBJECTION"  # 单位处理异议：不成立
    UPHOLD_OBJECTION = "UPHOLD_OBJECTION"  # 单位处理异议：成立（退回申报人）


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


def allowed_actions(state: DeclarationStatus | None) -> frozenset[DeclarationAction]:
    return frozenset(action for (s, action) in TRANSITIONS if s == state)


def is_editable(state: DeclarationStatus) -> bool:
    """The applicant may change the declaration and everything under it (DRAFT, RETURNED)."""
    return can(state, A.EDIT)
