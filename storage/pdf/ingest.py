"""An upload, from the first byte to stored blobs: what an upload handler calls.

    ingested = await ingest(store, engine, chunks_from(field.read_chunk), max_bytes=cap)

Streams the upload into the store's temporary area (cap enforced while reading), sniffs its
kind from the bytes, converts an office file to PDF, validates the PDF in a worker process,
then publishes the original and the PDF under their sha256. Any refusal raises a
`DocumentError` and leaves no file behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from dataclasses import dataclass

from storage.documents import DEFAULT_MAX_BYTES, DocumentStore, StoredBlob, put_file
from storage.pdf.engine import PdfEngine
from storage.pdf.inspect import PdfInfo
from storage.pdf.sniff import FileKind


@dataclass(frozen=True)
class Ingested:
    original: StoredBlob  # the bytes as uploaded (offered as "download the original")
    pdf: StoredBlob  # what viewers read: the original itself for a PDF, else its conversion
    kind: FileKind
    info: PdfInfo  # pages, sizes, per-page text for the search index, title

    @property
    def created(self) -> tuple[StoredBlob, ...]:
        """Blobs this upload added (not deduplicated): delete these if the database insert fails."""
        return tuple({b.sha256: b for b in (self.original, self.pdf) if b.created}.values())


async def ingest(
    store: DocumentStore,
    engine: PdfEngine,
    source: AsyncIterable[bytes],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Ingested:
    async with (
        store.stage(source, max_bytes=max_bytes) as upload,
        engine.prepare(upload.path) as prepared,
    ):
        pdf = await put_file(store, prepared.pdf) if prepared.converted else None
        original = await upload.commit()
    return Ingested(original, pdf or original, prepared.kind, prepared.info)
