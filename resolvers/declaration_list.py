"""The declarations of a region for the title office (职称管理机构) and the HR systems (API
clients): filtered by region, committee, year, state and `updatedSince`, paged by keyset on
(updated_at, id) — the order a sync follows, served by ix_declaration_updated_at_id.

Who sees what: an admin its region (the province: all), a client with declarations:read its
own region. A declaration belongs to the region of its work unit. ID numbers come masked;
`unmask_id_numbers` is for an admin or a client with identity:read, and every page read so is
in the audit log with the fields and the declarations it showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false, or_, select

from core.clock import china_today
from core.errors import Forbidden
from models import Certificate, Committee, Declaration, Person, SessionCandidate, Unit
from resolvers import audit
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules.declaration_states import DeclarationStatus as S
from rules.regions import PROVINCE_CODE, find_region, region_covers
from rules.scopes import Scope

KEYS = [SortKey(Declaration.updated_at), SortKey(Declaration.id)]
#: What an unmasked read is logged as showing.
UNMASKED_FIELDS = "idNumber"


@dataclass
class DeclarationFilter:
    region_code: str | None = None
    committee_id: int | None = None
    year: int | None = None
    statuses: list[S] | None = None
    updated_since: datetime | None = None


async def list_declarations(env: Env, *, filter: DeclarationFilter, unmask_id_numbers: bool,
                            first: int | None, after: str | None) -> Page:
    """One page; rows are (Declaration, person name, ID number, unit name, unit USCC, unit
    region, committee name, ballot tally, certificate). One statement (the count rides on it;
    a declaration has at most one session candidate and one certificate, so the outer joins
    add no rows), plus the audit row of an unmasked read."""
    scope = _caller_region(env, unmask_id_numbers)
    region = _region(scope, filter.region_code)
    stmt = (
        select(Declaration, Person.name, Person.id_number, Unit.name, Unit.uscc, Unit.region_code, Committee.name,
               SessionCandidate.present, SessionCandidate.agree, SessionCandidate.disagree, SessionCandidate.abstain,
               SessionCandidate.passed, Certificate.number, Certificate.issued_on, Certificate.revoked_at)
        .join(Person, Person.id == Declaration.person_id)
        .join(Unit, Unit.id == Declaration.work_unit_id)
        .outerjoin(Committee, Committee.id == Declaration.committee_id)
        .outerjoin(SessionCandidate, SessionCandidate.declaration_id == Declaration.id)
        .outerjoin(Certificate, Certificate.declaration_id == Declaration.id)
    )
    count = select(Declaration.id).join(Unit, Unit.id == Declaration.work_unit_id)
    conditions = _conditions(filter, region, china_today(env.clock))
    page = await keyset_page(env.session, stmt.where(*conditions), KEYS, first=first, after=after,
                             cap=env.settings.max_page_size, count=count.where(*conditions),
                             key_of=lambda row: (row[0].updated_at, row[0].id))
    if unmask_id_numbers and page.rows:
        ids = ",".join(str(row[0].id) for row in page.rows)
        await audit.record(env, "identity.read", object_type="Declaration", success=True,
                           reason=f"{UNMASKED_FIELDS}: {ids}", region_code=region)
        await env.session.commit()
    return page


def _caller_region(env: Env, unmask: bool) -> str:
    """The region the caller may read: an admin's, or a client's with declarations:read (and
    identity:read to unmask). Anyone else is refused at the top level."""
    if env.client is not None:
        scopes = (Scope.DECLARATIONS_READ, Scope.IDENTITY_READ) if unmask else (Scope.DECLARATIONS_READ,)
        return env.require_client(*scopes).region_code
    admin = env.require_viewer().admin
    if admin is None:
        raise Forbidden("此查询仅限职称管理机构和接口客户端")
    return admin.region_code


def _region(scope: str, wanted: str | None) -> str:
    if wanted is None:
        return scope
    if find_region(wanted) is None or not region_covers(scope, wanted):
        raise Forbidden(f"无权查询地区 {wanted[:6]} 的申报（只能查询本地区的）")
    return wanted


def _conditions(f: DeclarationFilter, region: str, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if region != PROVINCE_CODE:
        conditions.append(Unit.region_code == region)
    if f.committee_id is not None:
        conditions.append(Declaration.committee_id == f.committee_id)
    if f.year is not None:
        conditions.append(Declaration.year == f.year)
    if f.updated_since is not None:
        conditions.append(Declaration.updated_at >= f.updated_since)
    if f.statuses is not None:
        conditions.append(status_condition(set(f.statuses), today))
    return conditions


def status_condition(wanted: set[S], today: date) -> ColumnElement[bool]:
    """Declarations whose status as of `today` is one of `wanted`: a RETURNED one whose
    correction deadline passed is ABANDONED without a write (rules.corrections.effective_status)."""
    lapsed = and_(Declaration.status == S.RETURNED, Declaration.correction_deadline < today)
    plain = [s for s in wanted if s not in (S.RETURNED, S.ABANDONED)]
    parts: list[ColumnElement[bool]] = [Declaration.status.in_(plain)] if plain else []
    if S.RETURNED in wanted:
        parts.append(and_(Declaration.status == S.RETURNED,
                          or_(Declaration.correction_deadline.is_(None), Declaration.correction_deadline >= today)))
    if S.ABANDONED in wanted:
        parts.append(or_(Declaration.status == S.ABANDONED, lapsed))
    return or_(*parts) if parts else false()
