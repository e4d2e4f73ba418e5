"""Stamp every page of a secret document with who is reading it, when, and for which meeting.

How: one overlay page is drawn per viewer with fpdf2 (tiled diagonal text in an embedded
DejaVu Sans subset, so the Vietnamese is exact and a PDF reader can extract it), turned into a
single Form XObject, and every page gets two tiny content streams around its own:
"q" before, "Q q <matrix> cm /EcWm Do Q" after. No page's content is parsed or rewritten.

Why not pypdf's `merge_page`: it parses and re-serialises every page's content stream, ~29 ms
a page (2.9 s for 100 pages). The shared XObject costs ~0.4 ms a page (see
scripts/bench/documents.py), within the 150 ms goal for 100 pages with pypdf alone; pikepdf
(qpdf) would save another ~15 ms per 100 pages but bring an 11 MB native dependency.

A watermark is a deterrent, not DRM: it names the leaker; a determined one can edit it out.
The whole file is rewritten (no incremental update), so cutting the file back to an earlier
revision does not recover an unstamped copy.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from fpdf import FPDF
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
)

from storage.pdf.fonts import covers, vietnamese_font_path

# The overlay is a square as wide as A4 is tall, scaled to each page's longer side.
CANVAS = 842.0
FONT_SIZE = 12.0  # readable on a tablet at fit-to-width, small enough not to hide the text
LEADING = 15.0  # between the stamp's two lines
ROW_GAP = 95.0  # between rows of stamps: several on every A5 area a photo might capture
COLUMN_GAP = 70.0  # between stamps along a row
ANGLE = 35.0  # degrees: diagonal, but still easy to read without turning the head
OPACITY = 0.2  # the page stays readable underneath
COLOUR = (190, 20, 20)  # a stamp's red
MAX_FIELD = 80  # characters per field: a unit's full name fits; a pasted paragraph does not
XOBJECT_NAME = "EcWm"


@dataclass(frozen=True)
class Stamp:
    viewer: str  # "Nguyễn Văn An"
    unit: str  # "Phòng Tài chính - Kế hoạch"
    meeting: str  # "Họp UBND huyện tháng 12/2026"
    issued_at: str  # formatted by the caller in the meeting's time zone: "29/11/2026 19:40"
    label: str = "MẬT"

    def lines(self) -> tuple[str, str]:
        def clean(value: str) -> str:
            return covers(" ".join(value.split())[:MAX_FIELD])

        first = f"{clean(self.label)} · {clean(self.viewer)} · {clean(self.unit)}"
        return first, f"{clean(self.meeting)} · {clean(self.issued_at)}"


def stamp_pdf(source: Path, target: Path, stamp: Stamp) -> int:
    """Write `source` to `target` with `stamp` on every page; returns the page count."""
    overlay = PdfReader(io.BytesIO(build_overlay(stamp))).pages[0]
    writer = PdfWriter(clone_from=source)
    form = _as_form(writer, overlay)
    opening = _add_stream(writer, b"q\n")
    closings: dict[tuple[str, str], IndirectObject] = {}
    for page in writer.pages:
        name = _attach(page, form)
        key = (name, _placement(page.cropbox, int(page.rotation) % 360))
        if key not in closings:
            closings[key] = _add_stream(writer, f"Q q {key[1]} cm /{name} Do Q\n".encode())
        _wrap(page, opening, closings[key])
    with target.open("wb") as f:
        writer.write(f)
    return len(writer.pages)


def build_overlay(stamp: Stamp) -> bytes:
    """A one-page PDF: the stamp's two lines tiled diagonally over a CANVAS-sized square."""
    pdf = FPDF(unit="pt", format=(CANVAS, CANVAS))
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu-vi", fname=str(vietnamese_font_path()))
    pdf.set_font("dejavu-vi", size=FONT_SIZE)
    pdf.add_page()
    first, second = stamp.lines()
    step = max(pdf.get_string_width(first), pdf.get_string_width(second)) + COLUMN_GAP
    with (
        pdf.local_context(fill_opacity=OPACITY, text_color=COLOUR),
        pdf.rotation(ANGLE, CANVAS / 2, CANVAS / 2),
    ):
        for x, y in _tile_origins(step):
            pdf.text(x, y, first)
            pdf.text(x, y + LEADING, second)
    return bytes(pdf.output())


