"""Errors of the top-level lane.

Two lanes (see the design brief):
- `rules.errors.RuleViolation` / `RuleViolations`: bad input or a wrong workflow state.
  Mutations turn them into typed `errors` in their payload, after rolling back.
- `PublicError` subclasses (`NotAuthenticated`, `Forbidden`): the caller is not logged
  in or may not call this at all. They surface as top-level GraphQL errors carrying
  `extensions.code`; everything else unexpected is masked.
"""

from __future__ import annotations


class PublicError(Exception):
    """An error whose message may reach the client as a top-level GraphQL error."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions: dict[str, object] = {"code": self.code}


class NotAuthenticated(PublicError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "请先登录") -> None:
        super().__init__(message)


class BadInput(PublicError):
    """A query argument no client should send (a page of 10,000, a forged cursor)."""

    code = "BAD_USER_INPUT"


class Forbidden(PublicError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "当前账号无权进行此操作") -> None:
        super().__init__(message)


class MissingScope(Forbidden):
    """An API client's token lacks a scope the field or step needs. Still FORBIDDEN (one code
    for "not allowed"), with the scopes it lacks in `extensions.missingScopes`, as RFC 6750's
    insufficient_scope names them."""

    def __init__(self, scopes: list[str]) -> None:
        super().__init__(f"访问令牌缺少权限范围：{' '.join(scopes)}")
        self.extensions["missingScopes"] = scopes


class UnitNotPermitted(Forbidden):
    """A unit without 职称申报权限 asked for a unit-only list (review or report queue)."""

    code = "UNIT_NOT_PERMITTED"

    def __init__(self, message: str = "本单位尚未获得职称申报权限，请先完成权限申请") -> None:
        super().__init__(message)


class PasswordChangeRequired(Forbidden):
    """A session whose password an admin set (initial or reset) asked for anything but
    changePassword, logout or me (resolvers.env.Env.of)."""

    code = "PASSWORD_CHANGE_REQUIRED"

    def __init__(self, message: str = "请先修改密码：当前密码由管理机构设置，修改前只能修改密码或退出登录") -> None:
        super().__init__(message)
