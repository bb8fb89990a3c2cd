"""core/certificate_pdf.py: the certificate renders, with its Chinese text and a QR code that
decodes to the verification URL (poppler's pdftoppm/pdftotext, zxing-cpp)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from core.certificate_pdf import render_certificate
from rules.catalog import TitleLevel
from rules.certificates import CertificateView, certificate_number, verification_url

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftoppm, pdftotext) is not installed (.ci/run installs it)")

NUMBER = certificate_number("370000", 2026, TitleLevel.ASSOCIATE_SENIOR, 123)
VIEW = CertificateView(NUMBER, "欧阳明华", "370102********1234", "工程技术", "副高级", "高级工程师",
                       "机械工程", "山东省工程技术高级评审委员会", "山东省人力资源和社会保障厅", 2026, date(2026, 6, 30))
URL = verification_url("https://zc.example.cn", NUMBER)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("certificate") / "c.pdf"
    path.write_bytes(render_certificate(VIEW, URL))
    return path


def test_pdf_text_has_the_chinese_lines(pdf):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for expected in ("专业技术资格证书", "欧阳明华", NUMBER, "高级工程师", "370102********1234",
                     "山东省人力资源和社会保障厅", "山东省工程技术高级评审委员会"):
        assert expected in text


def test_rendered_page_is_not_blank_and_its_qr_code_decodes_to_verification(pdf, tmp_path):
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    assert image.getextrema()[0] < 64  # something dark is drawn
    dark = sum(image.histogram()[:128])
    assert dark > image.width * image.height // 200
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [URL]


def test_same_data_same_bytes():
    assert render_certificate(VIEW, URL) == render_certificate(VIEW, URL)
