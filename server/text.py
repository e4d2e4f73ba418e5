"""Vietnamese-aware text helpers."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip diacritics, so "ke hoach" matches "Kế hoạch"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def slug(text: str) -> str:
    """ASCII identifier from a Vietnamese name: "Vĩnh Hanh" -> "vinh-hanh"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
