"""One object a server keeps for all document work: `async with PdfEngine.running() as engine`.

Every parse of uploaded bytes, every watermark and every pack runs in the worker pool
(isolation.py); office conversion runs LibreOffice as a child process (convert.py). Nothing
here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storage.pdf.convert import ConvertLimits, OfficeConverter
from storage.pdf.inspect import InspectLimits, PdfInfo, inspect_pdf
from storage.pdf.isolation import WorkerLimits, WorkerPool
from storage.pdf.pack import PackInfo, PackSection, build_pack
from storage.pdf.sniff import FileKind, sniff
from storage.pdf.watermark import Stamp, stamp_pdf


@dataclass(frozen=True)
class EngineSettings:
    workers: WorkerLimits = field(default_factory=WorkerLimits)
    inspect: InspectLimits = field(default_factory=InspectLimits)
    convert: ConvertLimits = field(default_factory=ConvertLimits)
    # Where conversions write; the store's temporary area keeps them on the same disk.
    scratch: Path | None = None


@dataclass(frozen=True)
class Prepared:
    kind: FileKind  # what the upload was, by its bytes
    pdf: Path  # the PDF to store: the upload itself, or its conversion
    info: PdfInfo

    @property
    def converted(self) -> bool:
        return self.kind.needs_conversion


class PdfEngine:
    def __init__(self, pool: WorkerPool, settings: EngineSettings) -> None:
        self.pool = pool
        self.settings = settings
        self.converter = OfficeConverter(settings.convert)

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, settings: EngineSettings | None = None) -> AsyncIterator[PdfEngine]:
        settings = settings or EngineSettings()
        async with WorkerPool(settings.workers) as pool:
            yield cls(pool, settings)

    async def inspect(self, pdf: Path) -> PdfInfo:
        """Validate a PDF and read its pages, sizes, text and title (raises `PdfRejected`)."""
        return await self.pool.run(inspect_pdf, pdf, self.settings.inspect)

    @contextlib.asynccontextmanager
    async def prepare(self, upload: Path) -> AsyncIterator[Prepared]:
        """Sniff the upload, convert it if it is an office file, validate the PDF.

        A converted PDF lives in a scratch directory removed when the block exits.
        """
        kind = await self.pool.run(sniff, upload)
        if not kind.needs_conversion:
            yield Prepared(kind, upload, await self.inspect(upload))
            return
        workdir = Path(tempfile.mkdtemp(prefix="convert-", dir=self.settings.scratch))
        try:
            pdf = await self.converter.convert(upload, kind, workdir)
            yield Prepared(kind, pdf, await self.inspect(pdf))
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)

    async def watermark(self, source: Path, target: Path, stamp: Stamp) -> int:
        """Write a copy of `source` stamped for one viewer; returns its page count."""
        return await self.pool.run(stamp_pdf, source, target, stamp)

    async def pack(self, sections: Sequence[PackSection], target: Path) -> PackInfo:
        """Write the agenda pack of `sections` to `target`."""
        return await self.pool.run(build_pack, list(sections), target)
