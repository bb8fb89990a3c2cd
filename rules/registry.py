"""The 统一社会信用代码 registry file: a CSV of `单位名称,统一社会信用代码`, checked row by row.

One parser for both ways in (`importRegistry` over the API, `zhicheng load-registry` on the
server), so a file is judged the same whichever way it arrives. Pure: bytes in, the entries
and every bad row out; the caller decides what to do with a file that has bad rows (both
refuse it whole: a registry half-replaced would flag sound units as NOT_IN_REGISTRY).

The file: UTF-8 with or without a BOM (what Excel's "CSV UTF-8" writes); one entry per
line, the name first; the first line may be a header (its second cell `code`, `uscc`,
`代码` or `统一社会信用代码`); blank lines are skipped; extra cells must be empty (a
spreadsheet's trailing commas). A code is upper-cased and must pass GB 32100 (format and
check digit: a code that fails the check digit can never match, because the permission
check refuses it before it looks at the registry); a name is 1–200 characters after
trimming (the column is String(200)); a code may appear once.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from rules.errors import ERROR_DESCRIPTIONS, ErrorCode, RuleViolation
from rules.identity import validate_uscc
from rules.text import clean_text

NAME_MAX = 200  # uscc_registry.name is String(200)
HEADER_CODES = {"code", "uscc", "代码", "统一社会信用代码"}
#: Bad rows listed one by one; beyond this only counted (a wrong file can have 10^5 bad rows,
#: and a report that long helps nobody: the first hundred show what is wrong).
MAX_REPORTED = 100


@dataclass(frozen=True)
class RowError:
    """A bad row: its line in the file (1-based, counting the header), the code as written
    (None when the row has none), what is wrong."""

    line: int
    code: ErrorCode
    message: str
    uscc: str | None = None


@dataclass
class RegistryFile:
    """What a registry file holds: the good entries by code (in file order) and the bad rows
    (the first MAX_REPORTED; `rejected_count` counts all)."""

    entries: dict[str, str] = field(default_factory=dict)
    rejected: list[RowError] = field(default_factory=list)
    rejected_count: int = 0

    def reject(self, error: RowError) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(error)


def decode(data: bytes) -> str:
    """The file's text; REGISTRY_FILE_UNREADABLE naming the line of the first byte that is
    not UTF-8 (a GBK export from an old spreadsheet is the likely cause)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RuleViolation(ErrorCode.REGISTRY_FILE_UNREADABLE,
                            f"第{line}行不是 UTF-8 编码；请在表格软件中另存为“CSV UTF-8”后再导入", "file") from None
    if "\x00" in text:  # csv reads it, PostgreSQL cannot store it: no text file holds one
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RuleViolation(ErrorCode.REGISTRY_FILE_UNREADABLE, f"第{line}行含有空字符（NUL），不是文本文件", "file")
    return text


def _is_header(cells: list[str]) -> bool:
    return len(cells) >= 2 and cells[1].strip().lower() in HEADER_CODES


def _check_row(cells: list[str], line: int, seen: dict[str, int]) -> tuple[str, str] | RowError:
    written = cells[1].strip() if len(cells) >= 2 else None
    if len(cells) < 2 or any(c.strip() for c in cells[2:]):
        return RowError(line, ErrorCode.REGISTRY_COLUMNS, ERROR_DESCRIPTIONS[ErrorCode.REGISTRY_COLUMNS], written)
    try:
        name = clean_text(cells[0], field="name", limit=NAME_MAX, required=True,
                          required_message="单位名称不能为空",
                          too_long_message=f"单位名称不能超过{NAME_MAX}个字符")
        code = validate_uscc(cells[1], field="code")
    except RuleViolation as exc:
        return RowError(line, exc.code, exc.message, written)
    assert name is not None  # required=True
    if any(unicodedata.category(c) == "Cc" for c in name):  # a line break inside quotes, a tab
        return RowError(line, ErrorCode.INVALID_INPUT, "单位名称含有换行符等控制字符", written)
    if code in seen:
        return RowError(line, ErrorCode.REGISTRY_DUPLICATE_CODE,
                        f"统一社会信用代码与第{seen[code]}行重复", written)
    seen[code] = line
    return code, name


def parse_registry(data: bytes, *, max_rows: int) -> RegistryFile:
    """Every row of the file judged: good entries and bad rows, in file order.

    More than `max_rows` entries (good or bad) is REGISTRY_TOO_LARGE for the whole file,
    decided as soon as the row past the bound is read; a file with no entry at all is
    REGISTRY_EMPTY. Both are raised, as is an undecodable file: there are no rows to list."""
    result = RegistryFile()
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    rows = 0
    line = 1  # where the next record starts (a quoted cell may span lines)
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells) or (start == 1 and _is_header(cells)):
                continue
            rows += 1
            if rows > max_rows:
                raise RuleViolation(ErrorCode.REGISTRY_TOO_LARGE, f"登记库一次最多导入{max_rows}行", "file")
            checked = _check_row(cells, start, seen)
            if isinstance(checked, RowError):
                result.reject(checked)
            else:
                result.entries[checked[0]] = checked[1]
    except csv.Error as exc:  # a field over csv's size limit (128 KiB): not a registry
        raise RuleViolation(ErrorCode.REGISTRY_FILE_UNREADABLE, f"第{line}行无法按 CSV 读取：{exc}", "file") from None
    if rows == 0:
        raise RuleViolation(ErrorCode.REGISTRY_EMPTY, field="file")
    return result
