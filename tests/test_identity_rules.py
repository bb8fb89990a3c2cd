"""Tests for rules.identity (resident IDs, USCCs) and rules.accounts."""

from __future__ import annotations

from datetime import date

import pytest

from rules.accounts import (
    PASSWORD_MESSAGES,
    password_problems,
    validate_login_name,
    validate_mobile,
    validate_person_name,
)
from rules.errors import RuleViolation
from rules.identity import (
    EARLIEST_BIRTH_DATE,
    RESIDENT_ID_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    ResidentId,
    Sex,
    mask_resident_id,
    normalize_uscc,
    parse_resident_id,
    resident_id_check_char,
    uscc_check_char,
    validate_uscc,
)

TODAY = date(2024, 6, 1)
OLD = date(1800, 1, 1)  # lower bound that admits the 1880 example from GB 11643

# Published examples. The GB 11643 example 440524188001010014 is born in 1880,
# which the default 1900-01-01 lower bound rejects; it is checked with OLD.
ID_1949_FEMALE = "11010519491231002X"
ID_1880_MALE = "440524188001010014"
ID_1985_MALE = "37010219850615123" + resident_id_check_char("37010219850615123")

VALID_IDS: list[tuple[str, date]] = [
    (ID_1949_FEMALE, EARLIEST_BIRTH_DATE),
    (ID_1880_MALE, OLD),
    (ID_1985_MALE, EARLIEST_BIRTH_DATE),
]
VALID_USCCS = ["914403001922038216", "91110108551385082Q"]
ID_CHARS = "0123456789X"


def _id_error(raw: str, *, earliest: date = EARLIEST_BIRTH_DATE) -> str:
    with pytest.raises(RuleViolation) as info:
        parse_resident_id(raw, today=TODAY, earliest=earliest)
    assert info.value.message  # every error carries a (Chinese) message
    return info.value.code


def _uscc_error(raw: str) -> str:
    with pytest.raises(RuleViolation) as info:
        validate_uscc(raw)
    assert info.value.message
    return info.value.code


def _with_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


# --------------------------------------------------------------------------
# Resident ID: constants and valid examples
# --------------------------------------------------------------------------


def test_resident_id_weights_are_powers_of_two_mod_11() -> None:
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == RESIDENT_ID_WEIGHTS


@pytest.mark.parametrize("number", [n for n, _ in VALID_IDS])
def test_check_char_of_published_ids(number: str) -> None:
    assert resident_id_check_char(number[:17]) == number[17]


@pytest.mark.parametrize("bad", ["", "1234567890123456", "123456789012345678", "1234567890123456X"])
def test_resident_id_check_char_requires_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        resident_id_check_char(bad)


def test_parse_1949_female() -> None:
    assert parse_resident_id(ID_1949_FEMALE, today=TODAY) == ResidentId(
        number=ID_1949_FEMALE,
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sex=Sex.FEMALE,
    )


def test_parse_1880_male_with_lowered_bound() -> None:
    parsed = parse_resident_id(ID_1880_MALE, today=TODAY, earliest=OLD)
    assert parsed.region_code == "440524"
    assert parsed.birth_date == date(1880, 1, 1)
    assert parsed.sex is Sex.MALE


def test_1880_example_rejected_by_default_bound() -> None:
    assert _id_error(ID_1880_MALE) == "ID_BIRTH_DATE"


def test_parse_generated_1985_male() -> None:
    parsed = parse_resident_id(ID_1985_MALE, today=TODAY)
    assert parsed.birth_date == date(1985, 6, 15)
    assert parsed.sex is Sex.MALE
    assert parsed.sex.label == "男"
    assert Sex.FEMALE.label == "女"


@pytest.mark.parametrize(
    "raw", ["11010519491231002x", "  11010519491231002X  ", "\t11010519491231002x\n"]
)
def test_lowercase_x_and_surrounding_spaces_are_normalised(raw: str) -> None:
    assert parse_resident_id(raw, today=TODAY).number == ID_1949_FEMALE


