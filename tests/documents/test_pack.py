"""The agenda pack: documents in agenda order, one bookmark per item, one per document."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from storage.pdf import OutlineEntry, PackDocument, PackSection, PdfEngine, pack_key
from tests.documents import samples
from tests.documents.conftest import Write


def document(write: Write, title: str, pages: int) -> PackDocument:
    texts = [f"{title} — trang {n}" for n in range(1, pages + 1)]
    path = write(samples.text_pdf(texts), f"{title}.pdf")
    return PackDocument(title, path, sha256=str(pages).rjust(64, "0"))


def read_outline(reader: PdfReader, items: list[Any]) -> list[tuple[str, int, list[Any]]]:
    """[(title, page, children)] from pypdf's nested-list outline."""
    result: list[tuple[str, int, list[Any]]] = []
    for item in items:
        if isinstance(item, list):
            title, first, _ = result[-1]
            result[-1] = (title, first, read_outline(reader, item))
        else:
            target = reader.get_destination_page_number(item)
            assert target is not None
            result.append((str(item.title), target, []))
    return result


async def test_pack_outline_points_at_each_item_and_document(
    engine: PdfEngine, write: Write, tmp_path: Path
) -> None:
    report = document(write, "Báo cáo kinh tế - xã hội", 3)
    annex = document(write, "Phụ lục số liệu", 2)
    draft = document(write, "Dự thảo Nghị quyết", 1)
    sections = [
        PackSection("1. Tình hình kinh tế - xã hội năm 2026", [report, annex]),
        PackSection("2. Ý kiến các đại biểu", []),  # nothing to point at: no bookmark
        PackSection("3. Thông qua Nghị quyết", [draft]),
    ]
    target = tmp_path / "pack.pdf"
    info = await engine.pack(sections, target)

    expected: list[tuple[str, int, list[Any]]] = [
        (
            "1. Tình hình kinh tế - xã hội năm 2026",
            0,
            [(report.title, 0, []), (annex.title, 3, [])],
        ),
        ("3. Thông qua Nghị quyết", 5, [(draft.title, 5, [])]),
    ]
    reader = PdfReader(BytesIO(target.read_bytes()))
    assert read_outline(reader, reader.outline) == expected
    assert info.pages == len(reader.pages) == 6
    assert info.outline[1] == OutlineEntry(
        "3. Thông qua Nghị quyết", 5, (OutlineEntry(draft.title, 5),)
    )
    assert reader.page_mode == "/UseOutlines"
    texts = samples.page_texts(target.read_bytes())
    assert "Phụ lục số liệu — trang 1" in texts[3] and "Dự thảo Nghị quyết" in texts[5]


def test_pack_key_changes_with_content_and_order(write: Write) -> None:
    a, b = document(write, "A", 1), document(write, "B", 2)
    key = pack_key([PackSection("1", [a, b])])
    assert key == pack_key([PackSection("1", [a, b])])
    assert key != pack_key([PackSection("1", [b, a])])
    assert key != pack_key([PackSection("1", [a, PackDocument("B", b.path, "f" * 64)])])
    assert key != pack_key([PackSection("1 (sửa)", [a, b])])
