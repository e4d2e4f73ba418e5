"""What document services need besides the database: the store, the derived-file cache and
the PDF engine (worker processes). One instance per server, in an AppKey."""

from __future__ import annotations

from dataclasses import dataclass

from storage.documents import DerivedCache, DocumentStore
from storage.pdf import PdfEngine


@dataclass(frozen=True)
class DocumentResources:
    store: DocumentStore
    derived: DerivedCache
    engine: PdfEngine
    max_upload_bytes: int