@pytest.mark.parametrize("digit,sex", [(str(d), Sex.MALE if d % 2 else Sex.FEMALE) for d in range(10)])
def test_sex_from_17th_digit(digit: str, sex: Sex) -> None:
    number = _with_id("3701021985061512" + digit)
    assert parse_resident_id(number, today=TODAY).sex is sex


def test_resident_id_is_frozen() -> None:
    parsed = parse_resident_id(ID_1949_FEMALE, today=TODAY)
    with pytest.raises(AttributeError):
        parsed.number = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------
# Resident ID: rejections
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "11010519491231002",  # 17
        "11010519491231002XX",  # 19
        "110105194912310",  # old 15-digit format
        "1101051949123100X2",  # X not last
        "X10105194912310022",
        "11010519491231002Y",
        "110105-19491231-002X",
        "110105 19491231002X",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
        "11010519491231002X\n1",
    ],
)
def test_id_format_errors(raw: str) -> None:
    assert _id_error(raw) == "ID_FORMAT"


def test_id_format_error_for_non_string() -> None:
    with pytest.raises(RuleViolation) as info:
        parse_resident_id(None, today=TODAY)  # type: ignore[arg-type]
    assert info.value.code == "ID_FORMAT"


def test_format_is_checked_before_birth_date() -> None:
    # invalid date and 17 characters
    assert _id_error("11010519490230002") == "ID_FORMAT"


@pytest.mark.parametrize(
    "birth",
    ["19000230", "19000229", "20230229", "19491301", "19490001", "19491200", "19490431", "00000101"],
)
def test_invalid_calendar_dates(birth: str) -> None:
    # check char is correct, so only the date can be at fault
    assert _id_error(_with_id("110105" + birth + "002")) == "ID_BIRTH_DATE"


def test_leap_day_is_valid() -> None:
    assert parse_resident_id(_with_id("11010520000229002"), today=TODAY).birth_date == date(2000, 2, 29)


def test_birth_date_bounds() -> None:
    assert parse_resident_id(_with_id("11010519000101002"), today=TODAY).birth_date == date(1900, 1, 1)
    assert _id_error(_with_id("11010518991231002")) == "ID_BIRTH_DATE"
    assert parse_resident_id(_with_id("11010520240601002"), today=TODAY).birth_date == TODAY
    assert _id_error(_with_id("11010520240602002")) == "ID_BIRTH_DATE"  # tomorrow
    assert _id_error(_with_id("11010520990101002")) == "ID_BIRTH_DATE"


def test_birth_date_is_checked_before_check_digit() -> None:
    number = _with_id("11010520240602002")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert _id_error(wrong) == "ID_BIRTH_DATE"


@pytest.mark.parametrize("number,earliest", VALID_IDS)
def test_every_check_position_substitution_is_check_digit_error(number: str, earliest: date) -> None:
    for ch in ID_CHARS:
        if ch != number[17]:
            assert _id_error(number[:17] + ch, earliest=earliest) == "ID_CHECK_DIGIT", ch


@pytest.mark.parametrize("position", range(17))
@pytest.mark.parametrize("number,earliest", VALID_IDS)
def test_every_body_substitution_is_rejected(number: str, earliest: date, position: int) -> None:
    for ch in ID_CHARS:
        if ch == number[position]:
            continue
        mutant = number[:position] + ch + number[position + 1 :]
        code = _id_error(mutant, earliest=earliest)
        if ch == "X":
            assert code == "ID_FORMAT", mutant
        else:
            assert code in {"ID_BIRTH_DATE", "ID_CHECK_DIGIT"}, mutant
            # the MOD 11-2 check alone detects every single substitution
            assert resident_id_check_char(mutant[:17]) != mutant[17], mutant


# --------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------


def test_mask_resident_id() -> None:
    assert mask_resident_id("370102198506151234") == "370102********1234"
    assert mask_resident_id(ID_1949_FEMALE) == "110105********002X"
    assert mask_resident_id(" 11010519491231002x ") == "110105********002X"
    assert parse_resident_id(ID_1949_FEMALE, today=TODAY).masked == "110105********002X"


