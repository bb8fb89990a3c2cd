"""评委会办事机构: the accounts that run a committee's stage, created by the title office of
the committee's region (or the province)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import Account, Committee, CommitteeOffice
from resolvers import accounts
from resolvers.admin import new_password
from resolvers.env import Env
from rules.errors import ErrorCode, RuleViolation
from rules.regions import region_covers


@dataclass
class CreatedOffice:
    office: CommitteeOffice
    account: Account
    committee: Committee
    initial_password: str | None  # only when generated: shown once, never stored


async def admin_committee(env: Env, committee_id: int, field: str = "committeeId") -> Committee:
    """A committee of the calling admin's region; another region's answers as unknown."""
    admin = env.require_admin()
    committee = await env.session.get(Committee, committee_id)
    if committee is None or not region_covers(admin.region_code, committee.region_code):
        raise RuleViolation(ErrorCode.NOT_FOUND, field=field)
    return committee


async def create_committee_office(env: Env, *, committee_id: int, login_name: str, name: str,
                                  password: str | None) -> CreatedOffice:
    """新建评委会办事机构账号. Without a password one is generated and answered once; either
    way the office changes it at its first login, as its creator knows it."""
    committee = await admin_committee(env, committee_id)
    generated = new_password(login_name) if password is None else None
    office = await accounts.create_committee_office(
        env, login_name=login_name, password=password or generated or "", committee_id=committee.id, name=name)
    account = await env.referenced(Account, office.account_id)
    env.note_audit("CommitteeOffice", office.id, region_code=committee.region_code)
    return CreatedOffice(office, account, committee, generated)


async def visible_offices(env: Env, ids: list[int]) -> dict[int, tuple[CommitteeOffice, Account, Committee]]:
    """An office sees itself; admins see the offices of their region's committees."""
    viewer = env.viewer
    if viewer is None or not ids:
        return {}
    rows = (await env.session.execute(
        select(CommitteeOffice, Account, Committee)
        .join(Account, Account.id == CommitteeOffice.account_id)
        .join(Committee, Committee.id == CommitteeOffice.committee_id)
        .where(CommitteeOffice.id.in_(ids))
    )).all()
    own = viewer.committee_office.id if viewer.committee_office else None
    admin = viewer.admin
    return {o.id: (o, a, c) for o, a, c in rows
            if o.id == own or (admin is not None and region_covers(admin.region_code, c.region_code))}
