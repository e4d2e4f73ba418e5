"""PDF validation in the worker pool: every bad input gets its own code and a message in
Vietnamese and English; a good PDF yields pages, sizes, text and title."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from storage.pdf import InspectLimits, PageSize, PdfEngine, PdfRejected
from storage.pdf.errors import MESSAGES
from storage.pdf.inspect import inspect_pdf
from tests.documents import samples
from tests.documents.conftest import Write

GOOD = samples.text_pdf(["Trang một", "Trang hai"])

BAD_PDFS: list[tuple[str, Callable[[], bytes], str]] = [
    ("png named .pdf", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, "document_not_pdf"),
    ("text named .pdf", lambda: "Kế hoạch, không phải PDF".encode() * 50, "document_not_pdf"),
    ("truncated", lambda: samples.truncated(GOOD), "document_corrupt"),
    ("garbled", lambda: GOOD[:400] + b"\0" * 2000 + GOOD[-600:], "document_corrupt"),
    ("encrypted", samples.encrypted_pdf, "document_encrypted"),
    ("zero pages", lambda: samples.blank_pdf(0), "document_no_pages"),
    ("2001 pages", lambda: samples.blank_pdf(2001), "document_too_many_pages"),
    (
        "page tree lying",
        lambda: samples.blank_pdf(2100, claimed_count=1),
        "document_too_many_pages",
    ),
    ("decompression bomb", samples.bomb_pdf, "document_bomb"),
]


@pytest.mark.parametrize(("data", "code"), [c[1:] for c in BAD_PDFS], ids=[c[0] for c in BAD_PDFS])
async def test_bad_pdf_is_refused_with_its_reason(
    engine: PdfEngine, write: Write, data: Callable[[], bytes], code: str
) -> None:
    with pytest.raises(PdfRejected) as caught:
        await engine.inspect(write(data()))
    error = caught.value
    assert error.code == code and error.status == 422
    assert error.vi and error.en and error.vi != error.en


def test_every_refusal_has_both_languages() -> None:
    for code, (status, vi, en) in MESSAGES.items():
        assert 400 <= status < 600, code
        assert vi.strip() and en.strip() and vi != en, code


def test_page_limit_is_configurable(write: Write) -> None:
    path = write(samples.blank_pdf(6))
    assert inspect_pdf(path, InspectLimits(max_pages=6)).pages == 6
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(path, InspectLimits(max_pages=5))
    assert caught.value.details == {"pages": 6, "limit": 5}
    assert "6" in caught.value.vi and "5" in caught.value.en


async def test_good_pdf_is_described(engine: PdfEngine, write: Write) -> None:
    pdf = samples.text_pdf(
        [samples.VIETNAMESE, "Đồng chí Chủ tịch", "Phụ lục"],
        sizes=[samples.A4, samples.A4_LANDSCAPE, samples.A4],
        title="Báo cáo tình hình kinh tế",
    )
    info = await engine.inspect(write(samples.rotated(pdf, [0, 0, 90]), "báo cáo.pdf"))
    assert info.pages == 3
    assert info.sizes == (
        PageSize(595.28, 841.89, 0),
        PageSize(841.89, 595.28, 0),
        PageSize(841.89, 595.28, 90),  # as displayed: rotated A4 portrait is landscape
    )
    assert info.title == "Báo cáo tình hình kinh tế"
    assert samples.VIETNAMESE in " ".join(info.texts[0].split())
    assert info.texts[1].strip() == "Đồng chí Chủ tịch"
