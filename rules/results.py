"""评审结果 as a HR system reads it: where a declaration stands after its committee's ballot.

Pure: derived from the declaration's state and its ballot's verdict, nothing stored.
"""

from __future__ import annotations

import enum

from rules.declaration_states import DeclarationStatus as S


class ReviewResult(str, enum.Enum):
    PASSED = "PASSED"  # 评审通过（待公示、确认）
    NOT_PASSED = "NOT_PASSED"  # 评审未通过
    WITHDRAWN = "WITHDRAWN"  # 表决通过，但公示异议成立，结果撤回
    GRANTED = "GRANTED"  # 已确认发证，取得职称
    REVOKED = "REVOKED"  # 职称已撤销（弄虚作假）


_BY_STATUS = {S.PASSED: ReviewResult.PASSED, S.GRANTED: ReviewResult.GRANTED, S.REVOKED: ReviewResult.REVOKED}


def review_result(status: S, ballot_passed: bool | None) -> ReviewResult | None:
    """None until a ballot closed on the declaration. NOT_PASSED after a passing ballot is a
    result withdrawn by an upheld objection, which a HR system must tell from a failed vote."""
    if ballot_passed is None:
        return None
    if status is S.NOT_PASSED:
        return ReviewResult.WITHDRAWN if ballot_passed else ReviewResult.NOT_PASSED
    return _BY_STATUS.get(status)
