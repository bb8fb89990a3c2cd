"""The printable 电子职称证书: certificate data → PDF bytes, with a QR code to verification.

A pure function (no I/O): the download route streams what it returns. Chinese is written
with reportlab's `UnicodeCIDFont("STSong-Light")`, a standard Adobe-GB1 CID font that PDF
viewers substitute, so no font file ships with the server and the PDF stays small. The QR
code (segno, error correction M) is drawn as vector squares: it stays sharp when printed.
"""

from __future__ import annotations

import io
from functools import cache

import segno
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from rules.certificates import CertificateView

FONT = "STSong-Light"
_RED = Color(0.70, 0.08, 0.08)


@cache
def _register_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render_certificate(view: CertificateView, verify_url: str) -> bytes:
    """One A4 page: title, the certificate's lines, the issuing office, and the QR code."""
    font = _register_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)  # invariant: same data, same bytes
    canvas.setTitle(f"专业技术资格证书 {view.number}")
    canvas.setAuthor(view.issued_by)
    width, height = A4
    _frame(canvas, width, height)
    canvas.setFillColor(_RED)
    canvas.setFont(font, 30)
    canvas.drawCentredString(width / 2, height - 55 * mm, "专业技术资格证书")
    canvas.setFillColor(black)
    canvas.setFont(font, 13)
    y = height - 85 * mm
    for label, value in view.lines():
        canvas.drawString(35 * mm, y, f"{label}：")
        canvas.drawString(65 * mm, y, value)
        y -= 11 * mm
    canvas.drawRightString(width - 35 * mm, 70 * mm, view.issued_by)
    _qr(canvas, verify_url, x=35 * mm, y=40 * mm, size=40 * mm)
    canvas.setFont(font, 9)
    canvas.drawString(35 * mm, 34 * mm, "扫描二维码或访问证书查询页面，输入证书编号和姓名核验真伪")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _frame(canvas: Canvas, width: float, height: float) -> None:
    canvas.setStrokeColor(_RED)
    canvas.setLineWidth(3)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(19 * mm, 19 * mm, width - 38 * mm, height - 38 * mm)


def _qr(canvas: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    """The QR code of `data` as filled squares, quiet zone included, in a `size` square."""
    qr = segno.make_qr(data, error="m")
    rows = list(qr.matrix_iter(scale=1, border=4))
    module = size / len(rows)
    canvas.setFillColor(black)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * module, top, module, module, stroke=0, fill=1)
