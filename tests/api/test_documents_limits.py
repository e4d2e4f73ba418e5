"""Upload limits: the size cap enforced while reading, and a client that vanishes midway."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from server.config import Settings
from tests.api.documents_helpers import REPORT, stored_files, upload
from tests.conftest import error_code
from tests.documents.samples import text_pdf


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, max_upload_bytes=50_000)


async def test_too_large_and_cut_off_uploads(login_as, doc_meeting, settings, server) -> None:
    secretary = await login_as("thuky")
    before = stored_files(settings)
    status, body = await upload(secretary, doc_meeting["id"], text_pdf(REPORT) + b"%" * 60_000)
    assert status == 413 and error_code(body) == "document_too_large"
    # A client that vanishes mid-upload: send a declared length, half the bytes, and hang up.
    _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    boundary = "xyz"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    cookie = secretary.client.session.cookie_jar.filter_cookies(secretary.client.make_url("/"))
    request = (
        f"POST /api/meetings/{doc_meeting['id']}/documents HTTP/1.1\r\nHost: x\r\n"
        f"Cookie: ecabinet_session={cookie['ecabinet_session'].value}\r\n"
        f"X-CSRF-Token: {secretary.csrf}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: 1000000\r\n\r\n"
    ).encode()
    writer.write(request + head + text_pdf(REPORT)[:3000])
    await writer.drain()
    writer.close()
    await asyncio.sleep(1.0)
    assert stored_files(settings) == before
    _, listing = await secretary.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"] == []
