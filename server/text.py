"""Vietnamese-aware text helpers."""

from __future__ import annotations

import re

from storage.pdf.text import fold

__all__ = ["fold", "slug"]


def slug(text: str) -> str:
    """ASCII identifier from a Vietnamese name: "Vĩnh Hanh" -> "vinh-hanh"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
