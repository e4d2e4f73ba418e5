"""What the visible signature shows in the signature space: who signed, for which unit, when.

pyHanko's own text stamps write with the PDF standard fonts, which have no Vietnamese letters;
so the stamp is a one-page PDF drawn by fpdf2 with the document's own font and imported by
pyHanko as the field's static appearance. The dark red text mirrors the signature images
Vietnamese signing software puts on documents.
"""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from storage.minutes.fonts import FAMILY, FontFamily, default_family
from storage.minutes.page import count_lines
from storage.minutes.wording import nfc

INK = (170, 20, 20)
PAD = 4.0  # points


def stamp_pdf(
    width: float,
    height: float,
    *,
    signer_name: str,
    unit: str,
    signed_at: datetime,
    fonts: FontFamily | None = None,
) -> bytes:
    """A `width` x `height` (points) page: a thin frame and three lines of text."""
    pdf = FPDF(unit="pt", format=(width, height))
    for style, path in (fonts or default_family()).files().items():
        pdf.add_font(FAMILY, style, str(path))
    pdf.set_margins(PAD, PAD, PAD)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*INK)
    pdf.set_text_color(*INK)
    pdf.set_line_width(0.8)
    pdf.rect(0.6, 0.6, width - 1.2, height - 1.2)
    size = min(10.0, height / 6.5)
    lines = [
        ("B", f"Ký bởi: {signer_name}"),
        ("", f"Cơ quan: {unit}" if unit else ""),
        ("I", f"Thời gian ký: {signed_at:%d/%m/%Y %H:%M:%S} {_offset(signed_at)}"),
    ]
    pdf.set_y(max(PAD, (height - _text_height(pdf, lines, size, width)) / 2))
    for style, text in lines:
        if text:
            pdf.set_font(FAMILY, style, size)
            pdf.multi_cell(
                width - 2 * PAD,
                size * 1.25,
                nfc(text),
                align=Align.C,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
    return bytes(pdf.output())


def _text_height(pdf: FPDF, lines: list[tuple[str, str]], size: float, width: float) -> float:
    total = 0.0
    for style, text in lines:
        if text:
            pdf.set_font(FAMILY, style, size)
            total += count_lines(pdf, width - 2 * PAD, nfc(text)) * size * 1.25
    return total


def _offset(moment: datetime) -> str:
    """ "+07:00" for Vietnam time."""
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}" if text else ""
