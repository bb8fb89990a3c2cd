"""电子职称证书: the certificate number, what a certificate shows, and what verification says.

Pure rules. A number is 19 characters, all but the last digits:

    370000 2026 2 0000123 X
    region year level sequence check

- region: the GB/T 2260 code of the title office that confirmed the result (the committee's
  region: 370000 for a provincial committee, 370100 for Jinan's);
- year: the 申报年度 the title was reviewed in;
- level: the level's rank (正高级 1 … 员级 5, `LEVEL_RANK_HIGHEST_FIRST`);
- sequence: the n-th certificate of that region, year and level (7 digits: 10^7 a year is
  two orders above a whole province's declarations);
- check: ISO 7064 MOD 11-2 over the 18 digits, the scheme of the 居民身份证号's check
  character (0–9 or X), so a mistyped digit or two swapped neighbours are told apart from an unknown
  certificate before any lookup.

The sequence alone would make numbers easy to guess; verification therefore also asks the
holder's name and answers a wrong pair exactly as an unknown number (no oracle), and it is
throttled per client address.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from rules.catalog import LEVEL_RANK_HIGHEST_FIRST, TitleLevel
from rules.errors import ErrorCode, RuleViolation

NUMBER_LENGTH = 19
MAX_SEQUENCE = 9_999_999
# ISO 7064 MOD 11-2: the digit at position i of 18 weighs 2^(19 - i) mod 11.
_WEIGHTS = tuple(pow(2, 19 - i, 11) for i in range(1, 19))
_CHECK_CHARS = "10X98765432"
_NUMBER = re.compile(r"^\d{18}[\dX]$")
# What people type around a number they copy from paper: spaces, dashes, a lowercase x.
_SEPARATORS = re.compile(r"[\s\-－—]")


class VerificationStatus(str, enum.Enum):
    VALID = "VALID"  # 证书有效
    REVOKED = "REVOKED"  # 证书已撤销
    UNKNOWN = "UNKNOWN"  # 查无此证书（编号与姓名不匹配，或编号不存在）


def check_char(first18: str) -> str:
    """The ISO 7064 MOD 11-2 check character of 18 digits."""
    if len(first18) != 18 or not first18.isascii() or not first18.isdigit():
        raise ValueError("18 digits expected")
    total = sum(int(d) * w for d, w in zip(first18, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def certificate_number(region_code: str, year: int, level: TitleLevel, sequence: int) -> str:
    """The number of the `sequence`-th certificate of a region, year and level."""
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise ValueError(f"region code {region_code!r}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year {year}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence {sequence} outside 1..{MAX_SEQUENCE}")
    first18 = f"{region_code}{year:04d}{LEVEL_RANK_HIGHEST_FIRST[level]}{sequence:07d}"
    return first18 + check_char(first18)


def normalize_number(raw: str) -> str:
    """A typed number as stored: separators dropped, upper case."""
    return _SEPARATORS.sub("", raw).upper()


def is_well_formed(number: str) -> bool:
    """19 characters with the right check character (after `normalize_number`)."""
    return bool(_NUMBER.match(number)) and check_char(number[:18]) == number[18]


def sequence_exhausted(region_code: str, year: int, level: TitleLevel) -> RuleViolation:
    return RuleViolation(ErrorCode.CERTIFICATE_NUMBERS_EXHAUSTED,
                         f"{region_code}地区{year}年度该级别的证书编号已用尽")


def issuing_authority(region_code: str, region_name: str) -> str:
    """Who a certificate names as issuing it: the human-resources department of the title
    office's region (the province's 厅, a city's 局)."""
    if region_code.endswith("0000"):
        return f"{region_name}人力资源和社会保障厅"
    return f"{region_name}人力资源和社会保障局"


@dataclass(frozen=True)
class CertificateView:
    """Everything a certificate shows, and so everything verification may answer. The ID
    number is masked (`mask_resident_id`): a certificate is shown to employers and printed."""

    number: str
    holder_name: str
    masked_id_number: str
    series_name: str
    level_name: str
    title_name: str
    specialty_name: str
    committee_name: str
    issued_by: str
    year: int
    issued_on: date

    def lines(self) -> list[tuple[str, str]]:
        """The certificate's labelled lines, in the order it prints them."""
        return [
            ("姓　　名", self.holder_name),
            ("身份证号", self.masked_id_number),
            ("职称系列", self.series_name),
            ("资格名称", self.title_name),
            ("资格级别", self.level_name),
            ("专　　业", self.specialty_name),
            ("评审年度", f"{self.year}年度"),
            ("评审机构", self.committee_name),
            ("批准时间", f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"),
            ("证书编号", self.number),
        ]


def verification_url(base_url: str, number: str) -> str:
    """Where the certificate's QR code points: the public verification page for the number
    (the page asks for the holder's name; the name is not in the code, so a scanned code
    leaks no more than the printed number)."""
    return f"{base_url.rstrip('/')}/verify?no={number}"
