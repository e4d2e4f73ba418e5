"""What document services need besides the database: the store, the derived-file cache and
the PDF engine (worker processes). One instance per server, in an AppKey."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from storage.documents import DerivedCache, DocumentStore
from storage.pdf import PdfEngine


@dataclass(frozen=True)
class DocumentResources:
    store: DocumentStore
    derived: DerivedCache
    engine: PdfEngine
    max_upload_bytes: int
    # Agenda-pack reads in flight, by meeting: requests that arrive meanwhile share one
    # (server/services/documents/files.py, `_pack_rows`).
    pack_reads: dict[int, asyncio.Future[Any]] = field(default_factory=dict)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def store_bytes(store: DocumentStore, data: bytes) -> str:
    """Keep bytes the server made (a signed PDF) in the store; returns their sha256."""
    async with store.stage(_once(data), max_bytes=len(data) + 1) as staged:
        return (await staged.commit()).sha256
