"""权限申请 (2.2): a unit saves and submits its details; the admin of its region decides.

State (mirrored on `unit.permission_status` at every transition):
    NOT_APPLIED ─save─▶ DRAFT ─submit─▶ SUBMITTED ─approve─▶ APPROVED
                          ▲                  └─reject(reason)─▶ REJECTED ─save/submit─┘
Every submission is a `PermissionRound` with its frozen details, the automatic code check
and the decision, so the whole history stays readable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Protocol

from sqlalchemy import delete, exists, select, text
from sqlalchemy.dialects.postgresql import insert

from models import (
    CodeCheck,
    PermissionApplication,
    PermissionDecision,
    PermissionRound,
    PermissionStatus,
    RegistryEntry,
    RegistryLoad,
    Unit,
    UnitType,
)
from resolvers import audit, feed
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules.errors import ErrorCode, RuleViolation, collect, raise_all
from rules.events import EventType
from rules.identity import USCC_CHARSET, normalize_uscc, validate_uscc
from rules.regions import PROVINCE_CODE, is_city, region_covers
from rules.registry import RegistryFile, parse_registry
from rules.text import (
    ADDRESS_MAX,
    NAME_MAX,
    PERSON_NAME_MAX,
    check_phone,
    clean_reason,
    clean_text,
    search_term,
    trimmed,
)

#: 人工审核理由 (stored as Text): a paragraph explaining why the unit has no valid code.
MANUAL_REVIEW_REASON_MAX = 1000
_EDITABLE = {PermissionStatus.NOT_APPLIED, PermissionStatus.DRAFT, PermissionStatus.REJECTED}
_SUBMITTABLE = {PermissionStatus.DRAFT, PermissionStatus.REJECTED}
#: Registry rows per INSERT round trip (executemany).
_REGISTRY_BATCH = 5000


@dataclass
class ApplicationDetails:
    """What the unit fills in on the 权限申请 page (带*项必填)."""

    name: str
    uscc: str | None
    region_code: str
    unit_type: UnitType
    supervisor_name: str | None
    address: str
    contact_name: str
    contact_phone: str
    manual_review_requested: bool = False
    manual_review_reason: str | None = None


def _clean(d: ApplicationDetails) -> ApplicationDetails:
    """Normalise and validate every field at once; a code is only format-checked here
    (the check digit and the registry are checked on submission)."""
    errors: list[RuleViolation] = []
    uscc = normalize_uscc(d.uscc) if d.uscc and d.uscc.strip() else None
    if uscc and (len(uscc) != 18 or any(c not in USCC_CHARSET for c in uscc)):
        errors.append(RuleViolation(ErrorCode.USCC_FORMAT, field="uscc"))
    if not is_city(d.region_code):
        errors.append(RuleViolation(ErrorCode.REGION_UNKNOWN, field="regionCode"))
    cleaned = ApplicationDetails(
        name=collect(errors, clean_text, d.name, field="name", limit=NAME_MAX, required=True),
        uscc=uscc,
        region_code=d.region_code,
        unit_type=d.unit_type,
        supervisor_name=collect(errors, clean_text, d.supervisor_name, field="supervisorName", limit=NAME_MAX),
        address=collect(errors, clean_text, d.address, field="address", limit=ADDRESS_MAX, required=True),
        contact_name=collect(errors, clean_text, d.contact_name, field="contactName", limit=PERSON_NAME_MAX,
                             required=True),
        contact_phone=collect(errors, check_phone, d.contact_phone, field="contactPhone", required=True),
        manual_review_requested=d.manual_review_requested,
        manual_review_reason=collect(errors, clean_text, d.manual_review_reason, field="manualReviewReason",
                                     limit=MANUAL_REVIEW_REASON_MAX, required=d.manual_review_requested),
    )
    if not d.manual_review_requested:
        cleaned.manual_review_reason = None
    raise_all(errors)
    return cleaned


async def _locked_own(env: Env) -> tuple[Unit, PermissionApplication | None]:
    unit = await env.referenced(Unit, env.require_unit().id, lock=True, populate_existing=True)
    app = await env.session.scalar(
        select(PermissionApplication).where(PermissionApplication.unit_id == unit.id).with_for_update()
    )
    return unit, app


async def _uscc_taken(env: Env, uscc: str | None, unit_id: int) -> bool:
    if uscc is None:
        return False
    return bool(await env.session.scalar(select(exists().where(Unit.uscc == uscc, Unit.id != unit_id))))


def _set_status(unit: Unit, app: PermissionApplication, status: PermissionStatus) -> None:
    app.status = status
    unit.permission_status = status


async def my_application(env: Env) -> PermissionApplication | None:
    unit = env.require_unit()
    return await env.session.scalar(select(PermissionApplication).where(PermissionApplication.unit_id == unit.id))


def _preset_manual_review(unit: Unit, d: ApplicationDetails) -> ApplicationDetails:
    """A unit registered without a code (its `no_code_reason`) applies for 人工审核 whenever
    it saves without a code: the request is pre-set, and its registration reason stands in
    for a reason it leaves blank. Once it enters a code it is checked like any other unit."""
    if unit.no_code_reason is None or (d.uscc and d.uscc.strip()):
        return d
    return replace(d, manual_review_requested=True,
                   manual_review_reason=d.manual_review_reason if trimmed(d.manual_review_reason)
                   else unit.no_code_reason)


async def save_application(env: Env, *, details: ApplicationDetails) -> PermissionApplication:
    """保存申请: as often as the unit likes while it is not submitted (or after a rejection)."""
    unit, app = await _locked_own(env)
    details = _clean(_preset_manual_review(unit, details))
    if app is not None and app.status not in _EDITABLE:
        raise RuleViolation(ErrorCode.INVALID_STATE, "申请已提交或已通过，只能查看，不能修改")
    if await _uscc_taken(env, details.uscc, unit.id):
        raise RuleViolation(ErrorCode.USCC_TAKEN, field="uscc")
    if app is None:
        app = PermissionApplication(unit_id=unit.id, round=0, **asdict(details), status=PermissionStatus.DRAFT,
                                    updated_at=env.clock.now())
        env.session.add(app)
    else:
        for key, value in asdict(details).items():
            setattr(app, key, value)
        app.updated_at = env.clock.now()
    _set_status(unit, app, PermissionStatus.DRAFT)
    await env.session.flush()
    env.note_audit("PermissionApplication", app.id)
    return app


async def check_code(env: Env, name: str, uscc: str | None) -> tuple[CodeCheck, str | None]:
    """The automatic check: GB 32100 check digit always; name + code against the registry
    when one is loaded. Returns the outcome and the registry's name for the code."""
    if uscc is None:
        return CodeCheck.NO_CODE, None
    try:
        validate_uscc(uscc)
    except RuleViolation:
        return CodeCheck.CHECK_DIGIT, None
    if not await env.session.scalar(select(exists().select_from(RegistryEntry))):
        return CodeCheck.PASSED, None
    registered = await env.session.scalar(select(RegistryEntry.name).where(RegistryEntry.uscc == uscc))
    if registered is None:
        return CodeCheck.NOT_IN_REGISTRY, None
    if registered.strip() != name:
        return CodeCheck.NAME_MISMATCH, registered
    return CodeCheck.PASSED, registered


