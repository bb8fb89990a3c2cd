"""The registry file's rules (rules/registry.py): pure, no database."""

from __future__ import annotations

import pytest

from rules.errors import ErrorCode, RuleViolation
from rules.identity import uscc_check_char
from rules.registry import MAX_REPORTED, parse_registry


def code(n: int) -> str:
    first17 = f"91370100MA{n:07d}"
    return first17 + uscc_check_char(first17)


def test_header_bom_blank_lines_and_case_are_what_spreadsheets_write():
    data = f"\ufeff单位名称,统一社会信用代码\r\n\r\n 甲公司 ,{code(1).lower()}\r\n乙公司,{code(2)},,\r\n".encode()
    parsed = parse_registry(data, max_rows=10)
    assert parsed.entries == {code(1): "甲公司", code(2): "乙公司"} and parsed.rejected == []


def test_a_first_line_that_is_data_is_not_a_header():
    parsed = parse_registry(f"甲公司,{code(1)}\n".encode(), max_rows=10)
    assert parsed.entries == {code(1): "甲公司"}


def test_line_numbers_count_the_header_and_multi_line_cells():
    data = f'name,code\n"甲\n公司",{code(1)}\n乙公司,{code(1)}\n'.encode()
    parsed = parse_registry(data, max_rows=10)
    assert [(r.line, r.code) for r in parsed.rejected] == [(2, ErrorCode.INVALID_INPUT)]
    assert parsed.entries == {code(1): "乙公司"}  # the bad first row claimed no code


def test_duplicates_name_the_first_line():
    parsed = parse_registry(f"甲公司,{code(1)}\n乙公司,{code(1)}\n".encode(), max_rows=10)
    assert [(r.line, r.code, r.message) for r in parsed.rejected] == [
        (2, ErrorCode.REGISTRY_DUPLICATE_CODE, "统一社会信用代码与第1行重复")]


def test_only_the_first_hundred_bad_rows_are_listed_but_all_are_counted():
    data = "".join(f"公司{i},bad{i}\n" for i in range(MAX_REPORTED + 50)).encode()
    parsed = parse_registry(data, max_rows=1000)
    assert len(parsed.rejected) == MAX_REPORTED and parsed.rejected_count == MAX_REPORTED + 50


@pytest.mark.parametrize(("data", "code_", "message_part"), [
    (b"", ErrorCode.REGISTRY_EMPTY, "没有登记记录"),
    (b"name,code\n\n", ErrorCode.REGISTRY_EMPTY, "没有登记记录"),
    (b"a,b\nc,d\n\xc4\xe3,e\n", ErrorCode.REGISTRY_FILE_UNREADABLE, "第3行"),
    (b"a,b\nc\x00,d\n", ErrorCode.REGISTRY_FILE_UNREADABLE, "第2行"),
    (b"a,b\n" * 11, ErrorCode.REGISTRY_TOO_LARGE, "10"),
])
def test_whole_file_refusals(data, code_, message_part):
    with pytest.raises(RuleViolation) as refused:
        parse_registry(data, max_rows=10)
    assert refused.value.code is code_ and message_part in refused.value.message
    assert refused.value.field == "file"
