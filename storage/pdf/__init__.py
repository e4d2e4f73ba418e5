"""PDF work for meeting documents: validate, extract text, watermark, pack, convert.

The server holds one `PdfEngine` (a pool of limited worker processes plus LibreOffice) and one
`DocumentStore`; `storage.pdf.ingest.ingest` takes an upload from its first byte to stored,
validated blobs (not re-exported here: it imports storage.documents, which imports our errors).
"""

from storage.pdf.convert import ConvertLimits
from storage.pdf.engine import EngineSettings, PdfEngine, Prepared
from storage.pdf.errors import (
    Busy,
    ConversionFailed,
    DocumentError,
    LimitExceeded,
    PdfRejected,
    UploadRejected,
    WorkerFailed,
)
from storage.pdf.inspect import InspectLimits, PageSize, PdfInfo
from storage.pdf.isolation import WorkerLimits, WorkerPool
from storage.pdf.pack import OutlineEntry, PackDocument, PackInfo, PackSection, pack_key
from storage.pdf.sniff import FileKind
from storage.pdf.text import Hit, find_hits, fold
from storage.pdf.watermark import Stamp

__all__ = [
    "Busy",
    "ConversionFailed",
    "ConvertLimits",
    "DocumentError",
    "EngineSettings",
    "FileKind",
    "Hit",
    "InspectLimits",
    "LimitExceeded",
    "OutlineEntry",
    "PackDocument",
    "PackInfo",
    "PackSection",
    "PageSize",
    "PdfEngine",
    "PdfInfo",
    "PdfRejected",
    "Prepared",
    "Stamp",
    "UploadRejected",
    "WorkerFailed",
    "WorkerLimits",
    "WorkerPool",
    "find_hits",
    "fold",
    "pack_key",
]
