"""Check an uploaded PDF and read what the meeting needs from it: pages, sizes, text, title.

pypdf decides whether the file is acceptable (header, structure, encryption, page tree, the
decoded size of every page's content); PDFium then extracts the text, 8x faster than pypdf's
pure-Python extractor (~1 ms against ~8 ms a page), which is what keeps a 100-page ingest
within 0.3 s. Runs in a worker process (see isolation.py): both libraries parse hostile bytes.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from storage.pdf.errors import PdfRejected
from storage.pdf.sniff import require_pdf_header

log = logging.getLogger(__name__)
MiB = 1024 * 1024

# Acrobat's rule: "%%EOF" must sit in the last KiB. Missing means the upload was cut short.
EOF_WINDOW = 1024


@dataclass(frozen=True)
class InspectLimits:
    # A budget law with appendices runs to ~1 500 pages; more is a mistake or an attack.
    max_pages: int = 2000
    # One page's decoded drawing: dense CAD plans reach ~30 MB; 64 MB leaves room.
    max_stream_bytes: int = 64 * MiB
    # All pages' decoded drawings together: 2 000 text pages are ~100 MB.
    max_decoded_bytes: int = 512 * MiB
    # Text kept per page for search: a dense 6-pt page has ~15 000 characters.
    max_text_chars: int = 50_000


@dataclass(frozen=True)
class PageSize:
    width: float  # points (1/72 inch), as displayed (after /Rotate)
    height: float
    rotation: int  # 0, 90, 180 or 270


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    sizes: tuple[PageSize, ...]
    texts: tuple[str, ...]  # one per page, NFC, for the search index
    title: str | None


def inspect_pdf(path: Path, limits: InspectLimits | None = None) -> PdfInfo:
    """Validate the PDF at `path` and describe it; raises `PdfRejected` with the reason."""
    limits = limits or InspectLimits()
    require_pdf_header(path)
    _require_eof_marker(path)
    with apply_configuration(**_pypdf_caps(limits)):
        try:
            sizes, title = _check_structure(path, limits)
        except PdfRejected:
            raise
        except LimitReachedError:
            raise PdfRejected("document_bomb") from None
        except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            log.info("PDF refused as corrupt: %s: %s", type(exc).__name__, exc)
            raise PdfRejected("document_corrupt") from None
    texts = _extract_texts(path, len(sizes), limits.max_text_chars)
    return PdfInfo(pages=len(sizes), sizes=sizes, texts=texts, title=title)


def _pypdf_caps(limits: InspectLimits) -> dict[str, Any]:
    one = limits.max_stream_bytes
    return {
        "maximum_declared_stream_length": one,
        "zlib_maximum_output_length": one,
        "lzw_maximum_output_length": one,
        "run_length_maximum_output_length": one,
        "array_based_stream_maximum_output_length": one,
        "jbig2dec_binary": None,  # never start an external decoder on hostile input
        # Flattening visits pages and the (far fewer) nodes above them: twice the limit is ample.
        "page_tree_maximum_entries": limits.max_pages * 2,
    }


def _require_eof_marker(path: Path) -> None:
    with path.open("rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - EOF_WINDOW))
        if b"%%EOF" not in f.read():
            raise PdfRejected("document_corrupt")


def _check_structure(path: Path, limits: InspectLimits) -> tuple[tuple[PageSize, ...], str | None]:
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        raise PdfRejected("document_encrypted")
    _check_page_count(reader, limits.max_pages)
    sizes = []
    decoded = 0
    for page in reader.pages:
        sizes.append(_page_size(page))
        decoded += _decoded_size(page, limits.max_stream_bytes)
        if decoded > limits.max_decoded_bytes:
            raise PdfRejected("document_bomb")
    return tuple(sizes), _title(reader)


def _check_page_count(reader: PdfReader, max_pages: int) -> None:
    # The page tree's /Count is a claim; check it before flattening walks the tree, then the fact.
    root_pages = reader.root_object["/Pages"].get_object()
    if not isinstance(root_pages, DictionaryObject):
        raise PdfRejected("document_corrupt")
    claimed = int(root_pages.get("/Count", 0))
    if claimed > max_pages:
        raise PdfRejected("document_too_many_pages", pages=claimed, limit=max_pages)
    try:
        actual = len(reader.pages)
    except LimitReachedError:  # a page tree that lies about its /Count
        raise PdfRejected(
            "document_too_many_pages", pages=f">{max_pages * 2}", limit=max_pages
        ) from None
    if actual == 0:
        raise PdfRejected("document_no_pages")
    if actual > max_pages:
        raise PdfRejected("document_too_many_pages", pages=actual, limit=max_pages)


def _page_size(page: Any) -> PageSize:
    box = page.cropbox
    rotation = int(page.rotation) % 360
    width, height = abs(float(box.width)), abs(float(box.height))
    if rotation in (90, 270):
        width, height = height, width
    return PageSize(round(width, 2), round(height, 2), rotation)


def _decoded_size(page: DictionaryObject, max_stream: int) -> int:
    """Decode the page's content and its direct form XObjects; PDFium will decode them too."""
    total = 0
    for stream in _drawing_streams(page):
        size = len(stream.get_data())
        if size > max_stream:
            raise PdfRejected("document_bomb")
        total += size
    return total


def _drawing_streams(page: DictionaryObject) -> Iterator[StreamObject]:
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    items = contents if isinstance(contents, ArrayObject) else [contents]
    for item in items:
        obj = item.get_object() if isinstance(item, IndirectObject) else item
        if isinstance(obj, StreamObject):
            yield obj
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    for ref in (xobjects.get_object() if xobjects is not None else {}).values():
        obj = ref.get_object()
        if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Form":
            yield obj


def _title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except PyPdfError:
        return None
    return unicodedata.normalize("NFC", title).strip() or None if isinstance(title, str) else None


def _extract_texts(path: Path, pages: int, max_chars: int) -> tuple[str, ...]:
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        raise PdfRejected("document_corrupt") from None
    try:
        if len(document) != pages:
            raise PdfRejected("document_corrupt")  # the two parsers disagree: damaged file
        return tuple(_page_text(document, i, max_chars) for i in range(pages))
    finally:
        document.close()


def _page_text(document: pdfium.PdfDocument, index: int, max_chars: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))[:max_chars]
