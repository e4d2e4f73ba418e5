"""From the first byte of an upload to stored blobs: a good PDF is stored once; every bad
input is refused with its reason and leaves no blob and no temporary file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from storage.documents import LocalDocumentStore, file_chunks
from storage.pdf import FileKind, PdfEngine
from storage.pdf.errors import DocumentError
from storage.pdf.ingest import ingest
from tests.documents import samples
from tests.documents.conftest import Write, files_under


async def test_pdf_is_stored_once_and_described(
    engine: PdfEngine, store: LocalDocumentStore, write: Write
) -> None:
    upload = write(samples.text_pdf(["Một", "Hai"], title="Tờ trình"), "tờ trình (bản cuối).pdf")
    first = await ingest(store, engine, file_chunks(upload))
    assert first.kind is FileKind.PDF and first.pdf == first.original
    assert first.info.pages == 2 and first.info.title == "Tờ trình"
    assert first.created == (first.original,)
    second = await ingest(store, engine, file_chunks(upload))
    assert second.original.sha256 == first.original.sha256 and second.created == ()
    assert files_under(store.root) == [store.local_path(first.original.sha256)]


async def cut_off(data: bytes) -> AsyncIterator[bytes]:
    yield data[: len(data) // 2]
    raise ConnectionResetError("the official's 3G dropped")


BAD_UPLOADS: list[tuple[str, Callable[[], bytes], str]] = [
    ("not a PDF", lambda: b"MZ\x90\x00" + b"\0" * 5000, "document_unsupported_type"),
    ("truncated", lambda: samples.truncated(samples.text_pdf(["x"] * 3)), "document_corrupt"),
    ("encrypted", samples.encrypted_pdf, "document_encrypted"),
    ("zero pages", lambda: samples.blank_pdf(0), "document_no_pages"),
    ("too many pages", lambda: samples.blank_pdf(2001), "document_too_many_pages"),
    ("bomb", samples.bomb_pdf, "document_bomb"),
    ("too large", lambda: b"%PDF-1.7\n" + b"0" * 3_000_000, "document_too_large"),
]


@pytest.mark.parametrize(
    ("data", "code"), [b[1:] for b in BAD_UPLOADS], ids=[b[0] for b in BAD_UPLOADS]
)
async def test_refused_upload_changes_nothing(
    engine: PdfEngine,
    store: LocalDocumentStore,
    write: Write,
    data: Callable[[], bytes],
    code: str,
) -> None:
    upload = write(data(), "tai-lieu.pdf")
    with pytest.raises(DocumentError) as caught:
        await ingest(store, engine, file_chunks(upload), max_bytes=2 * 1024 * 1024)
    assert caught.value.code == code
    assert files_under(store.root) == []


async def test_upload_cut_off_changes_nothing(engine: PdfEngine, store: LocalDocumentStore) -> None:
    with pytest.raises(DocumentError) as caught:
        await ingest(store, engine, cut_off(samples.text_pdf(["x"] * 20)))
    assert caught.value.code == "document_upload_incomplete"
    assert files_under(store.root) == []
