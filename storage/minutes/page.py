"""The building blocks of a Vietnamese administrative document on an A4 page (fpdf2).

Sizes and positions follow Nghị định 30/2020/NĐ-CP, Phụ lục I: margins 20 mm top and bottom,
30 mm left, 15 mm right; the issuing unit and the national motto side by side at the top;
body text justified with an indented first line; page numbers from page 2, centred at the top.
`layout` composes these into minutes and notices; this module knows nothing about meetings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from storage.minutes.fonts import FAMILY, FontFamily
from storage.minutes.model import Heading, Signatory
from storage.minutes.wording import nfc, place_and_date, upper

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"

LEFT, TOP, RIGHT, BOTTOM = 30.0, 20.0, 15.0, 20.0
PAGE_WIDTH = 210.0
BODY_WIDTH = PAGE_WIDTH - LEFT - RIGHT
BODY_PT = 13.0
LINE = 6.2  # mm per body line: 13 pt with the ~1.35 spacing Word gives Times New Roman
INDENT = 10.0  # first-line indent of a paragraph
# The header's two columns: issuing unit on the left, motto on the right. The left one starts
# left of the body margin, as in the Word templates offices use.
UNIT_X, UNIT_W = 18.0, 72.0
MOTTO_X, MOTTO_W = 90.0, 110.0
SIGN_SPACE = 28.0  # room for a handwritten signature or the visible digital-signature stamp
SIGNATURES_HEIGHT = 4 + 2 * 6 + SIGN_SPACE + 6  # gap, two title lines, the space, the name


@dataclass(frozen=True)
class Box:
    """A rectangle on a page in PDF points from the bottom-left (what signature fields use)."""

    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float


class AdminPdf(FPDF):
    def __init__(self, fonts: FontFamily, *, title: str, author: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        for style, path in fonts.files().items():
            self.add_font(FAMILY, style, str(path))
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_lang("vi")
        self.set_title(nfc(title))
        self.set_author(nfc(author))
        self.set_creator("eCabinet")
        self.add_page()

    # Called by fpdf2 on each new page.
    def header(self) -> None:
        if self.page_no() > 1:
            self.font(size=BODY_PT)
            self.set_y(10)
            self.cell(0, 5, str(self.page_no()), align=Align.C)
            self.set_y(TOP)

    def font(self, style: str = "", size: float = BODY_PT) -> None:
        self.set_font(FAMILY, style, size)

    # --- header and title -------------------------------------------------------------------

    def heading_block(self, heading: Heading) -> None:
        """Issuing unit and number left, national motto and place-date right."""
        top = self.get_y()
        left_bottom = self._unit_column(heading, top)
        right_bottom = self._motto_column(top)
        y = max(left_bottom, right_bottom) + 1.5
        self.font(size=13)
        self.set_xy(UNIT_X, y)
        self.cell(UNIT_W, 6, f"Số: {heading.reference}", align=Align.C)
        self.font("I", 14)
        self.set_xy(MOTTO_X, y)
        self.cell(MOTTO_W, 6, nfc(place_and_date(heading.place, heading.issued_on)), align=Align.C)
        self.set_xy(LEFT, y + 14)

    def _unit_column(self, heading: Heading, top: float) -> float:
        self.set_xy(UNIT_X, top)
        if heading.parent_unit:
            self.font(size=13)
            self._centred_lines(upper(heading.parent_unit), UNIT_X, UNIT_W, 5.8)
        self.font("B", 13)
        lines = self._centred_lines(upper(heading.unit), UNIT_X, UNIT_W, 5.8)
        # A short rule under the unit: a third to a half of its longest line.
        self._rule_under(UNIT_X, UNIT_W, max(self.get_string_width(s) for s in lines) * 0.45)
        return self.get_y()

    def _motto_column(self, top: float) -> float:
        self.set_xy(MOTTO_X, top)
        self.font("B", 12.5)
        self.cell(MOTTO_W, 5.8, MOTTO, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font("B", 13.5)
        self.cell(MOTTO_W, 6.2, MOTTO_LINE, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        # The motto line is ruled as long as itself.
        self._rule_under(MOTTO_X, MOTTO_W, self.get_string_width(MOTTO_LINE), gap=0.3)
        return self.get_y()

    def _rule_under(self, x: float, width: float, length: float, gap: float = 1.6) -> None:
        """A centred rule `gap` mm under the line above: clear of dots below letters (ệ, ộ)."""
        y = self.get_y() + gap
        start = x + (width - length) / 2
        self.set_line_width(0.3)
        self.line(start, y, start + length, y)
        self.set_y(y + 1)

    def title_block(self, kind: str, summary: str) -> None:
        """ "BIÊN BẢN" and the trích yếu under it, centred and bold, with a short rule."""
        self.ln(2)
        self.font("B", 14)
        self.cell(0, 7, upper(kind), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        lines = self._centred_lines(nfc(summary), LEFT, BODY_WIDTH, 6.5)
        self._rule_under(LEFT, BODY_WIDTH, min(max(map(self.get_string_width, lines)), 60) * 0.6)
        self.set_x(LEFT)
        self.ln(5)

    def _centred_lines(self, text: str, x: float, width: float, height: float) -> list[str]:
        lines = balanced_lines(text, width, self.get_string_width)
        for line in lines:
            self.set_x(x)
            self.cell(width, height, line, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        return lines

    # --- body ---------------------------------------------------------------------------------

    def section(self, text: str) -> None:
        """A numbered heading: "I. THÀNH PHẦN THAM DỰ", "1. Dự toán ngân sách"."""
        self.keep_with_next(3 * LINE)
        self.ln(1.5)
        self.font("B")
        self.multi_cell(0, LINE, nfc(text), align=Align.J, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def subheading(self, text: str, *, keep: float = 2 * LINE) -> None:
        """ "a) Ý kiến phát biểu": bold italic, at the paragraph indent, on the page of the
        first `keep` mm of what follows."""
        self.keep_with_next(keep + LINE)
        self.font("BI")
        self.set_x(LEFT + INDENT)
        self.multi_cell(0, LINE, nfc(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, *, label: str = "", dash: bool = False) -> None:
        """Justified text, first line indented, continuation lines back at the margin (as Word
        lays out administrative texts); `label` ("Thời gian:") in bold before it, `dash` puts
        the "- " of a list item in front."""
        self.font()  # the region measures with the font current when it opens
        region = self.text_columns(text_align=Align.J, line_height=LINE / _pt_to_mm(BODY_PT))
        with region, region.paragraph(first_line_indent=INDENT, bottom_margin=1.2) as p:
            if dash:
                p.write("- ")
            if label:
                self.font("B")
                p.write(nfc(label) + (" " if text else ""))
                self.font()
            p.write(nfc(text))
        self.set_x(LEFT)

    def last_paragraph(self, text: str) -> None:
        """The paragraph before the signatures, moved to the next page with them when they would
        not fit: a signature block alone on a page could be attached to any text."""
        self.font()
        lines = count_lines(self, BODY_WIDTH - INDENT, nfc(text))
        self.keep_with_next(lines * LINE + SIGNATURES_HEIGHT)
        self.paragraph(text)

    def paragraphs(self, text: str) -> None:
        """Free text as the secretary typed it: one paragraph per line, blank lines dropped."""
        for line in text.splitlines():
            if line.strip():
                self.paragraph(line.strip())

    def bullet(self, text: str, *, label: str = "") -> None:
        """ "- Đồng chí …": a list item."""
        self.paragraph(text, label=label, dash=True)

    def ruled_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str] | str],
        widths: Sequence[float],
        aligns: Sequence[str],
    ) -> None:
        """A ruled table; a plain string in `rows` is a group row spanning all columns."""
        self.font(size=12)
        self.ln(1)
        with self.table(
            col_widths=tuple(widths),
            width=BODY_WIDTH,
            text_align=tuple(aligns),
            line_height=5.4,
            padding=(0.8, 1.2),
            headings_style=FontFace(emphasis="BOLD"),
            v_align="MIDDLE",
        ) as table:
            self._table_row(table, headings, center=True)
            for row in rows:
                if isinstance(row, str):
                    table.row().cell(
                        nfc(row),
                        colspan=len(headings),
                        align=Align.L,
                        style=FontFace(emphasis="ITALICS"),
                    )
                else:
                    self._table_row(table, row)
        self.ln(3)

    @staticmethod
    def _table_row(table: Any, cells: Sequence[str], *, center: bool = False) -> None:
        row = table.row()
        for text in cells:
            row.cell(nfc(text), align=Align.C if center else None)

    def keep_with_next(self, needed: float) -> None:
        """A new page unless `needed` mm are left: a heading alone at the foot of a page reads
        as a mistake in a signed document."""
        if self.get_y() + needed > self.h - BOTTOM:
            self.add_page()

    # --- end of the document ----------------------------------------------------------------

    def signature_blocks(
        self,
        right: Signatory,
        left: Signatory | None = None,
        recipients: Sequence[str] = (),
    ) -> Box:
        """The right block (the signer with authority), and on the left either a second signer
        or "Nơi nhận". Returns where the right block's signature goes, for the signature field."""
        needed = SIGNATURES_HEIGHT
        if recipients:
            needed = max(needed, 8 + 5 * (len(recipients) + 1))
        self.keep_with_next(needed)
        self.ln(4)
        top = self.get_y()
        col_w = BODY_WIDTH / 2
        right_x = LEFT + col_w
        box_top = self._signatory(right, right_x, col_w, top)
        if left is not None:
            self._signatory(left, LEFT, col_w, top)
        if recipients:
            self._recipients(recipients, LEFT, col_w - 5, top)
        return self._box(right_x + 5, box_top, col_w - 10, SIGN_SPACE)

    def _signatory(self, who: Signatory, x: float, width: float, top: float) -> float:
        """Authority and title in bold capitals, room to sign, the name in bold."""
        self.set_xy(x, top)
        self.font("B", 13)
        for line in (who.authority, who.title):
            if line:
                self.set_x(x)
                self.cell(width, 6, upper(line), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        space_top = self.get_y()
        self.set_xy(x, space_top + SIGN_SPACE)
        self.font("B", 13)
        self.cell(width, 6, nfc(who.name), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        return space_top

    def _recipients(self, recipients: Sequence[str], x: float, width: float, top: float) -> None:
        self.set_xy(x, top)
        self.font("BI", 12)
        self.cell(width, 5, "Nơi nhận:", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(size=11)
        last = len(recipients) - 1
        for i, recipient in enumerate(recipients):
            # Each ends in ";", the last in "." as the decree's model shows.
            text = "- " + nfc(recipient).rstrip(";.") + ("." if i == last else ";")
            self.set_x(x)
            self.multi_cell(width, 4.8, text, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def _box(self, x: float, y: float, width: float, height: float) -> Box:
        scale = 72 / 25.4
        return Box(
            page=self.page_no() - 1,
            x1=round(x * scale, 2),
            y1=round((self.h - y - height) * scale, 2),
            x2=round((x + width) * scale, 2),
            y2=round((self.h - y) * scale, 2),
        )


def balanced_lines(text: str, width: float, measure: Any) -> list[str]:
    """`text` on as few lines as fit in `width`, split where the lines are most even:
    "ỦY BAN NHÂN DÂN / HUYỆN CHÂU THÀNH", not "ỦY BAN NHÂN DÂN HUYỆN CHÂU / THÀNH".
    An explicit newline in `text` always breaks."""
    lines: list[str] = []
    for part in text.split("\n"):
        lines.extend(_balance(part.split(), width, measure))
    return lines


def _balance(words: list[str], width: float, measure: Any) -> list[str]:
    """Fewest lines first, then the narrowest widest line (dynamic programming from the end)."""
    if not words:
        return [""]
    n = len(words)
    # best[i]: (line count, widest line, cut after line 1) for words[i:]
    best: list[tuple[int, float, int]] = [(0, 0.0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        options = []
        for j in range(i + 1, n + 1):
            w = measure(" ".join(words[i:j]))
            if w > width and j > i + 1:
                break  # longer heads only get wider; a single long word must still go somewhere
            count, widest, _ = best[j]
            options.append((count + 1, max(w, widest), j))
        best[i] = min(options)
    lines, i = [], 0
    while i < n:
        j = best[i][2]
        lines.append(" ".join(words[i:j]))
        i = j
    return lines


def count_lines(pdf: FPDF, width: float, text: str) -> int:
    """How many lines `text` takes at `width` in the current font (a slight overestimate for
    an indented paragraph is on the safe side)."""
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")
    return len(lines) if isinstance(lines, list) else 1


def _pt_to_mm(pt: float) -> float:
    return pt * 25.4 / 72
