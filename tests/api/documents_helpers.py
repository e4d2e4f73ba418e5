"""Uploading through the real HTTP API, as a browser's form does."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import Api

REPORT = [
    f"Trang {n}: Báo cáo kết quả ứng dụng công nghệ thông tin, kế hoạch {n}" for n in range(1, 6)
]


async def upload(
    api: Api,
    meeting_id: int,
    data: bytes,
    name: str = "Báo cáo CNTT.pdf",
    path: str | None = None,
    **fields: Any,
) -> tuple[int, Any]:
    form = aiohttp.FormData()
    for key, value in fields.items():
        form.add_field(key, str(value))
    form.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
    resp = await api.client.post(
        path or f"/api/meetings/{meeting_id}/documents",
        data=form,
        headers={"X-CSRF-Token": api.csrf or ""},
    )
    return resp.status, await resp.json()


def stored_files(settings) -> list[Path]:
    root = settings.data_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file())


async def slides(api: Api, meeting_id: int, pages: int = 6) -> int:
    """Upload a small presentation to the meeting; returns its document id."""
    from tests.documents.samples import text_pdf

    status, body = await upload(
        api,
        meeting_id,
        text_pdf([f"Trang {n}" for n in range(1, pages + 1)]),
        name="Trình chiếu.pdf",
        title="Trình chiếu",
    )
    assert status == 201, body
    return int(body["document"]["id"])
