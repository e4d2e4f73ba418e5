"""Document engine benchmark: ingest, watermark (pypdf merge_page vs the shared XObject), pack.

    .venv/bin/python scripts/bench/documents.py            # 5 runs each, median
    .venv/bin/python scripts/bench/documents.py --runs 11

Inputs are generated: A4 pages of Vietnamese text laid out like an official document (13 pt,
~2 700 characters, an embedded DejaVu subset, like a Word export). "via engine" rows include
the worker-process round trip: what an upload or download handler waits for. Not part of the
test suite; figures go to docs/documents.md. Downloads over HTTP come with the route.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts/bench"
]

from fpdf import FPDF  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from storage.documents import LocalDocumentStore, file_chunks  # noqa: E402
from storage.pdf import PackDocument, PackSection, PdfEngine, Stamp  # noqa: E402
from storage.pdf.fonts import vietnamese_font_path  # noqa: E402
from storage.pdf.ingest import ingest  # noqa: E402
from storage.pdf.inspect import inspect_pdf  # noqa: E402
from storage.pdf.watermark import build_overlay, stamp_pdf  # noqa: E402

LINE = "Kế hoạch phát triển kinh tế - xã hội năm 2026 của Ủy ban nhân dân huyện, đồng chí"
# Decree 30/2020 sets 13-14 pt for official documents: ~30 lines of ~90 characters a page.
LINES_PER_PAGE = 30
FONT_SIZE = 13
STAMP = Stamp(
    "Nguyễn Thị Ánh Tuyết",
    "Phòng Tài chính - Kế hoạch",
    "Họp UBND huyện tháng 12/2026",
    "29/11/2026",
)


def make_pdf(path: Path, pages: int, label: str = "") -> Path:
    pdf = FPDF(unit="pt")
    pdf.add_font("dejavu", fname=str(vietnamese_font_path()))
    pdf.set_font("dejavu", size=FONT_SIZE)
    for number in range(1, pages + 1):
        pdf.add_page()
        for row in range(LINES_PER_PAGE):
            pdf.text(50, 60 + row * 25, f"{label}{number}.{row} {LINE}")
    pdf.output(str(path))
    return path


def merge_page_baseline(source: Path, target: Path, stamp: Stamp) -> None:
    """pypdf's documented way: merge a pre-built overlay page into every page."""
    overlay = PdfReader(io.BytesIO(build_overlay(stamp))).pages[0]
    writer = PdfWriter(clone_from=source)
    for page in writer.pages:
        page.merge_page(overlay)
    writer.write(target)


def pikepdf_overlay(source: Path, target: Path, stamp: Stamp) -> None:
    """qpdf's overlay with one shared Form XObject (pikepdf is not a dependency)."""
    import pikepdf

    with pikepdf.open(source) as pdf, pikepdf.open(io.BytesIO(build_overlay(stamp))) as overlay:
        form = pdf.copy_foreign(overlay.pages[0].as_form_xobject())
        for page in pdf.pages:
            page.add_overlay(form)
        pdf.save(target)


def measure(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def measure_async(fn: Callable[[], Awaitable[object]], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def has_pikepdf() -> bool:
    try:
        import pikepdf  # noqa: F401
    except ImportError:
        return False
    return True


async def run(runs: int) -> list[tuple[str, str, float, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as folder:
        return await run_in(Path(folder), runs)


async def run_in(work: Path, runs: int) -> list[tuple[str, str, float, str]]:
    docs = {n: make_pdf(work / f"doc{n}.pdf", n) for n in (100, 300)}
    parts = [make_pdf(work / f"part{i}.pdf", 15, f"{i}.") for i in range(20)]
    out = work / "out.pdf"
    rows: list[tuple[str, str, float, str]] = []
    async with PdfEngine.running() as engine:
        for n, path in docs.items():
            goal = "≤ 300 ms" if n == 100 else ""
            rows.append(
                ("inspect, in process", f"{n}", measure(lambda p=path: inspect_pdf(p), runs), "")
            )
            rows.append(
                (
                    "inspect, via engine",
                    f"{n}",
                    await measure_async(lambda p=path: engine.inspect(p), runs),
                    "",
                )
            )

            async def ingest_once(p: Path = path) -> None:
                store = LocalDocumentStore(Path(tempfile.mkdtemp(dir=work)))
                await ingest(store, engine, file_chunks(p))

            rows.append(
                (
                    "ingest (stream+hash+inspect+store)",
                    f"{n}",
                    await measure_async(ingest_once, runs),
                    goal,
                )
            )
        for n, path in docs.items():
            goal = "≤ 150 ms" if n == 100 else ""
            slow_runs = max(1, runs // 5)  # seconds per run: a few are enough
            rows.append(
                (
                    "watermark, pypdf merge_page",
                    f"{n}",
                    measure(lambda p=path: merge_page_baseline(p, out, STAMP), slow_runs),
                    "",
                )
            )
            if has_pikepdf():
                rows.append(
                    (
                        "watermark, pikepdf overlay",
                        f"{n}",
                        measure(lambda p=path: pikepdf_overlay(p, out, STAMP), runs),
                        "",
                    )
                )
            rows.append(
                (
                    "watermark, shared XObject",
                    f"{n}",
                    measure(lambda p=path: stamp_pdf(p, out, STAMP), runs),
                    "",
                )
            )
            rows.append(
                (
                    "watermark, shared XObject via engine",
                    f"{n}",
                    await measure_async(lambda p=path: engine.watermark(p, out, STAMP), runs),
                    goal,
                )
            )
        sections = [
            PackSection(
                f"{k + 1}. Nội dung {k + 1}",
                [
                    PackDocument(f"Tài liệu {i + 1}", parts[i], "0" * 64)
                    for i in range(k * 4, k * 4 + 4)
                ],
            )
            for k in range(5)
        ]
        rows.append(
            (
                "agenda pack, 20 documents via engine",
                "300",
                await measure_async(lambda: engine.pack(sections, out), runs),
                "",
            )
        )
    return rows


def print_table(rows: list[tuple[str, str, float, str]]) -> None:
    print(f"| {'operation':<40} | {'pages':>5} | {'median ms':>9} | {'goal':<9} |")
    print(f"|{'-' * 42}|{'-' * 7}|{'-' * 11}|{'-' * 11}|")
    for name, pages, ms, goal in rows:
        print(f"| {name:<40} | {pages:>5} | {ms:>9.0f} | {goal:<9} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print_table(asyncio.run(run(args.runs)))


if __name__ == "__main__":
    main()
