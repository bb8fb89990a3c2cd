"""One way to write a mutation (一个工作流步骤): declared up front, run the same way.

Every mutation of the API is a `MutationSpec` and a resolver that calls `spec.run`:

    _REVIEW = MutationSpec(
        ReviewDeclarationPayload, actor=Actor.PERMITTED_UNIT, audit="declaration.review",
        ids={"declaration_id": GlobalIdArg("Declaration", "id")},
    )

    @strawberry.mutation(description="…")
    async def review_declaration(self, info: Info, id: strawberry.ID, …) -> ReviewDeclarationPayload:
        return await _REVIEW.run(info, review.review_declaration, _payload, declaration_id=id, …)

`run` does the same five things, in this order, for every mutation:

1. **Who.** The caller's account kind: nobody logged in is a top-level `UNAUTHENTICATED`,
   another kind a top-level `FORBIDDEN`. Nothing of the input is looked at before this, so
   one bad request gets one answer whichever mutation it is sent to.
2. **Where.** Where the spec asks for it, the caller's standing: a unit with 职称申报权限
   (`UNIT_NOT_PERMITTED`) or the provincial title office (`NOT_PERMITTED`), in the payload.
3. **Which.** Each declared id argument is decoded from its relay global ID; a malformed
   one, or one of another type, is `INVALID_ID` in the payload, naming the argument.
4. **The step**, with an `Env`, as one transaction: committed when it returns, rolled back
   when it raises `RuleViolation(s)` (so a refused step changes nothing); a
   `RecordedFailure` commits its bookkeeping (a failed login's count) and is still refused.
5. **The audit row**, when the spec names an action: success and refusal share the name.
   The row names the object the step noted (`env.note_audit`), else the spec's `target`
   argument, else the first decoded id; a success is written in the step's own transaction, a refusal in one of its own
   after the rollback.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from core.errors import Forbidden
from core.request_context import note_error_codes
from resolvers import audit
from resolvers.env import Env
from rules.errors import ErrorCode, RecordedFailure, RuleViolation, RuleViolations
from rules.regions import PROVINCE_CODE
from rules.scopes import Scope
from schema.context import Context, Info
from schema.errors import UserError, user_errors
from schema.ids import decode_id

P = TypeVar("P")
T = TypeVar("T")


class Actor(enum.Enum):
    """Who may call a mutation."""

    ANYONE = "anyone"  # registration, login
    LOGGED_IN = "logged in"  # any account, also one that must change its password: logout, change password
    PERSON = "person"  # 个人
    PERSON_OR_UNIT = "person or unit"  # 个人 or 单位: people of a unit (单位公示 objections)
    UNIT = "unit"  # any 单位, also one still applying for permission
    PERMITTED_UNIT = "permitted unit"  # 单位 with 职称申报权限
    ADMIN = "admin"  # 职称管理机构 of the province or a city
    PROVINCE_ADMIN = "province admin"  # 省级职称管理机构 only
    COMMITTEE_OFFICE = "committee office"  # 评委会办事机构 (of one committee)
    API_CLIENT = "api client"  # 接口客户端 (an HR system's token), with the spec's `scope`
    # 职称管理机构 or 接口客户端 (with the spec's `scope`): reads for the title office and HR
    # systems alike (startExport)
    ADMIN_OR_CLIENT = "admin or api client"


@dataclass(frozen=True)
class GlobalIdArg:
    """A mutation argument holding a relay global ID of `type_name`; `field` is the GraphQL
    argument's name, for errors. A `many` argument is a list: with `partial`, malformed
    members are set aside as `PartialIds.invalid` instead of refusing the whole step."""

    type_name: str
    field: str
    many: bool = False
    partial: bool = False


@dataclass
class PartialIds:
    """A list argument decoded member by member: the valid row ids and the refusals."""

    ids: list[int] = field(default_factory=list)
    invalid: list[RuleViolation] = field(default_factory=list)


@dataclass(frozen=True)
class MutationSpec(Generic[P]):
    """What a mutation declares: its payload type (built with `errors=` when refused), who
    may call it, the ids it decodes (keyword argument of the step → argument), and the
    audit action it is logged under (None: not a staff action, e.g. the applicant's own
    steps, which their timeline records)."""

    payload: Callable[..., P]
    actor: Actor
    audit: str | None = None
    ids: Mapping[str, GlobalIdArg] = field(default_factory=dict)
    # How refusals fill the payload; reportDeclarations has an error type of its own.
    refused: Callable[[list[RuleViolation]], P] | None = None
    # For a step whose object is named by a plain argument, not a global id: (object type,
    # keyword argument holding its key), e.g. ("DeclarationYear", "year").
    target: tuple[str, str] | None = None
    # Actor.API_CLIENT / ADMIN_OR_CLIENT: the scope a client's token must carry (else FORBIDDEN).
    scope: Scope | None = None

    async def run(self, info: Info, step: Callable[..., Awaitable[T]], build: Callable[[T], P], **kwargs: Any) -> P:
        ctx = info.context
        env = ctx.env()
        _check_kind(env, self.actor, self.scope)  # top-level errors: nothing to roll back or audit
        async with ctx._lock:
            session = ctx.session
            if session.in_transaction():
                await session.commit()  # end any read transaction of an earlier field
            try:
                _check_standing(env, self.actor)
                decoded = {**kwargs, **self._decode(kwargs)}
                result = await step(env, **decoded)
                if self.audit:
                    self._target(env, kwargs)
                    await self._audit(env, success=env.audit.success)
                await session.commit()
            except RecordedFailure as exc:
                await session.commit()
                return self._refuse([exc])
            except (RuleViolation, RuleViolations) as exc:
                await session.rollback()
                errors = exc.errors if isinstance(exc, RuleViolations) else [exc]
                await self._audit_refusal(ctx, env, kwargs, errors)
                return self._refuse(errors)
            except BaseException:
                await session.rollback()
                raise
        return build(result)

    def _decode(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        decoded: dict[str, Any] = {}
        for name, arg in self.ids.items():
            raw = kwargs.get(name)
            if raw is None:
                decoded[name] = None
            elif not arg.many:
                decoded[name] = decode_id(raw, arg.type_name, arg.field)
            elif arg.partial:
                decoded[name] = _decode_each(raw, arg)
            else:
                decoded[name] = [decode_id(r, arg.type_name, arg.field) for r in raw]
        return decoded

    def _refuse(self, errors: list[RuleViolation]) -> P:
        note_error_codes(e.code.value for e in errors)  # for the request's log line and metrics
        if self.refused is not None:
            return self.refused(errors)
        return self.payload(errors=user_errors(errors))

    def _target(self, env: Env, kwargs: Mapping[str, Any]) -> None:
        """The audit row names the object the step acted on (or was tried on): what the step
        noted, else the declared target argument, else the first single id that decodes."""
        if env.audit.object_type is not None:
            return
        if self.target is not None and isinstance(kwargs.get(self.target[1]), int):
            env.note_audit(self.target[0], kwargs[self.target[1]])
            return
        for name, arg in self.ids.items():
            raw = kwargs.get(name)
            if raw is None or arg.many:
                continue
            try:
                env.note_audit(arg.type_name, decode_id(raw, arg.type_name, arg.field))
            except RuleViolation:
                continue
            return

    async def _audit(self, env: Env, *, success: bool, reason: str | None = None) -> None:
        assert self.audit is not None
        note = env.audit
        await audit.record(env, self.audit, object_type=note.object_type, object_id=note.object_id,
                           success=success, reason=reason if reason is not None else note.reason,
                           region_code=note.region_code)

    async def _audit_refusal(self, ctx: Context, env: Env, kwargs: Mapping[str, Any],
                             errors: list[RuleViolation]) -> None:
        if not self.audit or (env.viewer is None and env.client is None):
            return
        self._target(env, kwargs)
        await self._audit(env, success=False, reason="; ".join(e.code.value for e in errors))
        await ctx.session.commit()


def _decode_each(raw_ids: list[Any], arg: GlobalIdArg) -> PartialIds:
    out = PartialIds()
    for raw in raw_ids:
        try:
            out.ids.append(decode_id(raw, arg.type_name, arg.field))
        except RuleViolation as exc:
            out.invalid.append(exc)
    return out


def _check_kind(env: Env, actor: Actor, scope: Scope | None) -> None:
    """Who may call. An API client is nobody to the human kinds: ANYONE refuses it too (a
    client registers no person and logs in by /oauth/token), the others through require_viewer."""
    if actor is Actor.ANYONE:
        env.refuse_client()
        return
    if actor is Actor.API_CLIENT:
        env.require_client(*(() if scope is None else (scope,)))
        return
    if actor is Actor.ADMIN_OR_CLIENT:
        if env.client is not None:
            env.require_client(*(() if scope is None else (scope,)))
        else:
            env.require_admin()
        return
    if actor is Actor.LOGGED_IN:
        env.require_session()  # the only kind a session that must change its password may call
    elif actor is Actor.PERSON:
        env.require_person()
    elif actor is Actor.PERSON_OR_UNIT:
        if env.require_viewer().admin is not None:
            raise Forbidden("此操作仅限个人或单位账号")
    elif actor in (Actor.UNIT, Actor.PERMITTED_UNIT):
        env.require_unit()
    elif actor is Actor.COMMITTEE_OFFICE:
        env.require_committee_office()
    else:
        env.require_admin()


def _check_standing(env: Env, actor: Actor) -> None:
    if actor is Actor.PERMITTED_UNIT and not env.require_unit().is_permitted:
        raise RuleViolation(ErrorCode.UNIT_NOT_PERMITTED, "本单位尚未获得职称申报权限，请先完成权限申请")
    if actor is Actor.PROVINCE_ADMIN and env.require_admin().region_code != PROVINCE_CODE:
        raise RuleViolation(ErrorCode.NOT_PERMITTED, "此操作只能由省级职称管理机构办理")


__all__ = ["Actor", "GlobalIdArg", "MutationSpec", "PartialIds", "UserError"]
