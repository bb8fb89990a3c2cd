"""承诺书 and 申报年度: the letter an applicant agrees to before declaring, and the years
the title office has opened for declarations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from models import CommitmentAcceptance, CommitmentLetter, DeclarationYear, Person
from resolvers.env import Env
from rules.errors import ErrorCode, RuleViolation

YEAR_MIN, YEAR_MAX = 2000, 2100


@dataclass
class CommitmentView:
    letter: CommitmentLetter
    accepted_at: datetime | None


async def current_letter(env: Env) -> CommitmentLetter:
    letter = await env.session.scalar(select(CommitmentLetter).order_by(CommitmentLetter.version.desc()).limit(1))
    if letter is None:  # migration 0003 inserts the first version; none means a broken database
        raise RuntimeError("no commitment_letter row")
    return letter


async def _accepted_at(env: Env, person: Person, version: int) -> datetime | None:
    return await env.session.scalar(
        select(CommitmentAcceptance.accepted_at).where(
            CommitmentAcceptance.person_id == person.id, CommitmentAcceptance.version == version
        )
    )


async def commitment(env: Env) -> CommitmentView:
    """The current letter and whether the applicant has agreed to this version."""
    person = env.require_person()
    letter = await current_letter(env)
    return CommitmentView(letter=letter, accepted_at=await _accepted_at(env, person, letter.version))


async def accept_commitment(env: Env, *, version: int) -> CommitmentView:
    """我同意: recorded once per version (agreeing again keeps the first time)."""
    person = env.require_person()
    letter = await current_letter(env)
    if version != letter.version:
        raise RuleViolation(ErrorCode.COMMITMENT_VERSION_OUTDATED, field="version")
    await env.session.execute(
        insert(CommitmentAcceptance)
        .values(person_id=person.id, version=version, accepted_at=env.clock.now())
        .on_conflict_do_nothing(constraint="uq_commitment_acceptance_person_version")
    )
    return CommitmentView(letter=letter, accepted_at=await _accepted_at(env, person, version))


async def require_commitment(env: Env, person: Person) -> None:
    """Every declaration step is refused until the current letter is agreed to."""
    letter = await current_letter(env)
    if await _accepted_at(env, person, letter.version) is None:
        raise RuleViolation(ErrorCode.COMMITMENT_REQUIRED)


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise RuleViolation(ErrorCode.INVALID_INPUT, f"申报年度须在{YEAR_MIN}至{YEAR_MAX}之间", "year")


async def set_year_open(env: Env, *, year: int, is_open: bool) -> DeclarationYear:
    """开放/关闭申报年度 (the mutation admits only the provincial title office)."""
    admin = env.require_admin()
    _check_year(year)
    now = env.clock.now()
    # Two admins opening a new year at once both found no row and both inserted: the loser's
    # primary-key violation was a masked error. Insert-if-absent waits for the other
    # transaction and then does nothing; the locked read below sees its row either way.
    await env.session.execute(
        insert(DeclarationYear)
        .values(year=year, is_open=is_open, changed_at=now, changed_by_account_id=admin.account_id)
        .on_conflict_do_nothing(index_elements=[DeclarationYear.year])
    )
    row = await env.session.get(DeclarationYear, year, with_for_update=True, populate_existing=True)
    assert row is not None
    row.is_open = is_open
    row.changed_at = now
    row.changed_by_account_id = admin.account_id
    await env.session.flush()
    return row


async def declaration_years(env: Env) -> list[DeclarationYear]:
    env.require_viewer()
    return list(await env.session.scalars(select(DeclarationYear).order_by(DeclarationYear.year.desc())))


async def year_is_open(env: Env, year: int) -> bool:
    return bool(await env.session.scalar(select(DeclarationYear.is_open).where(DeclarationYear.year == year)))