_CHECK_REFUSALS = {
    CodeCheck.NO_CODE: RuleViolation(ErrorCode.USCC_REQUIRED, field="uscc"),
    CodeCheck.CHECK_DIGIT: RuleViolation(
        ErrorCode.USCC_CHECK_DIGIT, "统一社会信用代码校验位错误，请核对；确无有效代码的请申请人工审核", "uscc"
    ),
}


async def submit_application(env: Env) -> PermissionApplication:
    """提交申请: locks the details; the code check runs now and travels with the round.

    A missing code or a wrong check digit is refused unless the unit asks for manual review;
    a registry mismatch is submitted but flagged for the reviewing admin."""
    unit, app = await _locked_own(env)
    if app is None:
        raise RuleViolation(ErrorCode.INVALID_STATE, "请先填写并保存申请")
    if app.status not in _SUBMITTABLE:
        raise RuleViolation(ErrorCode.INVALID_STATE, "申请已提交或已通过")
    outcome, registry_name = await check_code(env, app.name, app.uscc)
    if outcome in _CHECK_REFUSALS and not app.manual_review_requested:
        raise _CHECK_REFUSALS[outcome]
    now = env.clock.now()
    app.round += 1
    app.submitted_at = now
    details = {k: getattr(app, k) for k in asdict(_blank())}
    details["unit_type"] = app.unit_type.value
    env.session.add(PermissionRound(
        application_id=app.id, round=app.round, details=details, code_check=outcome,
        registry_name=registry_name, submitted_at=now,
    ))
    _set_status(unit, app, PermissionStatus.SUBMITTED)
    await env.session.flush()
    env.note_audit("PermissionApplication", app.id,
                   reason=None if outcome is CodeCheck.PASSED else f"code check: {outcome.value}")
    return app


