"""The empty signature field the layout leaves over the signer's signature space.

The field travels inside the unsigned PDF, so whoever signs it later (now, or after the draft
was stored for a week) puts the visible signature where the page says "CHỦ TỌA".
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign.fields import SigFieldSpec, append_signature_field

from storage.minutes.page import Box

# One signer per document: the chair for minutes, the signatory for a notice.
SIGNATURE_FIELD = "ChuKySo"


def add_signature_field(pdf: bytes, box: Box, name: str = SIGNATURE_FIELD) -> bytes:
    # A full rewrite, not an incremental update: the unsigned draft stays one clean revision.
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    spec = SigFieldSpec(
        sig_field_name=name,
        on_page=box.page,
        box=(int(box.x1), int(box.y1), int(box.x2), int(box.y2)),
    )
    append_signature_field(writer, spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
