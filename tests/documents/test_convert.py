"""Office files: the kind comes from the bytes; LibreOffice converts; a hung or failed
conversion is stopped and reported, and nothing is left behind."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from storage.documents import LocalDocumentStore, file_chunks
from storage.pdf import Busy, ConversionFailed, ConvertLimits, FileKind, PdfEngine, PdfRejected
from storage.pdf.convert import OfficeConverter
from storage.pdf.errors import DocumentError
from storage.pdf.ingest import ingest
from storage.pdf.sniff import sniff
from tests.documents import samples
from tests.documents.conftest import Write, fake_soffice, files_under

OOXML = "application/vnd.openxmlformats-officedocument"
KINDS: list[tuple[str, Callable[[], bytes], FileKind | str]] = [
    ("pdf", lambda: samples.text_pdf(["x"]), FileKind.PDF),
    ("pdf after junk", lambda: b"junk\r\n" + samples.text_pdf(["x"]), FileKind.PDF),
    ("docx", lambda: samples.docx(["Kế hoạch"]), FileKind.DOCX),
    (
        "xlsx",
        lambda: samples.ooxml(f"{OOXML}.spreadsheetml.sheet.main+xml", "xl/workbook.xml"),
        FileKind.XLSX,
    ),
    (
        "pptx",
        lambda: samples.ooxml(
            f"{OOXML}.presentationml.presentation.main+xml", "ppt/presentation.xml"
        ),
        FileKind.PPTX,
    ),
    ("odt", samples.odt, FileKind.ODT),
    ("doc", lambda: samples.compound_file(["WordDocument", "1Table"]), FileKind.DOC),
    ("xls", lambda: samples.compound_file(["Workbook"]), FileKind.XLS),
    ("ppt", lambda: samples.compound_file(["PowerPoint Document", "Pictures"]), FileKind.PPT),
    (
        "encrypted docx",
        lambda: samples.compound_file(["EncryptionInfo", "EncryptedPackage"]),
        "document_encrypted",
    ),
    (
        "docm (macros)",
        lambda: samples.ooxml(
            "application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml"
        ),
        "document_unsupported_type",
    ),
    (
        "plain zip",
        lambda: samples.zip_of({"mimetype": "application/zip", "a.txt": "x"}),
        "document_unsupported_type",
    ),
    ("ole, not office", lambda: samples.compound_file(["Something"]), "document_unsupported_type"),
    ("png", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "document_unsupported_type"),
    ("html named .doc", lambda: b"<html><body>Ke hoach</body></html>", "document_unsupported_type"),
    ("empty", lambda: b"", "document_unsupported_type"),
]


@pytest.mark.parametrize(("data", "expected"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
def test_kind_comes_from_the_bytes(
    write: Write, data: Callable[[], bytes], expected: FileKind | str
) -> None:
    path = write(data(), "tai-lieu.pdf")  # the name always claims PDF: it must not matter
    if isinstance(expected, FileKind):
        assert sniff(path) is expected
    else:
        with pytest.raises(DocumentError) as caught:
            sniff(path)
        assert caught.value.code == expected


async def test_docx_with_vietnamese_becomes_a_searchable_pdf(
    engine: PdfEngine, store: LocalDocumentStore, write: Write
) -> None:
    paragraphs = [samples.VIETNAMESE, "Đồng chí Chủ tịch phát biểu kết luận."]
    upload = write(samples.docx(paragraphs), "ke-hoach.pdf")
    ingested = await ingest(store, engine, file_chunks(upload))
    assert ingested.kind is FileKind.DOCX
    assert ingested.original.sha256 != ingested.pdf.sha256
    assert ingested.info.pages == 1
    text = " ".join(ingested.info.texts[0].split())
    assert all(p in text for p in paragraphs)
    stored = store.local_path(ingested.pdf.sha256).read_bytes()
    assert stored.startswith(b"%PDF-") and samples.VIETNAMESE in " ".join(
        samples.page_texts(stored)[0].split()
    )
    assert files_under(store.tmp) == [] and len(files_under(store.blobs)) == 2


def with_soffice(engine: PdfEngine, soffice: str, timeout: float = 30.0) -> PdfEngine:
    convert = ConvertLimits(soffice=soffice, timeout_seconds=timeout)
    return PdfEngine(engine.pool, dataclasses.replace(engine.settings, convert=convert))


def process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # a zombie waiting for init is dead too


async def test_hung_conversion_is_killed_with_its_children(
    engine: PdfEngine,
    store: LocalDocumentStore,
    write: Write,
    tmp_path: Path,
) -> None:
    pids = tmp_path / "pids"
    hung = fake_soffice(tmp_path, f"sleep 300 & echo $! >> {pids}; echo $$ >> {pids}; wait")
    upload = write(samples.docx(["Treo"]), "treo.docx")
    with pytest.raises(ConversionFailed) as caught:
        await ingest(store, with_soffice(engine, hung, timeout=1.0), file_chunks(upload))
    assert caught.value.code == "document_conversion_timeout"
    assert caught.value.details == {"seconds": 1}
    await asyncio.sleep(0.1)
    assert [process_gone(int(p)) for p in pids.read_text().split()] == [True, True]
    assert files_under(store.root) == []
    assert files_under(engine.settings.scratch or tmp_path) == []


FAKES = [
    (
        "exit 1",
        "echo 'Error: source file could not be loaded' >&2; exit 1",
        ConversionFailed,
        "document_conversion_failed",
    ),
    ("no output", "exit 0", ConversionFailed, "document_conversion_failed"),
    (
        "output not a PDF",
        'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out="$2"; shift; done; '
        'mkdir -p "$out"; echo "not a pdf" > "$out/source.pdf"',
        PdfRejected,
        "document_not_pdf",
    ),
]


@pytest.mark.parametrize(
    ("script", "error", "code"), [f[1:] for f in FAKES], ids=[f[0] for f in FAKES]
)
async def test_failed_conversion_is_refused_and_leaves_nothing(
    engine: PdfEngine,
    store: LocalDocumentStore,
    write: Write,
    tmp_path: Path,
    script: str,
    error: type[DocumentError],
    code: str,
) -> None:
    broken = with_soffice(engine, fake_soffice(tmp_path, script))
    with pytest.raises(error) as caught:
        await ingest(store, broken, file_chunks(write(samples.docx(["x"]), "x.docx")))
    assert caught.value.code == code
    assert files_under(store.root) == []
    assert files_under(engine.settings.scratch or tmp_path) == []


async def test_conversion_queue_is_bounded(write: Write, tmp_path: Path) -> None:
    slow = fake_soffice(tmp_path, "sleep 0.5; exit 1")
    converter = OfficeConverter(ConvertLimits(soffice=slow, max_waiting=0))
    source = write(samples.docx(["x"]), "x.docx")
    workdirs = [tmp_path / "first", tmp_path / "second"]
    for workdir in workdirs:
        workdir.mkdir()
    first = asyncio.create_task(converter.convert(source, FileKind.DOCX, workdirs[0]))
    await asyncio.sleep(0.1)
    with pytest.raises(Busy) as caught:
        await converter.convert(source, FileKind.DOCX, workdirs[1])
    assert caught.value.status == 503
    with pytest.raises(ConversionFailed):
        await first


async def test_missing_libreoffice_is_a_server_error_not_a_refusal(
    engine: PdfEngine, store: LocalDocumentStore, write: Write
) -> None:
    absent = with_soffice(engine, "/nonexistent/soffice")
    with pytest.raises(RuntimeError, match="apt-get install libreoffice-writer-nogui"):
        await ingest(store, absent, file_chunks(write(samples.docx(["x"]), "x.docx")))
    assert files_under(store.root) == []


async def test_conversion_has_no_network(
    engine: PdfEngine, store: LocalDocumentStore, write: Write, tmp_path: Path
) -> None:
    # A document that makes LibreOffice reach out (a linked image, an external data source)
    # must reach nothing: here the stand-in for soffice tries a server listening on loopback.
    connections: list[object] = []
    server = await asyncio.start_server(lambda _r, w: connections.append(w.close()), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    outcome = tmp_path / "outcome"
    probe = (
        f"{sys.executable} -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 2)\""
        f" 2>/dev/null && echo reached > {outcome} || echo unreachable > {outcome}; exit 1"
    )
    async with server:
        with pytest.raises(ConversionFailed):
            await ingest(
                store,
                with_soffice(engine, fake_soffice(tmp_path, probe)),
                file_chunks(write(samples.docx(["x"]), "x.docx")),
            )
        await asyncio.sleep(0.1)
    assert outcome.read_text().strip() == "unreachable"
    assert connections == []