def _blank() -> ApplicationDetails:
    return ApplicationDetails("", None, "", UnitType.OTHER, None, "", "", "")


async def current_round(env: Env, app: PermissionApplication) -> PermissionRound:
    """The round of a submitted application (round > 0): submit_application writes it."""
    rnd = await env.session.scalar(
        select(PermissionRound).where(PermissionRound.application_id == app.id, PermissionRound.round == app.round)
    )
    if rnd is None:
        raise LookupError(f"permission application {app.id} has no round {app.round}")
    return rnd


async def _locked_for_admin(env: Env, application_id: int) -> PermissionApplication:
    admin = env.require_admin()
    app = await env.session.get(PermissionApplication, application_id, with_for_update=True)
    # Another region's application does not exist for this admin.
    if app is None or app.round == 0 or not region_covers(admin.region_code, app.region_code):
        raise RuleViolation(ErrorCode.NOT_FOUND, field="id")
    return app


async def review_application(env: Env, *, application_id: int, approve: bool, reason: str | None
                             ) -> PermissionApplication:
    """审核: approve, or reject with a mandatory reason the unit will read.

    An application whose code check failed can only be approved as 人工审核, when the
    unit asked for it, and only by the admin of the unit's own city."""
    admin = env.require_admin()
    app = await _locked_for_admin(env, application_id)
    if app.status is not PermissionStatus.SUBMITTED:
        raise RuleViolation(ErrorCode.INVALID_STATE, "该申请不在待审核状态（可能已被他人处理）")
    reason = clean_reason(reason, required=not approve, required_message="审核不通过须填写原因")
    rnd = await current_round(env, app)
    unit = await env.referenced(Unit, app.unit_id, lock=True, populate_existing=True)
    if not approve:
        decision, status = PermissionDecision.REJECTED, PermissionStatus.REJECTED
    else:
        decision = await _approval_kind(env, admin.region_code, app, rnd)
        status = PermissionStatus.APPROVED
        unit.name, unit.uscc, unit.region_code = app.name, app.uscc, app.region_code
        # A unit approved without a code keeps the reason it was approved on; one approved
        # with a code no longer lacks one.
        unit.no_code_reason = None if app.uscc else app.manual_review_reason or unit.no_code_reason
    rnd.decision, rnd.reason, rnd.decided_by, rnd.decided_at = decision, reason, admin.id, env.clock.now()
    _set_status(unit, app, status)
    feed.publish(env, EventType.PERMISSION_REJECTED if not approve else EventType.PERMISSION_APPROVED,
                 "PermissionApplication", app.id, region_code=app.region_code, payload={"decision": decision.value})
    await env.session.flush()
    env.note_audit("PermissionApplication", app.id, reason=audit.decision_note(decision.value, reason),
                   region_code=app.region_code)
    return app


async def _approval_kind(env: Env, admin_region: str, app: PermissionApplication,
                         rnd: PermissionRound) -> PermissionDecision:
    if await _uscc_taken(env, app.uscc, app.unit_id):
        raise RuleViolation(ErrorCode.USCC_TAKEN, field="id")
    if rnd.code_check is CodeCheck.PASSED:
        return PermissionDecision.APPROVED
    if not app.manual_review_requested:
        raise RuleViolation(ErrorCode.MANUAL_REVIEW_REQUIRED,
                          f"代码校验未通过（{rnd.code_check.value}），单位未申请人工审核，只能审核不通过", "approve")
    if admin_region != app.region_code:
        raise RuleViolation(ErrorCode.NOT_YOUR_REGION, "人工审核只能由单位所在地市的职称管理机构办理", "approve")
    return PermissionDecision.APPROVED_MANUALLY


async def list_applications(env: Env, *, status: PermissionStatus | None, region_code: str | None,
                            search: str | None, first: int | None, after: str | None) -> Page:
    """The admin's list: applications of its region submitted at least once, oldest first."""
    admin = env.require_admin()
    stmt = select(PermissionApplication).where(PermissionApplication.round > 0)
    if admin.region_code != PROVINCE_CODE:
        stmt = stmt.where(PermissionApplication.region_code == admin.region_code)
    if region_code:
        stmt = stmt.where(PermissionApplication.region_code == region_code)
    if status is not None:
        stmt = stmt.where(PermissionApplication.status == status)
    if term := search_term(search):
        stmt = stmt.where(PermissionApplication.name.contains(term, autoescape=True))
    keys = [SortKey(PermissionApplication.submitted_at), SortKey(PermissionApplication.id)]
    return await keyset_page(env.session, stmt, keys, first=first, after=after, cap=env.settings.max_page_size)


