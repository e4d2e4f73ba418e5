"""The agenda pack: all of a meeting's documents in agenda order, as one PDF with bookmarks.

One top-level bookmark per agenda item (pointing at its first document), one child per
document (pointing at its first page). Items without documents get no bookmark: there is no
page to point at. The pack opens with the bookmarks panel shown.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter


@dataclass(frozen=True)
class PackDocument:
    title: str
    path: Path  # a stored, already validated PDF
    sha256: str  # identifies the content, for the pack's cache key


@dataclass(frozen=True)
class PackSection:
    title: str  # "1. Báo cáo kinh tế - xã hội năm 2026"
    documents: Sequence[PackDocument]


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    page: int  # 0-based page index in the pack
    children: tuple[OutlineEntry, ...] = ()


@dataclass(frozen=True)
class PackInfo:
    pages: int
    outline: tuple[OutlineEntry, ...]


def pack_key(sections: Sequence[PackSection]) -> str:
    """A digest of titles and contents: the pack is rebuilt exactly when this changes."""
    shape = [[s.title, [[d.title, d.sha256] for d in s.documents]] for s in sections]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()


def build_pack(sections: Sequence[PackSection], target: Path) -> PackInfo:
    """Write the pack to `target`; returns its page count and the outline it carries."""
    writer = PdfWriter()
    outline = [entry for s in sections if (entry := _append_section(writer, s)) is not None]
    for entry in outline:
        parent = writer.add_outline_item(title=entry.title, page_number=entry.page)
        for child in entry.children:
            writer.add_outline_item(title=child.title, page_number=child.page, parent=parent)
    writer.page_mode = "/UseOutlines"
    with target.open("wb") as f:
        writer.write(f)
    return PackInfo(pages=len(writer.pages), outline=tuple(outline))


def _append_section(writer: PdfWriter, section: PackSection) -> OutlineEntry | None:
    children = []
    for document in section.documents:
        start = len(writer.pages)
        # The documents' own bookmarks would mix with the agenda's; ours are the table of contents.
        writer.append(document.path, import_outline=False)
        children.append(OutlineEntry(document.title, start))
    if not children:
        return None
    return OutlineEntry(section.title, children[0].page, tuple(children))
