"""A unit's review decision on a declaration (who decided what at which unit), shared by
the Declaration type and the review payloads.

Tense: what a caller asks for is imperative (the `ReviewDecision` argument, APPROVE /
REJECT); what was decided, like every state, is a past participle (`ReviewOutcome`,
APPROVED / REJECTED, as `ReviewState`, `PathStatus` and `PermissionDecision`)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from models import ReviewStep, StepDecision
from schema.accounts import Unit
from schema.context import Info, load_referenced


@strawberry.enum(description="已作出的审核结论")
class ReviewOutcome(Enum):
    APPROVED = strawberry.enum_value("APPROVED", description="审核通过")
    REJECTED = strawberry.enum_value("REJECTED", description="审核不通过（退回申报人）")
    CORRECTION_REQUESTED = strawberry.enum_value(
        "CORRECTION_REQUESTED", description="一次性告知补正（退回申报人限期补正，补正后回到本单位）")
    RETURNED_DOWN = strawberry.enum_value("RETURNED_DOWN", description="按原报送渠道退回下级单位")


@strawberry.type(description="一次审核结论（数据审核）：哪个单位、哪个审核账号、通过或不通过、原因、时间")
class DeclarationReview:
    decision: ReviewOutcome = strawberry.field(description="审核结论")
    reason: str | None = strawberry.field(description="原因（不通过、退回下级时必有；告知补正时为事项数和期限）")
    reviewer_name: str = strawberry.field(description="审核人（审核单位账号的名称）")
    decided_at: dt.datetime = strawberry.field(description="审核时间")
    accepted: bool = strawberry.field(description="这次通过是否即评审委员会受理（在受理单位审核通过）")
    round: int = strawberry.field(description="第几次确认申报后的审核（退回后重新确认即进入下一轮）")
    unit_row_id: strawberry.Private[int]
    reviewer_account_row_id: strawberry.Private[int | None]  # nullable, like reviewer_name

    @strawberry.field(description="审核单位")
    async def unit(self, info: Info) -> Unit:
        return Unit.of(await load_referenced(info.context.loaders.unit, self.unit_row_id))

    @classmethod
    def of(cls, step: ReviewStep) -> "DeclarationReview":
        """A step its unit decided (passed, rejected, returned with a notice or down the route),
        which records when."""
        if step.decided_at is None:  # still open: no decision to show
            raise ValueError(f"review step {step.id} has no decision")
        if step.decision is None or step.decision is StepDecision.WITHDRAWN:  # not a unit's decision
            raise ValueError(f"review step {step.id} has no decision")
        return cls(decision=ReviewOutcome(step.decision.value), reason=step.reason,
                   reviewer_name=step.reviewer_name or "", decided_at=step.decided_at,
                   accepted=step.committee_id is not None, round=step.round, unit_row_id=step.unit_id,
                   reviewer_account_row_id=step.reviewer_account_id)