@pytest.mark.parametrize("short", ["", "123", "123456789"])
def test_mask_short_input_leaks_nothing(short: str) -> None:
    assert mask_resident_id(short) == "********"


# --------------------------------------------------------------------------
# Unified social credit code
# --------------------------------------------------------------------------


def test_uscc_constants() -> None:
    assert len(USCC_CHARSET) == 31 == len(set(USCC_CHARSET))
    assert not set("IOZSV") & set(USCC_CHARSET)
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", VALID_USCCS)
def test_valid_uscc(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert validate_uscc(code) == code
    assert validate_uscc(f"  {code.lower()}\t") == code
    assert normalize_uscc(f" {code.lower()} ") == code


def test_uscc_check_char_can_be_zero() -> None:
    # find a body whose check char is "0": (31 - 0) % 31 == 0
    body = "91110108551385082"
    for ch in USCC_CHARSET:
        candidate = body[:16] + ch
        if uscc_check_char(candidate) == "0":
            assert validate_uscc(candidate + "0") == candidate + "0"
            return
    pytest.fail("no body with check char 0 found")


@pytest.mark.parametrize("bad", ["", "9111010855138508", "9111010855138508I", "91110108551385082q"])
def test_uscc_check_char_requires_17_charset_chars(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@pytest.mark.parametrize("position", range(18))
@pytest.mark.parametrize("code", VALID_USCCS)
def test_every_uscc_substitution_is_check_digit_error(code: str, position: int) -> None:
    for ch in USCC_CHARSET:
        if ch == code[position]:
            continue
        mutant = code[:position] + ch + code[position + 1 :]
        assert _uscc_error(mutant) == "USCC_CHECK_DIGIT", mutant


@pytest.mark.parametrize("position", range(18))
@pytest.mark.parametrize("ch", list("IOZSVioszv-*中０"))
def test_uscc_chars_outside_charset_are_format_errors(position: int, ch: str) -> None:
    code = VALID_USCCS[1]
    mutant = code[:position] + ch + code[position + 1 :]
    assert _uscc_error(mutant) == "USCC_FORMAT", mutant


@pytest.mark.parametrize("position", range(1, 17))
def test_uscc_inner_space_is_format_error(position: int) -> None:
    code = VALID_USCCS[0]
    assert _uscc_error(code[:position] + " " + code[position + 1 :]) == "USCC_FORMAT"


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "91110108551385082", "91110108551385082QQ", "9111010855138508", "914403001922038216" * 2],
)
def test_uscc_wrong_length(raw: str) -> None:
    assert _uscc_error(raw) == "USCC_FORMAT"


def test_uscc_non_string() -> None:
    assert _uscc_error(12345) == "USCC_FORMAT"  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Accounts: login name
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("abcd", "abcd"),
        ("a" * 32, "a" * 32),
        ("User_01", "User_01"),
        ("____", "____"),
        ("  zhang_san  ", "zhang_san"),
    ],
)
def test_valid_login_names(raw: str, expected: str) -> None:
    assert validate_login_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "", "abc", "a" * 33, "  abc  ", "zhang san", "zhang-san", "zhang.san",
        "张三丰zs", "ｕｓｅｒ1", "user\n1", "ü" * 5,
    ],
)
def test_invalid_login_names(raw: str) -> None:
    with pytest.raises(RuleViolation) as info:
        validate_login_name(raw)
    assert (info.value.code, info.value.field) == ("LOGIN_NAME_FORMAT", "loginName")
    assert info.value.message


# --------------------------------------------------------------------------
# Accounts: mobile
# --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["13000000000", "19999999999", " 13812345678 ", "15912345678"])
def test_valid_mobiles(raw: str) -> None:
    assert validate_mobile(raw) == raw.strip()


@pytest.mark.parametrize(
    "raw",
    ["", "1381234567", "138123456789", "12812345678", "10012345678", "23812345678",
     "+8613812345678", "138-1234-5678", "1381234567a", "１３８１２３４５６７８"],
)
def test_invalid_mobiles(raw: str) -> None:
    with pytest.raises(RuleViolation) as info:
        validate_mobile(raw)
    assert (info.value.code, info.value.field) == ("MOBILE_FORMAT", "mobile")


