"""受理审查: the committee office checks each declaration its committee accepted.

Passing it (CHECKED) makes it a candidate for the committee's next review session. The
office's list (`committee_queue`) is every declaration of its committee in one state,
ACCEPTED (to check) by default, oldest acceptance first.
"""

from __future__ import annotations

from sqlalchemy import select

from models import Committee, CommitteeOffice, Declaration
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.timeline import append_event, transition
from rules.catalog import TitleLevel
from rules.declaration_states import DeclarationAction, DeclarationStatus
from rules.errors import ErrorCode, RuleViolation

A, S = DeclarationAction, DeclarationStatus


async def office_committee(env: Env) -> tuple[CommitteeOffice, Committee]:
    office = env.require_committee_office()
    return office, await env.referenced(Committee, office.committee_id)


async def lock_committee_declaration(env: Env, declaration_id: int, field: str = "id") -> Declaration:
    """The declaration, locked, when the route brought it to the caller's committee; another
    committee's (or none) answers as unknown."""
    office = env.require_committee_office()
    declaration = await env.session.scalar(
        select(Declaration).where(Declaration.id == declaration_id)
        .with_for_update().execution_options(populate_existing=True))
    if declaration is None or declaration.committee_id != office.committee_id:
        raise RuleViolation(ErrorCode.NOT_FOUND, "申报不存在或未由本评审委员会受理", field)
    return declaration


async def check_declaration(env: Env, *, declaration_id: int) -> Declaration:
    """受理审查通过: ACCEPTED → CHECKED. Two offices at once: the row lock orders them and the
    second finds CHECKED (INVALID_STATE)."""
    _, committee = await office_committee(env)
    declaration = await lock_committee_declaration(env, declaration_id)
    before = declaration.status
    declaration.status = transition(declaration, A.CHECK)
    declaration.updated_at = env.clock.now()
    append_event(env, declaration, A.CHECK, before, reason="受理审查通过")
    await env.session.flush()
    env.note_audit("Declaration", declaration.id, region_code=committee.region_code)
    return declaration


async def committee_queue(env: Env, *, status: DeclarationStatus, year: int | None, level: TitleLevel | None,
                          first: int | None, after: str | None) -> Page:
    """The committee's declarations in `status` (an office's work list), by acceptance."""
    office = env.require_committee_office()
    stmt = select(Declaration).where(Declaration.committee_id == office.committee_id,
                                     Declaration.status == status)
    if year is not None:
        stmt = stmt.where(Declaration.year == year)
    if level is not None:
        stmt = stmt.where(Declaration.level == level)
    keys = [SortKey(Declaration.accepted_at), SortKey(Declaration.id)]
    return await keyset_page(env.session, stmt, keys, first=first, after=after, cap=env.settings.max_page_size)
