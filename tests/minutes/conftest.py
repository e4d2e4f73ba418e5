"""Fixtures for the minutes engine: one demo PKI and one rendered, signed set for the module.

RSA keys, PDF layout and signing each take a fraction of a second; made once per session they
keep the suite well under a minute on two cores.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from storage.minutes import (
    DemoPki,
    Pkcs12Signer,
    create_demo_pki,
    render_minutes,
    render_notice,
    sign_pdf,
)
from tests.minutes import samples


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    folder = tmp_path_factory.mktemp("pki")
    return create_demo_pki(folder, samples.UNIT, samples.CHAIR, samples.SECRETARY)


@pytest.fixture(scope="session")
def chair(pki: DemoPki) -> Pkcs12Signer:
    return Pkcs12Signer(pki.chair_p12_path, pki.chair_password)


@pytest.fixture(scope="session")
def minutes_pdf() -> bytes:
    return render_minutes(samples.minutes())


@pytest.fixture(scope="session")
def notice_pdf() -> bytes:
    return render_notice(samples.notice())


@pytest.fixture(scope="session")
def signed_minutes(minutes_pdf: bytes, chair: Pkcs12Signer) -> bytes:
    return sign_pdf(
        minutes_pdf,
        chair,
        reason="Ký biên bản cuộc họp",
        location="Châu Thành",
        signer_name=samples.CHAIR,
    )


def text_of(pdf: bytes) -> str:
    """The PDF's text as pypdf extracts it, runs of spaces folded (justified lines are set with
    wide word gaps that pypdf reads as several spaces)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "\n".join(
        " ".join(line.split()) for p in pages for line in p.extract_text().splitlines()
    )


def flat_text(pdf: bytes) -> str:
    """All the text on one line: what wraps inside a table cell or paragraph reads through."""
    return " ".join(text_of(pdf).split())


def lines_of(pdf: bytes) -> list[str]:
    return text_of(pdf).splitlines()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