def test_mobile_custom_field() -> None:
    with pytest.raises(RuleViolation) as info:
        validate_mobile("123", field="contactMobile")
    assert info.value.field == "contactMobile"


# --------------------------------------------------------------------------
# Accounts: person name
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [("张", "张"), (" 张三 ", "张三"), ("阿卜杜·热合曼", "阿卜杜·热合曼"), ("X" * 50, "X" * 50),
     ("Mary Smith", "Mary Smith"), ("\ue000明", "\ue000明")],
)
def test_valid_person_names(raw: str, expected: str) -> None:
    assert validate_person_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "\u3000", "X" * 51, "张\n三", "张\t三", "张\x00三", "张\u200b三", "张\u202e三", "张\u2028三"],
)
def test_invalid_person_names(raw: str) -> None:
    with pytest.raises(RuleViolation) as info:
        validate_person_name(raw, field="realName")
    assert (info.value.code, info.value.field) == ("NAME_FORMAT", "realName")


def test_person_name_default_field() -> None:
    with pytest.raises(RuleViolation) as info:
        validate_person_name("")
    assert info.value.field == "name"


# --------------------------------------------------------------------------
# Accounts: password
# --------------------------------------------------------------------------


def test_password_messages_cover_every_code() -> None:
    assert set(PASSWORD_MESSAGES) == {
        "PASSWORD_TOO_SHORT", "PASSWORD_TOO_LONG", "PASSWORD_TOO_SIMPLE", "PASSWORD_CONTAINS_LOGIN",
    }
    assert all(PASSWORD_MESSAGES.values())


@pytest.mark.parametrize(
    "password,expected",
    [
        ("Abcdef1", ["PASSWORD_TOO_SHORT"]),  # 7 chars
        ("Abcdef12", []),  # 8 chars
        ("", ["PASSWORD_TOO_SHORT", "PASSWORD_TOO_SIMPLE"]),
        ("Ab1!" * 32, []),  # 128 chars
        ("Ab1!" * 32 + "x", ["PASSWORD_TOO_LONG"]),  # 129 chars
        ("abcdefgh", ["PASSWORD_TOO_SIMPLE"]),
        ("abcd1234", ["PASSWORD_TOO_SIMPLE"]),
        ("ABCD!@#$", ["PASSWORD_TOO_SIMPLE"]),
        ("abcd1234!", []),  # lower + digit + symbol
        ("ABCD1234!", []),  # upper + digit + symbol
        ("ABCDabcd!", []),  # upper + lower + symbol
        ("ABCDabcd1", []),  # upper + lower + digit
        ("Abcd 1234", []),  # a space is a printable symbol
        ("abcd\t1234", ["PASSWORD_TOO_SIMPLE"]),  # a tab is not printable
        ("密码abcd1234", ["PASSWORD_TOO_SIMPLE"]),  # CJK is alphanumeric, no class
    ],
)
def test_password_length_and_classes(password: str, expected: list[str]) -> None:
    assert password_problems(password, "zhangsan") == expected


@pytest.mark.parametrize(
    "password,login",
    [
        ("ZhangSan#2024", "zhangsan"),
        ("x!ZHANGSAN9", "zhangsan"),
        ("A1!zhangsan", "ZhangSan"),
        ("Zhangsan1!", "zhangsan"),
    ],
)
def test_password_containing_login_in_any_case(password: str, login: str) -> None:
    assert password_problems(password, login) == ["PASSWORD_CONTAINS_LOGIN"]


@pytest.mark.parametrize("login", ["", "   "])
def test_empty_login_name_is_ignored(login: str) -> None:
    assert password_problems("Abcdef12", login) == []


def test_all_problems_are_reported_together() -> None:
    assert password_problems("admin", "admin") == [
        "PASSWORD_TOO_SHORT", "PASSWORD_TOO_SIMPLE", "PASSWORD_CONTAINS_LOGIN",
    ]