def _tile_origins(step: float) -> list[tuple[float, float]]:
    # Rotated about the centre, the square's corners reach out to half its diagonal.
    reach = CANVAS * (math.sqrt(2) - 1) / 2
    rows = math.ceil((CANVAS + 2 * reach) / ROW_GAP) + 1
    cols = math.ceil((CANVAS + 2 * reach) / step) + 1
    return [
        (-reach + col * step + (row % 2) * step / 2 - step / 2, -reach + row * ROW_GAP)
        for row in range(rows)
        for col in range(cols)
    ]


def _as_form(writer: PdfWriter, overlay: PageObject) -> IndirectObject:
    form = DecodedStreamObject()
    contents = overlay.get_contents()
    form.set_data(contents.get_data() if contents is not None else b"")
    resources = cast(DictionaryObject, overlay["/Resources"].get_object())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): RectangleObject((0, 0, CANVAS, CANVAS)),
            NameObject("/Resources"): resources.clone(writer),
        }
    )
    # _add_object is pypdf's only way to make an indirect object; pinned and covered by tests.
    return writer._add_object(form.flate_encode())


def _add_stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _attach(page: DictionaryObject, form: IndirectObject) -> str:
    """Name the overlay in the page's resources (shared dictionaries get it once)."""
    resources = _own_resources(page)
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    xobjects = cast(DictionaryObject, resources["/XObject"].get_object())
    name, n = XOBJECT_NAME, 0
    while f"/{name}" in xobjects and xobjects[f"/{name}"] != form:
        n += 1
        name = f"{XOBJECT_NAME}{n}"  # the page already uses our name for something else
    xobjects[NameObject(f"/{name}")] = form
    return name


def _own_resources(page: DictionaryObject) -> DictionaryObject:
    if "/Resources" not in page:
        inherited, node = None, page.get("/Parent")
        while inherited is None and node is not None:
            node = node.get_object()
            inherited, node = node.get("/Resources"), node.get("/Parent")
        fresh = DictionaryObject(inherited.get_object() if inherited is not None else {})
        page[NameObject("/Resources")] = fresh
    return cast(DictionaryObject, page["/Resources"].get_object())


def _placement(box: RectangleObject, rotation: int) -> str:
    """The `cm` matrix that lays the square overlay upright over the page as displayed.

    The square is scaled to the box's longer side and centred on the box, so it covers the page
    whatever the rotation; turning it by the page's /Rotate makes the text run the same way as
    the page is shown.
    """
    left, bottom = float(min(box.left, box.right)), float(min(box.bottom, box.top))
    width, height = abs(float(box.width)), abs(float(box.height))
    scale = max(width, height) / CANVAS
    cos, sin = round(math.cos(math.radians(rotation))), round(math.sin(math.radians(rotation)))
    a, b, c, d = scale * cos, scale * sin, -scale * sin, scale * cos
    half = CANVAS / 2
    e = left + width / 2 - (a * half + c * half)
    f = bottom + height / 2 - (b * half + d * half)
    return " ".join(f"{v:.4f}" for v in (a, b, c, d, e, f))


def _wrap(page: DictionaryObject, opening: IndirectObject, closing: IndirectObject) -> None:
    existing = page.get("/Contents")
    resolved = existing.get_object() if existing is not None else None
    parts = ArrayObject([opening])
    if isinstance(resolved, ArrayObject):
        parts.extend(resolved)
    elif isinstance(resolved, StreamObject):
        parts.append(page.raw_get("/Contents"))
    parts.append(closing)
    page[NameObject("/Contents")] = parts
