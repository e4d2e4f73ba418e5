"""The consolidated opinions of a document as CSV (for Excel) and PDF (for the file)."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF

from server.permissions import DocumentAction, Permission
from server.services import Context, operation, users
from server.services.documents import access, opinions
from server.timezone import local
from storage.pdf.fonts import DEJAVU_SANS


@dataclass(frozen=True)
class Row:
    unit: str
    person: str
    page: int
    text: str
    at: str


@dataclass(frozen=True)
class Export:
    document_title: str
    meeting_title: str
    rows: list[Row]
    silent_units: list[str]  # invited units that have not commented


@operation("opinion.export", Permission.AUTHENTICATED)
async def collect(ctx: Context, document_id: int) -> Export:
    view = await access.load(ctx, document_id, DocumentAction.OVERSEE)
    found = await opinions.read(ctx, document_id)
    people = await users.directory(ctx, {c.user_id for c in found.comments})
    units = await users.unit_names(ctx)
    rows = [
        Row(
            units.get(c.unit_id, ""),
            people[c.user_id].full_name if c.user_id in people else "?",
            c.page,
            c.text,
            f"{local(c.created_at):%d/%m/%Y %H:%M}",
        )
        for c in found.comments
    ]
    rows.sort(key=lambda r: (r.unit, r.page))
    silent = sorted(units.get(u, "") for u, answered in found.units if not answered)
    return Export(view.document.title, view.meeting.meeting.title, rows, silent)


def as_csv(export: Export) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Đơn vị", "Người góp ý", "Trang", "Nội dung", "Thời điểm"])
    for row in export.rows:
        writer.writerow([row.unit, row.person, row.page, row.text, row.at])
    for unit in export.silent_units:
        writer.writerow([unit, "", "", "(chưa góp ý)", ""])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read Vietnamese right


# fpdf2 leaves the cursor to the right of a multi_cell; text flows down the page instead.
NEXT_LINE: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT"}


def _pdf(export: Export) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", fname=str(DEJAVU_SANS))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("dejavu", size=14)
    pdf.multi_cell(0, 8, "TỔNG HỢP Ý KIẾN GÓP Ý", align="C", **NEXT_LINE)
    pdf.set_font("dejavu", size=11)
    pdf.multi_cell(
        0, 6, f"Tài liệu: {export.document_title}\nCuộc họp: {export.meeting_title}", **NEXT_LINE
    )
    pdf.ln(3)
    for row in export.rows:
        pdf.set_font("dejavu", size=10)
        pdf.multi_cell(
            0, 5, f"{row.unit} — {row.person} — trang {row.page} — {row.at}", **NEXT_LINE
        )
        pdf.set_font("dejavu", size=11)
        pdf.multi_cell(0, 6, row.text, **NEXT_LINE)
        pdf.ln(2)
    if export.silent_units:
        pdf.set_font("dejavu", size=11)
        pdf.multi_cell(0, 6, "Đơn vị chưa góp ý: " + ", ".join(export.silent_units), **NEXT_LINE)
    return bytes(pdf.output())


async def as_pdf(export: Export) -> bytes:
    return await asyncio.to_thread(_pdf, export)  # a few ms of CPU, kept off the event loop
