"""What kind of file an upload is, decided by its bytes, never by its name.

PDF by its header; DOCX/XLSX/PPTX by the main part declared in the ZIP's [Content_Types].xml;
ODT by its `mimetype` entry; DOC/XLS/PPT by the stream names in the OLE2 compound file.
Anything else — including macro-enabled Office files and password-protected OOXML (which is an
OLE2 file holding an "EncryptedPackage") — is refused. Runs in a worker: it parses hostile input.
"""

from __future__ import annotations

import enum
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from storage.pdf.errors import PdfRejected, UploadRejected


class FileKind(enum.StrEnum):
    PDF = "pdf"
    DOC = "doc"
    DOCX = "docx"
    XLS = "xls"
    XLSX = "xlsx"
    PPT = "ppt"
    PPTX = "pptx"
    ODT = "odt"

    @property
    def needs_conversion(self) -> bool:
        return self is not FileKind.PDF


# Acrobat accepts a header anywhere in the first KiB (some scanners prepend junk); so do we.
PDF_HEADER_WINDOW = 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# [Content_Types].xml of a real document is a few KiB; more is not a document we want to read.
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileKind.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileKind.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        FileKind.PPTX
    ),
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_OLE_STREAMS = {
    "WordDocument": FileKind.DOC,
    "Workbook": FileKind.XLS,
    "Book": FileKind.XLS,  # Excel 5/95
    "PowerPoint Document": FileKind.PPT,
}


def sniff(path: Path) -> FileKind:
    """The kind of file at `path`; raises `UploadRejected` for anything we do not accept."""
    with path.open("rb") as f:
        head = f.read(PDF_HEADER_WINDOW)
        if b"%PDF-" in head:
            return FileKind.PDF
        if head.startswith(OLE_MAGIC):
            return _ole_kind(f)
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    raise UploadRejected("document_unsupported_type")


def require_pdf_header(path: Path) -> None:
    """For callers that accept PDF only: refuse anything without a PDF header."""
    with path.open("rb") as f:
        if b"%PDF-" not in f.read(PDF_HEADER_WINDOW):
            raise PdfRejected("document_not_pdf")


def _zip_kind(path: Path) -> FileKind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if _is_odt(archive, names):
                return FileKind.ODT
            if "[Content_Types].xml" in names:
                types = archive.getinfo("[Content_Types].xml")
                if types.file_size <= MAX_CONTENT_TYPES_BYTES:
                    return _ooxml_kind(archive.read(types).decode("utf-8", "replace"))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        pass
    raise UploadRejected("document_unsupported_type")


def _is_odt(archive: zipfile.ZipFile, names: set[str]) -> bool:
    # The "mimetype" entry is 39 bytes; a large one is not an OpenDocument marker.
    if "mimetype" not in names or archive.getinfo("mimetype").file_size > 100:
        return False
    return archive.read("mimetype").strip() == _ODT_MIMETYPE


def _ooxml_kind(content_types: str) -> FileKind:
    for content_type, kind in _OOXML_MAIN.items():
        if f'"{content_type}"' in content_types:
            return kind
    raise UploadRejected("document_unsupported_type")


def _ole_kind(f: BinaryIO) -> FileKind:
    names = _ole_names(f)
    if "EncryptedPackage" in names:
        raise PdfRejected("document_encrypted")
    for stream, kind in _OLE_STREAMS.items():
        if stream in names:
            return kind
    raise UploadRejected("document_unsupported_type")


# ---------------------------------------------------------------- OLE2 compound file directory
# Layout from [MS-CFB]: a 512-byte header, then sectors; a FAT maps each sector to the next one
# in its chain; the directory is a chain of 128-byte entries whose first 64 bytes are the name.

ENDOFCHAIN = 0xFFFFFFFE
DIFAT_IN_HEADER = 109
# A directory longer than this many sectors (~128 k entries) is not an Office document.
MAX_DIRECTORY_SECTORS = 4096


class _Cfb:
    def __init__(self, f: BinaryIO) -> None:
        f.seek(0)
        header = f.read(512)
        if len(header) < 512:
            raise UploadRejected("document_unsupported_type")
        shift = struct.unpack_from("<H", header, 0x1E)[0]
        if shift not in (9, 12):  # 512- or 4096-byte sectors, the only two the spec allows
            raise UploadRejected("document_unsupported_type")
        self.f = f
        self.sector_size = 1 << shift
        self.first_dir = struct.unpack_from("<I", header, 0x30)[0]
        first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
        self.fat_sectors = [
            s for s in struct.unpack_from("<109I", header, 0x4C) if s < ENDOFCHAIN
        ] + self._difat_chain(first_difat, difat_count)
        self._fat_cache: dict[int, tuple[int, ...]] = {}

    def sector(self, index: int) -> bytes:
        self.f.seek((index + 1) * self.sector_size)
        data = self.f.read(self.sector_size)
        if len(data) < self.sector_size:
            raise UploadRejected("document_unsupported_type")
        return data

    def next_sector(self, index: int) -> int:
        per_sector = self.sector_size // 4
        block = index // per_sector
        if block >= len(self.fat_sectors):
            return ENDOFCHAIN
        if block not in self._fat_cache:
            fat = self.sector(self.fat_sectors[block])
            self._fat_cache[block] = struct.unpack(f"<{per_sector}I", fat)
        return self._fat_cache[block][index % per_sector]

    def _difat_chain(self, sector: int, count: int) -> list[int]:
        per_sector = self.sector_size // 4 - 1  # the last slot points to the next DIFAT sector
        found: list[int] = []
        for _ in range(min(count, MAX_DIRECTORY_SECTORS)):
            if sector >= ENDOFCHAIN:
                break
            entries = struct.unpack(f"<{per_sector + 1}I", self.sector(sector))
            found += [s for s in entries[:per_sector] if s < ENDOFCHAIN]
            sector = entries[per_sector]
        return found


def _ole_names(f: BinaryIO) -> set[str]:
    cfb = _Cfb(f)
    names: set[str] = set()
    sector, seen = cfb.first_dir, set[int]()
    while sector < ENDOFCHAIN and sector not in seen and len(seen) < MAX_DIRECTORY_SECTORS:
        seen.add(sector)
        data = cfb.sector(sector)
        for offset in range(0, len(data), 128):
            length = struct.unpack_from("<H", data, offset + 0x40)[0]
            if 2 <= length <= 64:
                names.add(data[offset : offset + length - 2].decode("utf-16-le", "replace"))
        sector = cfb.next_sector(sector)
    return names
