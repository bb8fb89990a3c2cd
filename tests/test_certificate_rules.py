"""rules/certificates.py: the certificate number and its check character, directly."""

from __future__ import annotations

from datetime import date

import pytest

from rules.catalog import TitleLevel
from rules.certificates import (
    CertificateView,
    certificate_number,
    check_char,
    is_well_formed,
    issuing_authority,
    normalize_number,
    verification_url,
)


def test_number_parts_and_check_char():
    number = certificate_number("370000", 2026, TitleLevel.ASSOCIATE_SENIOR, 123)
    assert number[:18] == "370000" "2026" "2" "0000123"
    assert is_well_formed(number)


def test_check_char_is_iso_7064_mod_11_2():
    # The scheme's defining property: with the check character valued 10 for X, the weighted
    # sum of all 19 characters (weights 2^(19-i) mod 11, the check's 1) is 1 modulo 11.
    for first18 in ("370000202620000123", "000000000000000000", "371700209950000001", "999999999999999999"):
        c = check_char(first18)
        total = sum(int(d) * pow(2, 19 - i, 11) for i, d in enumerate(first18, start=1))
        assert (total + (10 if c == "X" else int(c))) % 11 == 1


@pytest.mark.parametrize("mistake", ["swap", "digit"])
def test_a_typo_breaks_the_check(mistake):
    number = certificate_number("370100", 2027, TitleLevel.INTERMEDIATE, 4567)
    if mistake == "swap":
        typo = number[:10] + number[11] + number[10] + number[12:]
        assert typo != number
    else:
        typo = number[:12] + str((int(number[12]) + 1) % 10) + number[13:]
    assert not is_well_formed(typo)


def test_numbers_are_unique_across_region_year_level_sequence():
    seen = {certificate_number(r, y, lv, s)
            for r in ("370000", "370100") for y in (2026, 2027) for lv in TitleLevel for s in (1, 2, 9_999_999)}
    assert len(seen) == 2 * 2 * len(TitleLevel) * 3


def test_bad_parts_refused():
    with pytest.raises(ValueError):
        certificate_number("37", 2026, TitleLevel.SENIOR, 1)
    with pytest.raises(ValueError):
        certificate_number("370000", 2026, TitleLevel.SENIOR, 0)
    with pytest.raises(ValueError):
        certificate_number("370000", 2026, TitleLevel.SENIOR, 10_000_000)
    with pytest.raises(ValueError):
        check_char("12345")


def test_normalize_and_malformed():
    number = certificate_number("370000", 2026, TitleLevel.SENIOR, 42)
    spaced = f"{number[:6]} {number[6:10]}-{number[10:]}".lower()
    assert normalize_number(spaced) == number
    assert not is_well_formed("")
    assert not is_well_formed("A" * 19)
    assert not is_well_formed(number + "1")


def test_issuing_authority_by_region():
    assert issuing_authority("370000", "山东省") == "山东省人力资源和社会保障厅"
    assert issuing_authority("370100", "济南市") == "济南市人力资源和社会保障局"


def test_view_lines_and_verification_url():
    view = CertificateView("3700002026200001231", "张三", "370102********1234", "工程技术", "副高级",
                           "高级工程师", "机械工程", "山东省工程技术高级评审委员会", "山东省人力资源和社会保障厅",
                           2026, date(2026, 6, 30))
    lines = dict(view.lines())
    assert lines["姓　　名"] == "张三" and lines["证书编号"] == view.number
    assert lines["批准时间"] == "2026年6月30日"
    assert "370102********1234" in lines.values()
    assert verification_url("https://zc.example.cn/", view.number) == f"https://zc.example.cn/verify?no={view.number}"
