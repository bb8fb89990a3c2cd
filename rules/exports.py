"""批量导出 (bulk exports): kinds, formats, states, columns, download-link signatures.

Pure: no I/O, the time is passed in. The worker (resolvers/exports.py) streams rows through
the kind's line function (`declaration_row`, `result_row`, `certificate_row`, in `COLUMNS`
order) into a writer of the chosen format; the download route checks links with `check_link`.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime

from rules.corrections import effective_status
from rules.declaration_states import DeclarationStatus
from rules.identity import mask_resident_id


class ExportKind(str, enum.Enum):
    DECLARATIONS = "DECLARATIONS"  # 申报数据: one row per declaration (drafts excepted)
    RESULTS = "RESULTS"  # 评审结果: one row per session candidate whose ballot is closed
    CERTIFICATES = "CERTIFICATES"  # 职称证书: one row per certificate issued, revoked ones too


class ExportFormat(str, enum.Enum):
    CSV = "CSV"
    XLSX = "XLSX"
    JSONL = "JSONL"

    @property
    def extension(self) -> str:
        return self.value.lower()

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]


CONTENT_TYPES = {
    # The file starts with a UTF-8 BOM: Excel then reads the Chinese right.
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSONL: "application/jsonl; charset=utf-8",
}


class ExportState(str, enum.Enum):
    QUEUED = "QUEUED"  # 排队中
    RUNNING = "RUNNING"  # 导出中
    SUCCEEDED = "SUCCEEDED"  # 已完成，可下载
    FAILED = "FAILED"  # 失败
    EXPIRED = "EXPIRED"  # 文件已过期删除


ACTIVE_STATES = (ExportState.QUEUED, ExportState.RUNNING)


def effective_state(state: ExportState, expires_at: datetime | None, now: datetime) -> ExportState:
    """A finished export past its expiry is EXPIRED whether or not the sweep removed it yet."""
    if state is ExportState.SUCCEEDED and expires_at is not None and expires_at <= now:
        return ExportState.EXPIRED
    return state


#: (key in JSONL, header in CSV/XLSX), in file order.
DECLARATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("declarationId", "申报ID"),
    ("year", "申报年度"),
    ("name", "姓名"),
    ("idNumber", "身份证号"),
    ("unitName", "工作单位"),
    ("unitCreditCode", "统一社会信用代码"),
    ("regionCode", "所在地区代码"),
    ("regionName", "所在地区"),
    ("seriesName", "职称系列"),
    ("level", "申报级别"),
    ("titleName", "申报职称"),
    ("specialtyName", "现从事专业"),
    ("method", "申报方式"),
    ("status", "状态"),
    ("confirmedAt", "确认申报时间"),
    ("acceptedAt", "受理时间"),
    ("updatedAt", "最近更新时间"),
)


@dataclass(frozen=True)
class DeclarationExportRow:
    """What the export query reads for one declaration."""

    global_id: str
    year: int
    name: str
    id_number: str
    unit_name: str
    unit_credit_code: str | None
    region_code: str
    region_name: str
    series_name: str
    level: str
    title_name: str
    specialty_name: str
    method: str
    status: DeclarationStatus
    correction_deadline: date | None
    confirmed_at: datetime | None
    accepted_at: datetime | None
    updated_at: datetime


def declaration_row(row: DeclarationExportRow, *, today: date, unmask: bool = False) -> tuple:
    """One line of a declarations export, in DECLARATION_COLUMNS order: ID numbers masked
    unless the caller may read full identity; the status as of today."""
    return (
        row.global_id, row.year, row.name, row.id_number if unmask else mask_resident_id(row.id_number),
        row.unit_name, row.unit_credit_code or "", row.region_code, row.region_name, row.series_name, row.level,
        row.title_name, row.specialty_name, row.method,
        effective_status(row.status, row.correction_deadline, today).value,
        _iso(row.confirmed_at), _iso(row.accepted_at), _iso(row.updated_at),
    )


#: (key in JSONL, header in CSV/XLSX), in file order.
RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("declarationId", "申报ID"),
    ("year", "申报年度"),
    ("name", "姓名"),
    ("idNumber", "身份证号"),
    ("unitName", "工作单位"),
    ("regionCode", "所在地区代码"),
    ("seriesName", "职称系列"),
    ("level", "申报级别"),
    ("titleName", "申报职称"),
    ("specialtyName", "现从事专业"),
    ("committeeName", "评审委员会"),
    ("sessionName", "评审会议"),
    ("meetingOn", "评审会议日期"),
    ("present", "到会专家数"),
    ("agree", "同意票"),
    ("disagree", "不同意票"),
    ("abstain", "弃权票"),
    ("passed", "表决通过"),
    ("status", "当前状态"),
)

CERTIFICATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("certificateNumber", "证书编号"),
    ("declarationId", "申报ID"),
    ("holderName", "持证人"),
    ("idNumber", "身份证号"),
    ("seriesName", "职称系列"),
    ("levelName", "级别"),
    ("titleName", "职称"),
    ("specialtyName", "专业"),
    ("committeeName", "评审委员会"),
    ("regionCode", "所在地区代码"),
    ("issuedBy", "发证机构"),
    ("issuedOn", "发证日期"),
    ("revoked", "已撤销"),
    ("revokedOn", "撤销日期"),
)

COLUMNS: dict[ExportKind, tuple[tuple[str, str], ...]] = {
    ExportKind.DECLARATIONS: DECLARATION_COLUMNS,
    ExportKind.RESULTS: RESULT_COLUMNS,
    ExportKind.CERTIFICATES: CERTIFICATE_COLUMNS,
}

#: The file's name and the worksheet's.
LABELS = {ExportKind.DECLARATIONS: "职称申报数据", ExportKind.RESULTS: "职称评审结果",
          ExportKind.CERTIFICATES: "职称证书"}


@dataclass(frozen=True)
class ResultExportRow:
    """What the export query reads for one session candidate whose ballot is closed."""

    global_id: str
    year: int
    name: str
    id_number: str
    unit_name: str
    region_code: str
    series_name: str
    level: str
    title_name: str
    specialty_name: str
    committee_name: str
    session_name: str
    meeting_on: date
    present: int
    agree: int
    disagree: int
    abstain: int
    passed: bool
    status: DeclarationStatus


def result_row(row: ResultExportRow, *, unmask: bool = False) -> tuple:
    """One line of a results export, in RESULT_COLUMNS order. `passed` is the ballot's
    verdict; `status` is where the declaration stands now (a passed candidate whose result an
    upheld objection withdrew is NOT_PASSED, a granted one REVOKED after fraud)."""
    return (
        row.global_id, row.year, row.name, row.id_number if unmask else mask_resident_id(row.id_number),
        row.unit_name, row.region_code, row.series_name, row.level, row.title_name, row.specialty_name,
        row.committee_name, row.session_name, row.meeting_on.isoformat(), row.present, row.agree, row.disagree,
        row.abstain, row.passed, row.status.value,
    )


@dataclass(frozen=True)
class CertificateExportRow:
    """What the export query reads for one certificate (what it shows is copied at issue)."""

    number: str
    declaration_global_id: str
    holder_name: str
    id_number: str
    series_name: str
    level_name: str
    title_name: str
    specialty_name: str
    committee_name: str
    region_code: str
    issued_by: str
    issued_on: date
    revoked_on: date | None


def certificate_row(row: CertificateExportRow, *, unmask: bool = False) -> tuple:
    """One line of a certificates export, in CERTIFICATE_COLUMNS order (a revoked one stays,
    flagged, so a HR system that synced it learns of the revocation)."""
    return (
        row.number, row.declaration_global_id, row.holder_name,
        row.id_number if unmask else mask_resident_id(row.id_number), row.series_name, row.level_name,
        row.title_name, row.specialty_name, row.committee_name, row.region_code, row.issued_by,
        row.issued_on.isoformat(), row.revoked_on is not None, row.revoked_on.isoformat() if row.revoked_on else "",
    )


def declaration_global_id(row_id: int) -> str:
    """The declaration's global ID as the API issues it (relay's base64 of "Declaration:id"),
    so a row of a file can be looked up with node(id:)."""
    return base64.b64encode(f"Declaration:{row_id}".encode()).decode()


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def file_name(kind: ExportKind, fmt: ExportFormat, export_id: int, created: datetime) -> str:
    """The name the download offers: 职称申报数据-20261202-42.csv."""
    return f"{LABELS[kind]}-{created.strftime('%Y%m%d')}-{export_id}.{fmt.extension}"


# --- download links: /exports/{id}/download?expires=…&signature=… ---------------------------

class LinkCheck(str, enum.Enum):
    OK = "OK"
    EXPIRED = "EXPIRED"
    INVALID = "INVALID"


def link_signature(key: bytes, export_id: int, expires: int) -> str:
    """HMAC-SHA256 over the export and the link's expiry (Unix seconds), hex."""
    return hmac.new(key, f"export:{export_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def link_expiry(now: datetime, link_seconds: int, file_expires_at: datetime) -> int:
    """A fresh link lives `link_seconds`, never past the file."""
    return int(min(now.timestamp() + link_seconds, file_expires_at.timestamp()))


def check_link(key: bytes, export_id: int, expires: str | None, signature: str | None, now: datetime) -> LinkCheck:
    """A forged or altered link is INVALID; a genuine one past its time is EXPIRED."""
    if not expires or not signature or not expires.isascii() or not expires.isdigit() or len(expires) > 12:
        return LinkCheck.INVALID
    if not hmac.compare_digest(link_signature(key, export_id, int(expires)), signature):
        return LinkCheck.INVALID
    return LinkCheck.EXPIRED if int(expires) <= now.timestamp() else LinkCheck.OK


def progress_due(done: int, reported: int, every: int) -> bool:
    """Progress is written every `every` rows, not per row (one UPDATE per batch)."""
    return done - reported >= every
