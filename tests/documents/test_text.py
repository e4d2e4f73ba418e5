"""Vietnamese search without diacritics: "ke hoach" finds "Kế hoạch", đ is d."""

from __future__ import annotations

import unicodedata

import pytest

from storage.pdf import Hit, PdfEngine, find_hits, fold
from tests.documents import samples
from tests.documents.conftest import Write

FOLDS = [
    ("Kế hoạch", "ke hoach"),
    ("ĐỒNG CHÍ Đoàn", "dong chi doan"),
    ("Ủy ban nhân dân", "uy ban nhan dan"),
    (unicodedata.normalize("NFD", "Nghị quyết"), "nghi quyet"),  # decomposed accents
    ("  tờ\ttrình\n\nsố 12  ", "to trinh so 12"),
    ("ke hoach", "ke hoach"),
]


@pytest.mark.parametrize(("text", "folded"), FOLDS)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


PAGES = [
    "Mở đầu",
    "Báo cáo về kế hoạch năm 2026.\nTiếp theo là KẾ  HOẠCH\nđầu tư công.",
    "Không có gì",
    "Điều chỉnh kế hoạch vốn",
]


@pytest.mark.parametrize("query", ["ke hoach", "kế hoạch", "KE HOACH", "Kế Hoạch", " ke   hoach "])
def test_query_with_or_without_diacritics_finds_the_same_pages(query: str) -> None:
    hits = find_hits(PAGES, query)
    assert [h.page for h in hits] == [2, 2, 4]
    assert [h.snippet[h.start : h.end] for h in hits] == ["kế hoạch", "KẾ HOẠCH", "kế hoạch"]


def test_dd_and_snippet_context() -> None:
    text = "x" * 100 + " đầu tư công " + "y" * 100
    [hit] = find_hits([text], "dau tu")
    assert hit == Hit(1, hit.snippet, hit.start, hit.end)
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert hit.snippet[hit.start : hit.end] == "đầu tư"


def test_no_hits_and_limits() -> None:
    assert find_hits(PAGES, "ngân sách") == []
    assert find_hits(PAGES, "   ") == []
    assert len(find_hits(["kế hoạch " * 50], "ke hoach", max_hits=3)) == 3


async def test_search_in_text_extracted_from_a_pdf(engine: PdfEngine, write: Write) -> None:
    pdf = samples.text_pdf(["Lời nói đầu", samples.VIETNAMESE, "Đề nghị Đồng chí Chủ tịch"])
    info = await engine.inspect(write(pdf))
    assert [h.page for h in find_hits(info.texts, "ke hoach phat trien")] == [2]
    assert [h.page for h in find_hits(info.texts, "de nghi dong chi")] == [3]
    assert [h.page for h in find_hits(info.texts, "Đông Anh")] == [2]
