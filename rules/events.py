"""变更事件 (the change feed): which workflow events HR systems are told about, and their names.

A feed event is named `area.past_participle` (what happened, not what was asked), like
GitHub's and Shopify's webhook topics. Declaration events are the declaration's timeline
(状态跟踪) seen from outside: every transition of `rules.declaration_states` but the
applicant's own drafting (CREATE, EDIT), which nobody but the applicant may see. Besides
them: a title office's decision on a unit's 职称申报权限, and a superior unit's decision on
a reporting path (路径申请), which change who may declare and where data goes. The committee
stage's steps are declaration events too; the panel, opinions and ballots never are (专家名单
保密, secret ballot): a reader learns that a declaration was scheduled, passed or granted.
"""

from __future__ import annotations

import enum

from rules.declaration_states import DeclarationAction

A = DeclarationAction


class EventType(str, enum.Enum):
    DECLARATION_CONFIRMED = "declaration.confirmed"  # 确认申报（进入工作单位审核）
    DECLARATION_WITHDRAWN = "declaration.withdrawn"  # 申报人撤回（回到草稿）
    DECLARATION_APPROVED = "declaration.approved"  # 单位审核通过
    DECLARATION_REJECTED = "declaration.rejected"  # 单位审核不通过（退回申报人）
    DECLARATION_REPORTED = "declaration.reported"  # 上报至上级单位
    DECLARATION_ACCEPTED = "declaration.accepted"  # 评审委员会受理
    DECLARATION_CORRECTION_REQUESTED = "declaration.correction_requested"  # 一次性告知补正
    DECLARATION_RESUBMITTED = "declaration.resubmitted"  # 补正后重新确认
    DECLARATION_ABANDONED = "declaration.abandoned"  # 补正期满视为放弃
    DECLARATION_RETURNED_DOWN = "declaration.returned_down"  # 按原报送渠道退回下级单位
    DECLARATION_PUBLICITY_STARTED = "declaration.publicity_started"  # 单位公示开始
    DECLARATION_OBJECTION_RAISED = "declaration.objection_raised"  # 公示期间收到异议
    DECLARATION_OBJECTION_DISMISSED = "declaration.objection_dismissed"  # 异议不成立
    DECLARATION_OBJECTION_UPHELD = "declaration.objection_upheld"  # 异议成立（退回申报人）
    DECLARATION_CHECKED = "declaration.checked"  # 评委会办事机构受理审查通过
    DECLARATION_RESUBMITTED_TO_COMMITTEE = "declaration.resubmitted_to_committee"  # 补正后回到评委会
    DECLARATION_SCHEDULED = "declaration.scheduled"  # 列入评审会议（评审中）
    DECLARATION_PASSED = "declaration.passed"  # 评审通过（闭票计票）
    DECLARATION_NOT_PASSED = "declaration.not_passed"  # 评审未通过（闭票计票）
    DECLARATION_RESULTS_PUBLICITY_STARTED = "declaration.results_publicity_started"  # 评审结果公示开始
    DECLARATION_RESULT_OBJECTION_RAISED = "declaration.result_objection_raised"  # 评审结果公示期间收到异议
    DECLARATION_RESULT_OBJECTION_DISMISSED = "declaration.result_objection_dismissed"  # 结果异议不成立
    DECLARATION_RESULT_WITHDRAWN = "declaration.result_withdrawn"  # 评审结果异议成立，撤销评审通过结果
    DECLARATION_GRANTED = "declaration.granted"  # 职称管理机构确认评审结果，取得职称、发放电子证书
    DECLARATION_NOT_PASSED_CONFIRMED = "declaration.not_passed_confirmed"  # 职称管理机构确认评审结果：未通过（终结）
    DECLARATION_REVOKED = "declaration.revoked"  # 弄虚作假取得的职称被撤销（电子证书失效）
    PERMISSION_APPROVED = "permission.approved"  # 单位职称申报权限审核通过（含人工审核）
    PERMISSION_REJECTED = "permission.rejected"  # 单位职称申报权限审核不通过
    PATH_APPROVED = "path.approved"  # 上报路径审核通过（生效）
    PATH_REJECTED = "path.rejected"  # 上报路径审核不通过
    PATH_REVOKED = "path.revoked"  # 上报路径撤销


E = EventType

#: The applicant's drafting: not an event anyone outside may see (a draft is the applicant's).
PRIVATE_ACTIONS = frozenset({A.CREATE, A.EDIT})

#: Every other action of the declaration state machine has its event type; a new action
#: (the committee stage) must be named here too, or tests/test_event_rules.py fails.
DECLARATION_EVENT_TYPES: dict[DeclarationAction, EventType] = {
    A.CONFIRM: E.DECLARATION_CONFIRMED,
    A.WITHDRAW: E.DECLARATION_WITHDRAWN,
    A.APPROVE: E.DECLARATION_APPROVED,
    A.REJECT: E.DECLARATION_REJECTED,
    A.REPORT: E.DECLARATION_REPORTED,
    A.ACCEPT: E.DECLARATION_ACCEPTED,
    A.REQUEST_CORRECTION: E.DECLARATION_CORRECTION_REQUESTED,
    A.RESUBMIT: E.DECLARATION_RESUBMITTED,
    A.ABANDON: E.DECLARATION_ABANDONED,
    A.RETURN_DOWN: E.DECLARATION_RETURNED_DOWN,
    A.START_PUBLICITY: E.DECLARATION_PUBLICITY_STARTED,
    A.RAISE_OBJECTION: E.DECLARATION_OBJECTION_RAISED,
    A.DISMISS_OBJECTION: E.DECLARATION_OBJECTION_DISMISSED,
    A.UPHOLD_OBJECTION: E.DECLARATION_OBJECTION_UPHELD,
    # 评审 (the committee stage)
    A.CHECK: E.DECLARATION_CHECKED,
    A.RESUBMIT_TO_COMMITTEE: E.DECLARATION_RESUBMITTED_TO_COMMITTEE,
    A.SCHEDULE: E.DECLARATION_SCHEDULED,
    A.PASS: E.DECLARATION_PASSED,
    A.FAIL: E.DECLARATION_NOT_PASSED,
    A.START_RESULTS_PUBLICITY: E.DECLARATION_RESULTS_PUBLICITY_STARTED,
    A.RAISE_RESULT_OBJECTION: E.DECLARATION_RESULT_OBJECTION_RAISED,
    A.DISMISS_RESULT_OBJECTION: E.DECLARATION_RESULT_OBJECTION_DISMISSED,
    A.WITHDRAW_RESULT: E.DECLARATION_RESULT_WITHDRAWN,
    A.GRANT: E.DECLARATION_GRANTED,
    A.CONFIRM_NOT_PASSED: E.DECLARATION_NOT_PASSED_CONFIRMED,
    A.REVOKE: E.DECLARATION_REVOKED,
}


def declaration_event_type(action: DeclarationAction) -> EventType | None:
    """The feed's name for a timeline step, None for the applicant's private drafting."""
    if action in PRIVATE_ACTIONS:
        return None
    return DECLARATION_EVENT_TYPES[action]
