"""Vietnamese search that ignores diacritics and case: "ke hoach" finds "Kế hoạch".

`fold` is what the search index stores and what a query is turned into; `find_hits` shows where
in a document's pages a query occurs, with a snippet of the original (accented) text around it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Characters of original text shown either side of a hit: about a line of a printed page.
SNIPPET_CONTEXT = 60
# Hits returned per document: a results page shows a handful; the viewer's own search does more.
MAX_HITS = 20
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    # đ is a letter of its own, not d + a mark, so NFD leaves it alone.
    if ch in "đĐ":
        return "d"
    if ch.isspace():
        return " "
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse whitespace: the form that is searched."""
    return _SPACE.sub(" ", "".join(map(_fold_char, text))).strip()


@dataclass(frozen=True)
class Hit:
    page: int  # 1-based, as people count pages
    snippet: str  # original text around the match, whitespace collapsed
    start: int  # the match within `snippet`, for highlighting
    end: int


def find_hits(pages: Sequence[str], query: str, *, max_hits: int = MAX_HITS) -> list[Hit]:
    """Where `query` occurs in the pages' text, ignoring case and diacritics, in page order."""
    needle = fold(query)
    if not needle:
        return []
    hits: list[Hit] = []
    for number, text in enumerate(pages, start=1):
        if needle not in fold(text):  # cheap test first; most pages do not match
            continue
        hits += _page_hits(number, text, needle, max_hits - len(hits))
        if len(hits) >= max_hits:
            break
    return hits


def _page_hits(number: int, text: str, needle: str, limit: int) -> list[Hit]:
    folded, origin = _fold_with_origin(text)
    hits: list[Hit] = []
    at = folded.find(needle)
    while at >= 0 and len(hits) < limit:
        first, last = origin[at], origin[at + len(needle) - 1] + 1
        while last < len(text) and unicodedata.combining(text[last]):
            last += 1  # keep a decomposed accent with its letter
        hits.append(_snippet(number, text, first, last))
        at = folded.find(needle, at + len(needle))
    return hits


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index it came from in `text`."""
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for c in _fold_char(ch):
            if c == " " and (not out or out[-1] == " "):
                continue  # the same whitespace collapsing as `fold`
            out.append(c)
            origin.append(index)
    return "".join(out), origin


def _snippet(number: int, text: str, first: int, last: int) -> Hit:
    lo, hi = max(0, first - SNIPPET_CONTEXT), min(len(text), last + SNIPPET_CONTEXT)
    before = _SPACE.sub(" ", text[lo:first]).lstrip()
    match = _SPACE.sub(" ", text[first:last])
    after = _SPACE.sub(" ", text[last:hi]).rstrip()
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    start = len(prefix) + len(before)
    return Hit(number, f"{prefix}{before}{match}{after}{suffix}", start, start + len(match))
