"""The correction notice (一次性告知补正) as a declaration shows it; kept apart from
schema/corrections.py (its mutations), which builds on schema/declarations.py."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from core.clock import china_today
from models import CorrectionNotice as NoticeModel
from models import NoticeOutcome
from rules import corrections as rules
from rules.corrections import CorrectionTarget as DomainTarget
from schema.accounts import Unit
from schema.context import Info, load_referenced
from schema.enums import gql_enum

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    CorrectionTarget = DomainTarget
else:
    CorrectionTarget = gql_enum(
        DomainTarget,
        {
            "QUALIFICATION": "现专业技术资格（记录）", "EDUCATION": "学历（记录）",
            "WORK_EXPERIENCE": "工作经历（记录）",
            "CONTINUING_EDUCATION": "继续教育（记录）", "ACHIEVEMENT": "业绩成果（记录）",
            "SPECIALTY_CODE": "现从事专业（DeclarationInput.specialtyCode）",
            "METHOD": "申报方式，连同破格情况、原职称系列（DeclarationInput.method）",
            "EXCEPTIONAL_REASON": "破格情况（DeclarationInput.exceptionalReason）",
            "FORMER_SERIES_CODE": "原职称系列（DeclarationInput.formerSeriesCode）",
            "EDUCATION_LEVEL": "最高学历（DeclarationInput.educationLevel）",
            "CURRENT_TITLE": "现职称（DeclarationInput.currentTitle）",
            "CURRENT_TITLE_OBTAINED_ON": "现职称取得时间（DeclarationInput.currentTitleObtainedOn）",
            "YEARS_IN_SPECIALTY": "从事本专业年限（DeclarationInput.yearsInSpecialty）",
            "PHONE": "联系电话（DeclarationInput.phone）",
            "MATERIALS": "证明材料（补正期间材料总可增删）",
        },
        name="CorrectionTarget",
        description="补正事项指向的内容：一类记录、一项基本信息或证明材料。申报年度、系列、级别、职称、工作单位决定上报路径，不能补正",
    )


@strawberry.enum(description="补正通知的状态")
class CorrectionNoticeState(Enum):
    OPEN = strawberry.enum_value("OPEN", description="待补正：申报人在期限内只能修改通知列出的内容（材料除外）")
    RESUBMITTED = strawberry.enum_value("RESUBMITTED", description="已补正并重新确认，回到告知补正的单位审核")
    ABANDONED = strawberry.enum_value("ABANDONED", description="期限已过未重新确认，视为放弃")


@strawberry.type(description="补正通知中的一项：指向的内容和需要如何补正")
class CorrectionItem:
    target: CorrectionTarget = strawberry.field(description="指向的内容")
    label: str = strawberry.field(description="指向内容的中文名称")
    message: str = strawberry.field(description="需要如何补正")


def today_of(info: Info) -> dt.date:
    """Today in Beijing by the app's clock: what a read judges a deadline against."""
    return china_today(info.context.services.clock)


@strawberry.type(description="一次性告知补正：审核单位一次列出的全部补正事项和补正期限")
class CorrectionNotice:
    items: list[CorrectionItem] = strawberry.field(description="全部补正事项")
    deadline: dt.date = strawberry.field(description="补正期限：此日（北京时间，含当日）前须补正并重新确认申报")
    expires_at: dt.datetime = strawberry.field(description="期限届满的时刻（期限次日零时，北京时间），此后视为放弃")
    requested_at: dt.datetime = strawberry.field(description="告知时间")
    unit_row_id: strawberry.Private[int]
    outcome: strawberry.Private[NoticeOutcome | None]
    stored_resolved_at: strawberry.Private[dt.datetime | None]

    @strawberry.field(description="状态；期限已过未重新确认的即为视为放弃，无论是否已有人操作")
    def state(self, info: Info) -> CorrectionNoticeState:
        if self.outcome is not None:
            return CorrectionNoticeState(self.outcome.value)
        if rules.has_expired(self.deadline, today_of(info)):
            return CorrectionNoticeState.ABANDONED
        return CorrectionNoticeState.OPEN

    @strawberry.field(description="结束时间：重新确认的时间，或期限届满的时刻；待补正时为空")
    def resolved_at(self, info: Info) -> dt.datetime | None:
        if self.stored_resolved_at is None and rules.has_expired(self.deadline, today_of(info)):
            return self.expires_at
        return self.stored_resolved_at

    @strawberry.field(description="告知补正的单位；重新确认后申报回到该单位审核")
    async def unit(self, info: Info) -> Unit:
        return Unit.of(await load_referenced(info.context.loaders.unit, self.unit_row_id))

    @classmethod
    def of(cls, n: NoticeModel) -> "CorrectionNotice":
        items = [CorrectionItem(target=DomainTarget(i["target"]), label=rules.TARGET_LABELS[DomainTarget(i["target"])],
                                message=i["message"]) for i in n.items]
        return cls(items=items, deadline=n.deadline, expires_at=rules.expired_at(n.deadline).astimezone(dt.UTC),
                   requested_at=n.created_at, stored_resolved_at=n.resolved_at, unit_row_id=n.unit_id,
                   outcome=n.outcome)
