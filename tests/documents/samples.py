"""Files the tests make instead of shipping binaries: good PDFs, bad PDFs, office files."""

from __future__ import annotations

import functools
import struct
import zipfile
import zlib
from collections.abc import Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject, StreamObject

from storage.pdf.fonts import vietnamese_font_path

A4 = (595.28, 841.89)
A4_LANDSCAPE = (841.89, 595.28)
VIETNAMESE = "Kế hoạch phát triển kinh tế - xã hội năm 2026 của Ủy ban nhân dân huyện Đông Anh"


def text_pdf(
    pages: Sequence[str],
    *,
    sizes: Sequence[tuple[float, float]] = (),
    title: str | None = None,
) -> bytes:
    """One page per text, in DejaVu Sans (Vietnamese survives extraction)."""
    pdf = FPDF(unit="pt")
    pdf.add_font("dejavu", fname=str(vietnamese_font_path()))
    pdf.set_font("dejavu", size=12)
    if title:
        pdf.set_title(title)
    for index, text in enumerate(pages):
        pdf.add_page(format=sizes[index] if index < len(sizes) else A4)
        pdf.multi_cell(0, 16, text)
    return bytes(pdf.output())


def rotated(pdf: bytes, rotations: Sequence[int]) -> bytes:
    writer = PdfWriter(clone_from=BytesIO(pdf))
    for page, rotation in zip(writer.pages, rotations, strict=False):
        page.rotation = rotation
    return _written(writer)


def blank_pdf(pages: int, *, claimed_count: int | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*A4)
    if claimed_count is not None:  # a page tree that lies about its size
        writer._root_object["/Pages"][NameObject("/Count")] = NumberObject(claimed_count)  # type: ignore[index]
    return _written(writer)


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=BytesIO(text_pdf(["Mật"])))
    writer.encrypt("mat-khau", algorithm="RC4-128")  # RC4 needs no crypto library
    return _written(writer)


@functools.cache
def bomb_pdf(decoded_bytes: int = 100 * 1024 * 1024) -> bytes:
    """A one-page PDF whose content stream inflates ~1000-fold (100 MB from ~100 KB)."""
    compressor = zlib.compressobj(9)
    block = b" " * (1024 * 1024)
    data = b"".join(compressor.compress(block) for _ in range(decoded_bytes // len(block)))
    data += compressor.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(*A4)
    stream = StreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    return _written(writer)


def truncated(pdf: bytes, keep: float = 0.6) -> bytes:
    return pdf[: int(len(pdf) * keep)]


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def _written(writer: PdfWriter) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- office files

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OOXML = "application/vnd.openxmlformats-officedocument"


def docx(paragraphs: Sequence[str]) -> bytes:
    """The smallest DOCX Word and LibreOffice open: content types, one relationship, a body."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    return ooxml(f"{_OOXML}.wordprocessingml.document.main+xml", "word/document.xml", document)


def ooxml(main_type: str, main_part: str, main_xml: str = "<x/>") -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main_part}"/></Relationships>'
    )
    return zip_of({"[Content_Types].xml": types, "_rels/.rels": rels, main_part: main_xml})


def odt() -> bytes:
    return zip_of({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})


def zip_of(entries: dict[str, str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return out.getvalue()


def compound_file(stream_names: Sequence[str]) -> bytes:
    """A minimal OLE2 compound file (as .doc/.xls/.ppt are) whose directory lists these streams:
    sector 0 holds the FAT, sector 1 the directory."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))
    directory = b"".join(
        _directory_entry(name, kind)
        for name, kind in [("Root Entry", 5)] + [(n, 2) for n in stream_names]
    ).ljust(512, b"\0")
    return bytes(header) + fat + directory


def _directory_entry(name: str, kind: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    entry = bytearray(128)
    entry[: len(encoded)] = encoded
    struct.pack_into("<HB", entry, 0x40, len(encoded), kind)
    return bytes(entry)
