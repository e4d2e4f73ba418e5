"""The serif family the documents are set in, with bold, italic and bold italic.

Nghị định 30/2020/NĐ-CP asks for Times New Roman. Liberation Serif 2 (Debian's
fonts-liberation2) has its metrics and every Vietnamese letter, so lines break where they would
in Word; Liberation 1.x (fonts-liberation) lacks ơ, ư and the tone marks on them and is never
used. DejaVu Serif (fonts-dejavu-core: regular and bold; fonts-dejavu-extra: italics) is the
fallback: wider, but complete.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FAMILY = "Serif"  # the name the layout uses, whichever files are behind it


@dataclass(frozen=True)
class FontFamily:
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path

    def files(self) -> dict[str, Path]:
        """fpdf2 style letters → file."""
        return {"": self.regular, "B": self.bold, "I": self.italic, "BI": self.bold_italic}

    def exists(self) -> bool:
        return all(p.is_file() for p in self.files().values())


_LIBERATION2 = Path("/usr/share/fonts/truetype/liberation2")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

LIBERATION_SERIF = FontFamily(
    _LIBERATION2 / "LiberationSerif-Regular.ttf",
    _LIBERATION2 / "LiberationSerif-Bold.ttf",
    _LIBERATION2 / "LiberationSerif-Italic.ttf",
    _LIBERATION2 / "LiberationSerif-BoldItalic.ttf",
)
DEJAVU_SERIF = FontFamily(
    _DEJAVU / "DejaVuSerif.ttf",
    _DEJAVU / "DejaVuSerif-Bold.ttf",
    _DEJAVU / "DejaVuSerif-Italic.ttf",
    _DEJAVU / "DejaVuSerif-BoldItalic.ttf",
)


class FontsMissing(RuntimeError):
    """No complete Vietnamese serif family is installed: an installation fault, not bad input."""


@functools.cache
def default_family() -> FontFamily:
    for family in (LIBERATION_SERIF, DEJAVU_SERIF):
        if family.exists():
            return family
        log.warning("minutes fonts: %s incomplete, trying the next family", family.regular.name)
    raise FontsMissing(
        "No Vietnamese serif font: install fonts-liberation2, or fonts-dejavu-core and "
        "fonts-dejavu-extra"
    )
