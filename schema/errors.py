"""Typed errors in mutation payloads: a stable code, the input field, a Chinese message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import strawberry

from rules.errors import ERROR_DESCRIPTIONS, RuleViolation
from rules.errors import ErrorCode as DomainErrorCode
from schema.enums import gql_enum

#: The `errors` field of every mutation payload.
ERRORS_DESCRIPTION = "预期内的错误（输入不合法、状态不允许、对象不可用等）；为空表示成功"

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    ErrorCode = DomainErrorCode
else:
    ErrorCode = gql_enum(
        DomainErrorCode, ERROR_DESCRIPTIONS, name="ErrorCode", description="预期内错误的稳定代码"
    )


@strawberry.type(description="一个预期内的错误：输入不合法、状态不允许或对象不可用。出现错误时本次操作不做任何修改。")
class UserError:
    code: ErrorCode = strawberry.field(description="稳定的错误代码，客户端据此处理")
    field: str | None = strawberry.field(description="出错的输入字段（GraphQL 参数名），与具体字段无关时为空")
    message: str = strawberry.field(description="中文说明，可直接展示给用户")


def user_errors(errors: Iterable[RuleViolation]) -> list[UserError]:
    return [UserError(code=e.code, field=e.field, message=e.message) for e in errors]
