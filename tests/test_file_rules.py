"""Proof-material file rules (pure): content sniffing, display names, Content-Disposition."""

import pytest

from rules.files import content_disposition, sanitize_file_name, sniff_content_type


@pytest.mark.parametrize("head, expected", [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
    (b"GIF89a", None),
    (b"hello, I am a text file named .pdf", None),
    (b"", None),
    (b"<html>%PDF-", None),
])
def test_sniff(head, expected):
    assert sniff_content_type(head) == expected


@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\张三\\证书.pdf", "证书.pdf"),
    ("a\x00b\nc.pdf", "abc.pdf"),
    # Names reach PostgreSQL: no NUL, no lone surrogate, however they were spelled.
    ("证\ud800书.pdf", "证书.pdf"),
    ("a%00b.pdf", "ab.pdf"),
    ("a%ED%A0%80b.pdf", "a%ED%A0%80b.pdf"),  # a UTF-8 encoded surrogate is not valid UTF-8: kept as sent
    ("..", "证明材料.pdf"),
    ("", "证明材料.pdf"),
    (None, "证明材料.pdf"),
])
def test_sanitize(raw, expected):
    assert sanitize_file_name(raw, "application/pdf") == expected


def test_long_names_keep_extension():
    name = sanitize_file_name("长" * 300 + ".pdf", "application/pdf")
    assert len(name) <= 120 and name.endswith(".pdf")


def test_content_disposition_rfc5987():
    header = content_disposition('职称 "证书";.pdf')
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E8%81%8C%E7%A7%B0%20%22%E8%AF%81%E4%B9%A6%22%3B.pdf" in header
    assert '"' not in header.split('filename="')[1].split('"')[0]