async def rounds_of(env: Env, application_ids: list[int]) -> dict[int, list[PermissionRound]]:
    """History of several applications in one statement (newest round first)."""
    result: dict[int, list[PermissionRound]] = {i: [] for i in application_ids}
    if application_ids:
        rows = await env.session.scalars(
            select(PermissionRound).where(PermissionRound.application_id.in_(application_ids))
            .order_by(PermissionRound.application_id, PermissionRound.round.desc())
        )
        for r in rows:
            result[r.application_id].append(r)
    return result


async def visible_application(env: Env, application_id: int) -> PermissionApplication | None:
    """The unit's own application, or one in the admin's region."""
    viewer = env.require_viewer()
    app = await env.session.get(PermissionApplication, application_id)
    if app is None:
        return None
    if viewer.unit is not None and app.unit_id == viewer.unit.id:
        return app
    if viewer.admin is not None and app.round > 0 and region_covers(viewer.admin.region_code, app.region_code):
        return app
    return None


class RegistryRejected(RuleViolation):
    """A registry file with bad rows, refused whole: nothing is replaced. The rows travel
    with it to the payload (`rejectedRows`)."""

    def __init__(self, report: RegistryFile) -> None:
        super().__init__(ErrorCode.REGISTRY_ROWS_REJECTED,
                         f"文件中有{report.rejected_count}行不合格（见 rejectedRows），登记库未作任何更改", "file")
        self.report = report


class UploadedFile(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


async def read_registry_upload(upload: UploadedFile, limit: int) -> bytes:
    """The uploaded file, refused as soon as it passes `limit` bytes."""
    chunks, size = [], 0
    while chunk := await upload.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise RuleViolation(ErrorCode.REGISTRY_TOO_LARGE, f"登记库文件不能超过{limit // (1024 * 1024)} MB", "file")
        chunks.append(chunk)
    return b"".join(chunks)


async def import_registry(env: Env, *, data: bytes, file_name: str | None,
                          progress: Callable[[int, int], None] | None = None) -> RegistryLoad:
    """Replace the 统一社会信用代码 registry with a CSV file's entries (`rules.registry`), all
    or nothing: one bad row refuses the whole file, listing every bad row (a registry half
    replaced would flag sound units NOT_IN_REGISTRY). The API's `importRegistry` and the
    command line's `load-registry` both come here."""
    # ~9 µs a row (300,000 rows in 2.6 s): off the event loop, so other requests go on.
    report = await asyncio.to_thread(parse_registry, data, max_rows=env.settings.registry_max_rows)
    if report.rejected_count:
        raise RegistryRejected(report)
    return await replace_registry(env, entries=report.entries, file_name=file_name, progress=progress)


async def replace_registry(env: Env, *, entries: dict[str, str], file_name: str | None = None,
                           progress: Callable[[int, int], None] | None = None) -> RegistryLoad:
    """Swap the registry's rows in this transaction: permission checks running meanwhile
    read the old registry until it commits. EXCLUSIVE mode lets those reads on and makes a
    second import wait (two imports at once would collide on the primary key)."""
    await env.session.execute(text("LOCK TABLE uscc_registry IN EXCLUSIVE MODE"))
    await env.session.execute(delete(RegistryEntry))
    items = [{"uscc": code, "name": name} for code, name in entries.items()]
    for i in range(0, len(items), _REGISTRY_BATCH):
        await env.session.execute(insert(RegistryEntry), items[i:i + _REGISTRY_BATCH])
        if progress is not None:  # the command line prints it
            progress(min(i + _REGISTRY_BATCH, len(items)), len(items))
    viewer = env.viewer
    load = RegistryLoad(loaded_at=env.clock.now(), loaded_by=viewer.account.id if viewer else None,
                        entries=len(items), file_name=(file_name or "")[:255] or None)
    env.session.add(load)
    await env.session.flush()
    env.note_audit("RegistryLoad", load.id, reason=f"{len(items)}条")
    return load
