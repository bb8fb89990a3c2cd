"""职称申报 (手册 1.2): create and edit a declaration, confirm it, withdraw it, read it.

Every transition goes through `resolvers.timeline` (the state table of
`rules.declaration_states`) and appends a timeline event.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from dataclasses import fields as fields_of
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, String, and_, any_, exists, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from models import (
    Declaration,
    DeclarationEvent,
    DeclarationMethod,
    DeclarationRecord,
    Material,
    Person,
    ReviewStep,
    Unit,
)
from resolvers import corrections, integrity, review_steps
from resolvers.commitment import require_commitment, year_is_open
from resolvers.corrections import today
from resolvers.db_errors import violated_constraint
from resolvers.env import Env, Viewer
from resolvers.paging import Page, SortKey, keyset_page
from resolvers.panel_access import judged_by
from resolvers.timeline import append_event, transition
from resolvers.units import Bind, require_permitted_unit
from rules import catalog
from rules import corrections as corrections_rules
from rules.declaration_states import DeclarationAction, DeclarationStatus, next_state
from rules.errors import ErrorCode, RuleViolation, collect, raise_all
from rules.records import EducationLevel, RecordCategory
from rules.regions import covered_regions
from rules.text import LONG_TEXT_MAX, NAME_MAX, REASON_MAX, check_phone, clean_text, trimmed

A, S = DeclarationAction, DeclarationStatus
# A lost race on the unique index: the other declaration's series is not known here.
_DUPLICATE = RuleViolation(ErrorCode.DECLARATION_EXISTS, "本年度已有申报，同一年度只能申报一个职称系列", "year")


def _duplicate(other: Declaration, today_: date) -> RuleViolation:
    """申报资格: one declaration per person and year across all series, naming the one there is
    (an abandoned one is final for its year and still counts)."""
    series = catalog.series_name(other.series_code) or other.series_code
    status = corrections_rules.effective_status(other.status, other.correction_deadline, today_)
    if status is S.ABANDONED:
        return RuleViolation(ErrorCode.DECLARATION_EXISTS,
                             f"{other.year}年度的{series}申报已视为放弃，本年度不能再申报", "year")
    return RuleViolation(ErrorCode.DECLARATION_EXISTS,
                         f"{other.year}年度已申报{series}，同一年度不得申报两个及以上系列", "year")


@dataclass
class DeclarationFields:
    """What the applicant fills in on the basic-information page (图1-7)."""

    year: int
    series_code: str
    level: catalog.TitleLevel
    title_code: str
    specialty_code: str
    method: DeclarationMethod
    work_unit_id: int
    exceptional_reason: str | None = None
    # 破格条件 (codes of the catalogue's list); the chosen ones are stored as a list.
    exceptional_condition_codes: list[str] = dataclass_field(default_factory=list)
    former_series_code: str | None = None
    education_level: EducationLevel | None = None
    current_title: str | None = None
    current_title_obtained_on: date | None = None
    years_in_specialty: int | None = None
    phone: str | None = None


def _normalise(f: DeclarationFields) -> DeclarationFields:
    for name in ("exceptional_reason", "former_series_code", "current_title", "phone"):
        setattr(f, name, trimmed(getattr(f, name)))
    return f


def _method_errors(f: DeclarationFields) -> list[RuleViolation]:
    """破格条件 and 破格情况 only (and always) with 破格; the former series only (and always)
    with 改系列. The chosen conditions are normalised in place (trimmed, no duplicates)."""
    codes, errors = catalog.validate_exceptional_conditions(
        f.exceptional_condition_codes, f.method is DeclarationMethod.EXCEPTIONAL
    )
    f.exceptional_condition_codes = list(codes)
    if f.method is DeclarationMethod.EXCEPTIONAL and not f.exceptional_reason:
        errors.append(RuleViolation(ErrorCode.EXCEPTIONAL_REASON_REQUIRED, field="exceptionalReason"))
    if f.method is not DeclarationMethod.EXCEPTIONAL and f.exceptional_reason:
        errors.append(RuleViolation(ErrorCode.EXCEPTIONAL_REASON_NOT_ALLOWED, field="exceptionalReason"))
    if f.method is DeclarationMethod.SERIES_CHANGE:
        if not f.former_series_code:
            errors.append(RuleViolation(ErrorCode.FORMER_SERIES_REQUIRED, field="formerSeriesCode"))
        elif catalog.find_series(f.former_series_code) is None:
            errors.append(RuleViolation(ErrorCode.UNKNOWN_SERIES, field="formerSeriesCode"))
        elif f.former_series_code == f.series_code:
            errors.append(RuleViolation(ErrorCode.INVALID_INPUT, "原职称系列须与申报系列不同", "formerSeriesCode"))
    elif f.former_series_code:
        errors.append(RuleViolation(ErrorCode.INVALID_INPUT, "只有改系列申报才填写原职称系列", "formerSeriesCode"))
    return errors


def _detail_errors(env: Env, f: DeclarationFields) -> list[RuleViolation]:
    errors: list[RuleViolation] = []
    collect(errors, clean_text, f.exceptional_reason, field="exceptionalReason", limit=LONG_TEXT_MAX,
            too_long_message=f"破格情况不超过{LONG_TEXT_MAX}字")
    collect(errors, clean_text, f.current_title, field="currentTitle", limit=NAME_MAX,  # String(100)
            too_long_message=f"现职称不超过{NAME_MAX}个字符")
    collect(errors, check_phone, f.phone, field="phone")
    if f.current_title_obtained_on and f.current_title_obtained_on > today(env):
        errors.append(RuleViolation(ErrorCode.DATE_IN_FUTURE, field="currentTitleObtainedOn"))
    if f.years_in_specialty is not None and not 0 <= f.years_in_specialty <= 60:
        errors.append(RuleViolation(ErrorCode.INVALID_INPUT, "从事本专业年限须在0至60之间", "yearsInSpecialty"))
    return errors


async def _work_unit_errors(env: Env, unit_id: int) -> list[RuleViolation]:
    """Only a unit with 职称申报权限 can be chosen as the work unit."""
    try:
        await require_permitted_unit(env, unit_id, "workUnitId")
    except RuleViolation as exc:
        return [exc]
    return []


async def _validate(env: Env, person: Person, fields: DeclarationFields, own_id: int | None,
                    kept: tuple[str, ...] = ()) -> DeclarationFields:
    """The trimmed fields, or every bad field at once; nothing is written unless all pass.
    `kept`: the catalogue codes the declaration already holds, valid even if since retired."""
    errors: list[RuleViolation] = []
    f = _normalise(fields)
    if not await year_is_open(env, f.year):
        errors.append(RuleViolation(ErrorCode.YEAR_NOT_OPEN, f"{f.year}年度未开放申报", "year"))
    errors += catalog.validate_combination(f.series_code, f.level, f.title_code, f.specialty_code, kept=kept)
    errors += _method_errors(f)
    errors += _detail_errors(env, f)
    errors += await _work_unit_errors(env, f.work_unit_id)
    other = await env.session.scalar(
        select(Declaration).where(Declaration.person_id == person.id, Declaration.year == f.year)
    )
    if other is not None and other.id != own_id:
        errors.append(_duplicate(other, today(env)))
    raise_all(errors)
    return f


async def _flush(env: Env) -> None:
    """Flush, turning a lost race on one-declaration-a-year into its domain error."""
    try:
        await env.session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_declaration_person_year":
            raise _DUPLICATE from exc
        raise


def _assign(declaration: Declaration, f: DeclarationFields) -> None:
    for field in fields(DeclarationFields):
        setattr(declaration, field.name, getattr(f, field.name))


async def create_declaration(env: Env, *, fields: DeclarationFields) -> Declaration:
    """新增申报信息 → 保存: a DRAFT the applicant then completes on the detail page."""
    person = env.require_person()
    await require_commitment(env, person)
    await integrity.require_not_listed(env, person)
    f = await _validate(env, person, fields, None)
    now = env.clock.now()
    declaration = Declaration(person_id=person.id, status=next_state(None, A.CREATE), created_at=now, updated_at=now)
    _assign(declaration, f)
    env.session.add(declaration)
    await _flush(env)
    append_event(env, declaration, A.CREATE, None)
    await env.session.flush()
    return declaration


async def own_declaration(env: Env, declaration_id: int, *, field: str = "id") -> Declaration:
    """The applicant's own declaration, locked for this step; another's is NOT_FOUND."""
    person = env.require_person()
    await require_commitment(env, person)
    declaration = await env.session.scalar(
        select(Declaration)
        .where(Declaration.id == declaration_id, Declaration.person_id == person.id)
        .with_for_update()
    )
    if declaration is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "申报不存在或无权访问", field)
    await corrections.settle_deadline(env, declaration)  # 视为放弃 once its notice expired
    return declaration


async def editable_declaration(env: Env, declaration_id: int, *, field: str = "id") -> Declaration:
    """Own and still editable (DRAFT or RETURNED): after 确认申报 nothing changes."""
    declaration = await own_declaration(env, declaration_id, field=field)
    transition(declaration, A.EDIT)
    declaration.updated_at = env.clock.now()
    return declaration


async def update_declaration(env: Env, *, declaration_id: int, fields: DeclarationFields) -> Declaration:
    declaration = await editable_declaration(env, declaration_id)
    person = env.require_person()
    new = _normalise(fields)
    await corrections.check_field_edits(env, declaration, {f.name: getattr(new, f.name) for f in fields_of(new)})
    # Retiring a catalogue entry stops new choices; a declaration keeps what it holds.
    f = await _validate(env, person, new, declaration.id,
                        kept=(declaration.series_code, declaration.title_code, declaration.specialty_code))
    _assign(declaration, f)
    await _flush(env)
    return declaration


async def _completeness_gaps(env: Env, d: Declaration, *, resubmission: bool = False) -> list[RuleViolation]:
    """确认申报 checks: everything a reviewer needs, all gaps reported at once. A resubmission
    under a correction notice answers a review already under way, so a year closed since
    then does not refuse it."""
    gaps: list[RuleViolation] = []
    required = {"education_level": ("educationLevel", "最高学历"), "phone": ("phone", "联系电话"),
                "years_in_specialty": ("yearsInSpecialty", "从事本专业年限")}
    series = catalog.find_series(d.series_code)
    if series is None:  # validated when saved; catalogue rows are never deleted
        raise RuleViolation(ErrorCode.UNKNOWN_SERIES, field="seriesCode")
    # A draft saved before the cascade reached the title (or before 破格条件 existed) is held
    # to today's rules here, so nothing the rules refuse reaches a reviewer.
    gaps += catalog.validate_combination(d.series_code, d.level, d.title_code, d.specialty_code,
                                         kept=(d.series_code, d.title_code, d.specialty_code))
    gaps += catalog.validate_exceptional_conditions(
        d.exceptional_condition_codes, d.method is DeclarationMethod.EXCEPTIONAL
    )[1]
    first_title = d.level is catalog.lowest_level(series)
    if not first_title:  # 初定 (the series' lowest level) has no current title yet
        required["current_title"] = ("currentTitle", "现职称")
        required["current_title_obtained_on"] = ("currentTitleObtainedOn", "现职称取得时间")
    for attr, (field, label) in required.items():
        if getattr(d, attr) is None:
            gaps.append(RuleViolation(ErrorCode.FIELD_REQUIRED, f"请填写{label}", field))
    counts = dict(
        (await env.session.execute(
            select(DeclarationRecord.category, func.count())
            .where(DeclarationRecord.declaration_id == d.id)
            .group_by(DeclarationRecord.category)
        )).all()
    )
    if not first_title and not counts.get(RecordCategory.QUALIFICATION):
        gaps.append(RuleViolation(ErrorCode.QUALIFICATION_REQUIRED, field="records"))
    materials = await env.session.scalar(select(func.count()).where(Material.declaration_id == d.id))
    if not materials:
        gaps.append(RuleViolation(ErrorCode.MATERIAL_REQUIRED, field="materials"))
    if not resubmission and not await year_is_open(env, d.year):
        gaps.append(RuleViolation(ErrorCode.YEAR_NOT_OPEN, f"{d.year}年度已停止申报", "year"))
    unit = await env.referenced(Unit, d.work_unit_id)
    if not unit.is_permitted:
        gaps.append(RuleViolation(ErrorCode.UNIT_NOT_PERMITTED, field="workUnitId"))
    return gaps


async def confirm_declaration(env: Env, *, declaration_id: int) -> Declaration:
    """确认申报: lock everything and send it to the work unit for review; under a correction
    notice (补正后重新确认), back to the unit, or the committee, that sent it."""
    declaration = await own_declaration(env, declaration_id)
    before = declaration.status
    notice = await corrections.open_notice(env, declaration)
    action = corrections.resubmit_action(notice)
    after = transition(declaration, action)
    person = env.require_person()
    await integrity.require_not_listed(env, person)
    raise_all(await _completeness_gaps(env, declaration, resubmission=notice is not None))
    now = env.clock.now()
    declaration.status = after
    declaration.confirmed_at = now
    declaration.updated_at = now
    declaration.return_reason = None
    if notice is not None and notice.committee_id is not None:
        corrections.resubmit_to_committee(env, declaration, notice)
        append_event(env, declaration, action, before, unit_id=notice.unit_id,
                     reason="补正后重新确认申报（回到评审委员会受理审查）")
    elif notice is not None:
        step = await corrections.resubmit(env, declaration, notice)
        declaration.current_unit_id = step.unit_id
        append_event(env, declaration, A.RESUBMIT, before, unit_id=step.unit_id, reason="补正后重新确认申报")
    else:
        # Data review starts (again, after a return) at the work unit.
        declaration.current_unit_id = declaration.work_unit_id
        work_unit = await env.referenced(Unit, declaration.work_unit_id)
        await review_steps.open_first_step(env, declaration, person, work_unit)
        append_event(env, declaration, A.CONFIRM, before, unit_id=declaration.work_unit_id)
    await env.session.flush()
    return declaration


async def _last_action(env: Env, declaration_id: int) -> DeclarationAction | None:
    return await env.session.scalar(
        select(DeclarationEvent.action)
        .where(DeclarationEvent.declaration_id == declaration_id)
        .order_by(DeclarationEvent.id.desc())
        .limit(1)
    )


async def withdraw_declaration(env: Env, *, declaration_id: int, reason: str | None = None) -> Declaration:
    """撤回: back to DRAFT, only while no unit has acted on it since 确认申报."""
    declaration = await own_declaration(env, declaration_id)
    before = declaration.status
    after = transition(declaration, A.WITHDRAW)
    if await _last_action(env, declaration.id) is not A.CONFIRM:
        raise RuleViolation(ErrorCode.CANNOT_WITHDRAW)
    reason = clean_text(reason, field="reason", limit=REASON_MAX, too_long_message=f"撤回原因不超过{REASON_MAX}字")
    unit_id = declaration.current_unit_id
    declaration.status = after
    declaration.current_unit_id = None
    declaration.updated_at = env.clock.now()
    await review_steps.close_open_step_on_withdraw(env, declaration.id)
    append_event(env, declaration, A.WITHDRAW, before, unit_id=unit_id, reason=reason)
    await env.session.flush()
    return declaration


# --- reading ---------------------------------------------------------------------------


def _literal(name: str, value: Any, type_: Any) -> Any:
    return literal(value, type_)


def declaration_visible_to(viewer: Viewer, bind: Bind = _literal) -> ColumnElement[bool]:
    """Who reads a declaration, as one SQL condition on `Declaration`: the applicant; experts
    of a panel judging it (not recused, resolvers.panel_access); units it has reached, past
    and present (a review step at the unit), unless the applicant has it as a draft again
    (withdrawn); admins of the work unit's region (rules.regions.region_covers) once
    submitted; the office of the committee that accepted it. No one else.

    The one definition of the standard path (visible_declarations, can_see_declaration)
    and of compiled trusted documents (schema/compiler.py), whose `bind` makes each value a
    bound parameter of a plan compiled once: the SQL depends only on `visibility_shape`."""
    submitted = Declaration.status != S.DRAFT
    if viewer.person is not None:
        person_id = bind("visible_person", viewer.person.id, BigInteger)
        return or_(Declaration.person_id == person_id, judged_by(person_id))
    if viewer.unit is not None:
        return and_(submitted, exists().where(ReviewStep.declaration_id == Declaration.id,
                                              ReviewStep.unit_id == bind("visible_unit", viewer.unit.id, BigInteger)))
    if viewer.admin is not None:
        regions = bind("visible_regions", covered_regions(viewer.admin.region_code), ARRAY(String))
        return and_(submitted, exists().where(Unit.id == Declaration.work_unit_id, Unit.region_code == any_(regions)))
    if viewer.committee_office is not None:  # what the route brought to its committee
        return Declaration.committee_id == bind("visible_committee", viewer.committee_office.committee_id, BigInteger)
    return false()


def visibility_shape(viewer: Viewer) -> str:
    """Which branch of `declaration_visible_to` a viewer takes (part of a compiled plan's key)."""
    for kind in ("person", "unit", "admin", "committee_office"):
        if getattr(viewer, kind) is not None:
            return kind
    return "nobody"


async def can_see_declaration(env: Env, declaration_id: int) -> bool:
    return declaration_id in await visible_declarations(env, [declaration_id])


async def visible_declarations(env: Env, ids: list[int]) -> dict[int, Declaration]:
    """The declarations of `ids` the caller may read (`declaration_visible_to`), in one query."""
    if env.viewer is None or not ids:
        return {}
    rows = await env.session.scalars(
        select(Declaration).where(Declaration.id.in_(ids), declaration_visible_to(env.viewer)))
    return {d.id: d for d in rows}


async def my_declarations(env: Env, *, first: int | None, after: str | None) -> Page:
    """The applicant's declarations, newest year first."""
    person = env.require_person()
    where, keys = my_declaration_rows(person.id)
    return await keyset_page(env.session, select(Declaration).where(*where), keys, first=first, after=after,
                             cap=env.settings.max_page_size)


def my_declaration_rows(person_id: Any) -> tuple[list[ColumnElement[bool]], list[SortKey]]:
    """Which declarations myDeclarations lists and in which order: the one definition of the
    standard path and compiled trusted documents (person_id may be a bound parameter)."""
    return ([Declaration.person_id == person_id],
            [SortKey(Declaration.year, descending=True), SortKey(Declaration.id, descending=True)])
