"""Secret documents: every page carries the viewer's name, unit, time and meeting, readable
back as text; copies are cached per viewer."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from storage.documents import DerivedCache
from storage.pdf import PdfEngine, Stamp
from storage.pdf.inspect import inspect_pdf
from tests.documents import samples
from tests.documents.conftest import Write

AN = Stamp(
    viewer="Nguyễn Thị Ánh Tuyết",
    unit="Phòng Tài chính - Kế hoạch",
    meeting="Họp UBND huyện tháng 12/2026",
    issued_at="29/11/2026 19:40",
)
MIXED = samples.rotated(
    samples.text_pdf(
        ["Trang một: " + samples.VIETNAMESE, "Trang hai", "Trang ba", "Trang bốn"],
        sizes=[samples.A4, samples.A4_LANDSCAPE, samples.A4, (300.0, 400.0)],
    ),
    [0, 0, 90, 270],
)


async def test_every_page_names_the_viewer(engine: PdfEngine, write: Write, tmp_path: Path) -> None:
    target = tmp_path / "stamped.pdf"
    assert await engine.watermark(write(MIXED), target, AN) == 4
    texts = samples.page_texts(target.read_bytes())
    assert len(texts) == 4
    for number, text in enumerate(texts, start=1):
        for part in (AN.viewer, AN.unit, AN.meeting, AN.issued_at, "MẬT"):
            assert part in text, f"page {number} lacks {part!r}"
    assert "Trang một" in texts[0] and "Trang bốn" in texts[3]  # the page itself is untouched


async def test_stamped_copy_is_a_valid_pdf_sharing_one_overlay(
    engine: PdfEngine, write: Write, tmp_path: Path
) -> None:
    target = tmp_path / "stamped.pdf"
    await engine.watermark(write(MIXED), target, AN)
    info = inspect_pdf(target)
    assert info.pages == 4 and info.sizes == inspect_pdf(write(MIXED)).sizes
    reader = PdfReader(BytesIO(target.read_bytes()))
    overlays = {
        page["/Resources"]["/XObject"].raw_get("/EcWm").idnum  # type: ignore[index]
        for page in reader.pages
    }
    assert len(overlays) == 1  # one Form XObject, drawn by every page


async def test_names_outside_the_font_do_not_break_the_stamp(
    engine: PdfEngine, write: Write, tmp_path: Path
) -> None:
    target = tmp_path / "stamped.pdf"
    odd = Stamp("Lý 李 Văn", "Phòng   Nội vụ\n", "Họp", "01/12/2026 08:00", label="MẬT")
    await engine.watermark(write(samples.text_pdf(["x"])), target, odd)
    text = samples.page_texts(target.read_bytes())[0]
    assert "Lý ? Văn" in text and "Phòng Nội vụ" in text


async def test_copies_are_cached_per_viewer(
    engine: PdfEngine, write: Write, tmp_path: Path
) -> None:
    cache = DerivedCache(tmp_path / "cache")
    source = write(MIXED)
    document = "c" * 64
    made: list[str] = []

    def for_viewer(stamp: Stamp) -> Callable[[Path], object]:
        async def make(target: Path) -> int:
            made.append(stamp.viewer)
            return await engine.watermark(source, target, stamp)

        return make

    other = Stamp("Trần Văn Bình", "Văn phòng HĐND-UBND", AN.meeting, AN.issued_at)
    first = await cache.get_or_create(document, "u1-g1", for_viewer(AN))  # type: ignore[arg-type]
    again = await cache.get_or_create(document, "u1-g1", for_viewer(AN))  # type: ignore[arg-type]
    second = await cache.get_or_create(document, "u2-g1", for_viewer(other))  # type: ignore[arg-type]
    assert first == again != second and made == [AN.viewer, other.viewer]
    assert other.viewer in samples.page_texts(second.read_bytes())[2]
    assert AN.viewer not in samples.page_texts(second.read_bytes())[2]
    assert await cache.invalidate(document, "u1-") == 1
    assert await cache.get(document, "u1-g1") is None
