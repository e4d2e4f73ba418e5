"""Fixtures for the document engine: a store in a temporary directory and one warm engine.

The engine (two worker processes) and LibreOffice runs are expensive to start, so async tests
here share one event loop for the session and the engine lives as long as it does.
"""

from __future__ import annotations

import inspect
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import pytest
import pytest_asyncio

from storage.documents import LocalDocumentStore
from storage.pdf import EngineSettings, PdfEngine, WorkerLimits
from storage.pdf.isolation import DEFAULT_PRELOAD

HERE = Path(__file__).parent
# The test-only tasks (memory hog, CPU spin…) are imported by the workers too.
TEST_PRELOAD = (*DEFAULT_PRELOAD, "tests.documents.tasks")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        function = getattr(item, "function", None)
        if HERE in Path(str(item.path)).parents and inspect.iscoroutinefunction(function):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PdfEngine]:
    settings = EngineSettings(
        workers=WorkerLimits(preload=TEST_PRELOAD),
        scratch=tmp_path_factory.mktemp("scratch"),
    )
    async with PdfEngine.running(settings) as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


class Write(Protocol):
    def __call__(self, data: bytes, name: str = ...) -> Path: ...


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Put bytes in a file named as a client might name it (the name must not matter)."""

    def put(data: bytes, name: str = "upload.pdf") -> Path:
        path = tmp_path / "incoming" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path

    return put


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def fake_soffice(folder: Path, body: str) -> str:
    """An executable standing in for soffice; `body` is shell run with soffice's arguments."""
    path = folder / "fake-soffice"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return os.fspath(path)
