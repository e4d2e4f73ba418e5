"""Meeting documents through the real HTTP server: upload, validate, read, watermark, pack,
versions, notes, opinions, search — and every refusal leaves nothing behind."""

from __future__ import annotations

import asyncio
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import event

from server import keys
from server.services import Context
from server.services.documents import files
from tests.api.documents_helpers import REPORT, stored_files, upload
from tests.conftest import error_code
from tests.documents.samples import bomb_pdf, docx, encrypted_pdf, text_pdf, truncated


async def test_upload_read_and_download(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    status, body = await upload(
        secretary,
        doc_meeting["id"],
        text_pdf(REPORT),
        title="Báo cáo CNTT",
        agenda_item_id=doc_meeting["item"],
    )
    assert status == 201, body
    doc = body["document"]
    assert (doc["pages"], doc["version"], doc["confidentiality"]) == (5, 1, "normal")
    official = await login_as("tp.noivu")
    _, listing = await official.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert [d["title"] for d in listing["documents"]] == ["Báo cáo CNTT"]
    assert listing["documents"][0]["read_at"] is None
    resp = await official.client.get(f"/api/documents/{doc['id']}/file")
    pdf = await resp.read()
    assert resp.status == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20CNTT.pdf" in resp.headers["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 5
    resp = await official.client.get(f"/api/documents/{doc['id']}/download")
    assert resp.status == 200 and resp.headers["Content-Disposition"].startswith("attachment;")
    _, listing = await official.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"][0]["read_at"] is not None
    _, readers = await secretary.get(f"/api/documents/{doc['id']}/readers")
    assert [r["full_name"] for r in readers["readers"]] == ["Phạm Văn Đức"]
    assert "Huỳnh Minh Tâm" in [r["full_name"] for r in readers["not_read"]]


async def test_range_and_etag(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    _, body = await upload(secretary, doc_meeting["id"], text_pdf(REPORT))
    url = f"/api/documents/{body['document']['id']}/file"
    whole = await (await secretary.client.get(url)).read()
    first = await secretary.client.get(url)
    etag = first.headers["ETag"]
    again = await secretary.client.get(url, headers={"If-None-Match": etag})
    assert again.status == 304
    part = await secretary.client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status == 206 and await part.read() == whole[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    bad = await secretary.client.get(url, headers={"Range": f"bytes={len(whole) + 10}-"})
    assert bad.status == 416


@pytest.mark.parametrize(
    ("data", "name", "code", "status"),
    [
        (b"%PDF-1.7 not really", "fake.pdf", "document_corrupt", 422),
        (b"MZ\x90\x00 an executable renamed", "bao-cao.pdf", "document_unsupported_type", 422),
        (b"", "empty.pdf", None, 422),
        ("encrypted", "mat-khau.pdf", "document_encrypted", 422),
        ("truncated", "cut.pdf", "document_corrupt", 422),
        ("bomb", "bomb.pdf", "document_bomb", 422),
    ],
)
async def test_bad_files_are_refused_and_leave_nothing(
    login_as, doc_meeting, settings, data, name, code, status
) -> None:
    data = (
        {
            "encrypted": encrypted_pdf,
            "truncated": lambda: truncated(text_pdf(REPORT)),
            "bomb": bomb_pdf,
        }.get(data, lambda: data)()
        if isinstance(data, str)
        else data
    )
    secretary = await login_as("thuky")
    before = stored_files(settings)
    got_status, body = await upload(secretary, doc_meeting["id"], data, name)
    assert got_status == status, body
    if code:
        assert error_code(body) == code
    assert body["error"]["message"]
    _, listing = await secretary.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"] == []
    assert stored_files(settings) == before  # no blob, no temporary file


async def test_docx_is_converted_and_indexed(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    status, body = await upload(
        secretary,
        doc_meeting["id"],
        docx(["Dự thảo Kế hoạch chuyển đổi số năm 2027", "Góp ý của các xã"]),
        name="Dự thảo kế hoạch.docx",
        title="Dự thảo Kế hoạch",
    )
    assert status == 201, body
    assert body["versions"][0]["source_kind"] == "docx"
    official = await login_as("xa-vinh-hanh")
    _, found = await official.get("/api/search?q=ke hoach chuyen doi so")
    assert [(r["document_title"], r["page"]) for r in found["results"]] == [("Dự thảo Kế hoạch", 1)]
    assert "chuyển đổi số" in found["results"][0]["snippet"]
    _, found = await official.get("/api/search?q=Kế hoạch chuyển đổi")
    assert len(found["results"]) == 1
    stranger = await login_as("tp.tuphap")
    _, found = await stranger.get("/api/search?q=ke hoach")
    assert found["results"] == []


async def test_secret_documents_are_watermarked_per_viewer(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    status, body = await upload(
        secretary,
        doc_meeting["id"],
        text_pdf(REPORT),
        title="Dự thảo (mật)",
        confidentiality="secret",
    )
    assert status == 201
    doc_id = body["document"]["id"]
    for username, name in (("tp.noivu", "Phạm Văn Đức"), ("xa-vinh-hanh", "Điểm cầu xã Vĩnh Hanh")):
        api = await login_as(username)
        pdf = await (await api.client.get(f"/api/documents/{doc_id}/file")).read()
        pages = PdfReader(io.BytesIO(pdf)).pages
        assert len(pages) == 5
        for page in pages:
            text = page.extract_text()
            assert name in text and "MẬT" in text
        assert "Họp" in pages[0].extract_text() or "Hội nghị" in pages[0].extract_text()
    # The pack of a meeting with a secret part is watermarked for its reader too.
    official = await login_as("tp.noivu")
    pack = await (await official.client.get(f"/api/meetings/{doc_meeting['id']}/pack")).read()
    assert "Phạm Văn Đức" in PdfReader(io.BytesIO(pack)).pages[0].extract_text()


async def test_secret_access_ends_and_can_be_revoked(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    _, body = await upload(
        secretary,
        doc_meeting["id"],
        text_pdf(REPORT),
        confidentiality="secret",
        access_until="2020-01-01T00:00:00+07:00",
    )
    expired = body["document"]["id"]
    official = await login_as("tp.noivu")
    status, err = await official.get(f"/api/documents/{expired}/file")
    assert status == 403 and error_code(err) == "document_expired"
    _, body = await upload(secretary, doc_meeting["id"], text_pdf(REPORT), confidentiality="secret")
    secret = body["document"]["id"]
    assert (await official.client.get(f"/api/documents/{secret}/file")).status == 200
    status, _ = await official.post(f"/api/documents/{secret}/revoke")
    assert status == 403
    assert (await secretary.post(f"/api/documents/{secret}/revoke"))[0] == 200
    status, err = await official.get(f"/api/documents/{secret}/file")
    assert status == 403 and error_code(err) == "document_revoked"
    _, listing = await official.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"] == []


async def test_restricted_documents_are_not_downloadable(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    _, body = await upload(
        secretary, doc_meeting["id"], text_pdf(REPORT), confidentiality="restricted"
    )
    doc_id = body["document"]["id"]
    official = await login_as("tp.noivu")
    _, listing = await official.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"][0]["can_download"] is False
    assert (await official.client.get(f"/api/documents/{doc_id}/file")).status == 200
    status, err = await official.get(f"/api/documents/{doc_id}/download")
    assert status == 403 and error_code(err) == "download_not_allowed"


@pytest.mark.parametrize("who", ["tp.tuphap", "xa-an-hoa"])
async def test_strangers_get_nothing(login_as, doc_meeting, who) -> None:
    secretary = await login_as("thuky")
    _, body = await upload(secretary, doc_meeting["id"], text_pdf(REPORT))
    doc_id = body["document"]["id"]
    await secretary.post(
        f"/api/documents/{doc_id}/opinion-round", json={"deadline": "2030-01-01T08:00:00+07:00"}
    )
    stranger = await login_as(who)
    for path in (
        f"/api/documents/{doc_id}",
        f"/api/documents/{doc_id}/file",
        f"/api/documents/{doc_id}/download",
        f"/api/documents/{doc_id}/notes",
        f"/api/documents/{doc_id}/comments",
        f"/api/meetings/{doc_meeting['id']}/documents",
        f"/api/meetings/{doc_meeting['id']}/pack",
    ):
        status, err = await stranger.get(path)
        assert status == 404, (path, err)
    status, _ = await upload(stranger, doc_meeting["id"], text_pdf(REPORT))
    assert status == 404


async def test_presenter_uploads_to_own_item_only(login_as, doc_meeting) -> None:
    presenter = await login_as("tp.vanhoa")
    status, body = await upload(
        presenter, doc_meeting["id"], text_pdf(REPORT), agenda_item_id=doc_meeting["item"]
    )
    assert status == 201, body
    status, body = await upload(presenter, doc_meeting["id"], text_pdf(REPORT))
    assert status == 403 and error_code(body) == "document_forbidden"
    official = await login_as("tp.noivu")
    status, body = await upload(
        official, doc_meeting["id"], text_pdf(REPORT), agenda_item_id=doc_meeting["item"]
    )
    assert status == 403


async def test_versions_supersede_and_mark_changes(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    _, body = await upload(secretary, doc_meeting["id"], text_pdf(REPORT))
    doc_id = body["document"]["id"]
    official = await login_as("tp.noivu")
    await official.client.get(f"/api/documents/{doc_id}/file")
    status, body = await upload(
        secretary,
        doc_meeting["id"],
        text_pdf(REPORT[:3]),
        name="v2.pdf",
        path=f"/api/documents/{doc_id}/versions",
    )
    assert status == 200 and body["document"]["version"] == 2 and body["document"]["pages"] == 3
    assert [v["number"] for v in body["versions"]] == [1, 2]
    _, listing = await official.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"][0]["changed_since_read"] is True
    pdf = await (await official.client.get(f"/api/documents/{doc_id}/file")).read()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    old = await (await official.client.get(f"/api/documents/{doc_id}/file?version=1")).read()
    assert len(PdfReader(io.BytesIO(old)).pages) == 5
    _, listing = await official.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"][0]["changed_since_read"] is False
    assert (await secretary.post(f"/api/documents/{doc_id}/withdraw"))[0] == 200
    _, listing = await official.get(f"/api/meetings/{doc_meeting['id']}/documents")
    assert listing["documents"] == []


async def test_pack_has_an_outline_in_agenda_order(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    await upload(secretary, doc_meeting["id"], text_pdf(["Chung 1"]), title="Giấy mời")
    await upload(
        secretary,
        doc_meeting["id"],
        text_pdf(REPORT),
        title="Báo cáo CNTT",
        agenda_item_id=doc_meeting["item"],
    )
    await upload(
        secretary,
        doc_meeting["id"],
        text_pdf(["hạn chế"]),
        title="Hạn chế",
        confidentiality="restricted",
    )
    resp = await secretary.client.get(f"/api/meetings/{doc_meeting['id']}/pack")
    reader = PdfReader(io.BytesIO(await resp.read()))
    assert resp.status == 200 and len(reader.pages) == 6  # restricted material is not in a download
    outline = reader.outline
    titles = [o.title for o in outline if not isinstance(o, list)]
    assert titles == ["1. Báo cáo ứng dụng CNTT", "Tài liệu chung"]
    assert [o.title for o in outline[1]] == ["Báo cáo CNTT"]


async def test_pack_requests_in_flight_share_one_read_and_later_ones_see_changes(
    login_as, doc_meeting, server
) -> None:
    secretary = await login_as("thuky")
    mid = doc_meeting["id"]
    await upload(secretary, mid, text_pdf(["Chung 1"]), title="Giấy mời")
    app = server.app
    statements: list[str] = []
    engine = app[keys.DATABASE].engine.sync_engine

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with app[keys.DATABASE].session() as db:
            ctx = Context(db=db, actor=None, documents=app[keys.DOCUMENTS])
            # Twenty viewers asking at once (a meeting starting): one read of the agenda.
            rows = await asyncio.gather(*(files._pack_rows(ctx, mid) for _ in range(20)))
            reads = [s for s in statements if "FROM agenda_item" in s]
            assert len(reads) == 1
            assert all(r is rows[0] for r in rows)
            assert [d.title for d in rows[0].documents] == ["Giấy mời"]
            assert app[keys.DOCUMENTS].pack_reads == {}  # nothing kept once read
            # A change after the read is seen by the next request: no stale pack.
            await upload(secretary, mid, text_pdf(["Chung 2"]), title="Phụ lục")
            later = await files._pack_rows(ctx, mid)
            assert [d.title for d in later.documents] == ["Giấy mời", "Phụ lục"]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    resp = await secretary.client.get(f"/api/meetings/{mid}/pack")
    assert resp.status == 200 and len(PdfReader(io.BytesIO(await resp.read())).pages) == 2

    # The request doing the read hangs up: the one waiting for it reads for itself.
    database, documents = app[keys.DATABASE], app[keys.DOCUMENTS]
    async with database.session() as first_db, database.session() as second_db:
        first = asyncio.create_task(
            files._pack_rows(Context(db=first_db, actor=None, documents=documents), mid)
        )
        await asyncio.sleep(0)  # the first request's read is under way
        second = asyncio.create_task(
            files._pack_rows(Context(db=second_db, actor=None, documents=documents), mid)
        )
        await asyncio.sleep(0)  # the second waits for it
        assert not second.done()
        first.cancel()
        assert [d.title for d in (await second).documents] == ["Giấy mời", "Phụ lục"]
        with pytest.raises(asyncio.CancelledError):
            await first
    assert documents.pack_reads == {}


async def test_private_notes(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    _, body = await upload(secretary, doc_meeting["id"], text_pdf(REPORT))
    doc_id = body["document"]["id"]
    official = await login_as("tp.noivu")
    status, note = await official.post(
        f"/api/documents/{doc_id}/notes", json={"page": 3, "text": "Hỏi về số liệu"}
    )
    assert status == 201
    status, err = await official.post(
        f"/api/documents/{doc_id}/notes", json={"page": 9, "text": "x"}
    )
    assert status == 422 and error_code(err) == "bad_page"
    other = await login_as("tp.vanhoa")
    _, theirs = await other.get(f"/api/documents/{doc_id}/notes")
    assert theirs["notes"] == []
    status, _ = await other.patch(f"/api/notes/{note['note']['id']}", json={"text": "hijack"})
    assert status == 404
    again = await login_as("tp.noivu")  # another device
    _, mine = await again.get(f"/api/documents/{doc_id}/notes")
    assert [(n["page"], n["text"]) for n in mine["notes"]] == [(3, "Hỏi về số liệu")]
    assert (await again.call("DELETE", f"/api/notes/{note['note']['id']}"))[0] == 204


async def test_opinion_collection(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    _, body = await upload(
        secretary, doc_meeting["id"], text_pdf(REPORT), title="Dự thảo Kế hoạch 2027"
    )
    doc_id = body["document"]["id"]
    site = await login_as("xa-vinh-hanh")
    status, err = await site.post(
        f"/api/documents/{doc_id}/comments", json={"page": 2, "text": "Sớm"}
    )
    assert status == 409 and error_code(err) == "no_open_round"
    status, _ = await site.post(
        f"/api/documents/{doc_id}/opinion-round", json={"deadline": "2030-01-01T08:00:00+07:00"}
    )
    assert status == 403
    assert (
        await secretary.post(
            f"/api/documents/{doc_id}/opinion-round", json={"deadline": "2030-01-01T08:00:00+07:00"}
        )
    )[0] == 200
    assert (
        await site.post(
            f"/api/documents/{doc_id}/comments",
            json={"page": 2, "text": "Đề nghị bổ sung kinh phí đường truyền"},
        )
    )[0] == 201
    official = await login_as("tp.noivu")
    await official.post(f"/api/documents/{doc_id}/comments", json={"page": 4, "text": "Thống nhất"})
    _, own = await site.get(f"/api/documents/{doc_id}/comments")
    assert [c["text"] for c in own["comments"]] == ["Đề nghị bổ sung kinh phí đường truyền"]
    _, everything = await secretary.get(f"/api/documents/{doc_id}/comments")
    assert len(everything["comments"]) == 2 and everything["round"]["open"] is True
    answered = {u["unit_name"]: u["answered"] for u in everything["units"]}
    assert answered["Xã Vĩnh Hanh"] is True and answered["Phòng Văn hóa và Thông tin"] is False
    csv_resp = await secretary.client.get(f"/api/documents/{doc_id}/comments.csv")
    text = (await csv_resp.read()).decode("utf-8-sig")
    assert csv_resp.status == 200 and "Xã Vĩnh Hanh" in text and "đường truyền" in text
    assert "Phòng Văn hóa và Thông tin,,,(chưa góp ý)" in text
    pdf_resp = await secretary.client.get(f"/api/documents/{doc_id}/comments.pdf")
    extracted = PdfReader(io.BytesIO(await pdf_resp.read())).pages[0].extract_text()
    assert "TỔNG HỢP Ý KIẾN GÓP Ý" in extracted and "Đề nghị bổ sung kinh phí" in extracted
    assert (await site.get(f"/api/documents/{doc_id}/comments.csv"))[0] == 403
    assert (await secretary.post(f"/api/documents/{doc_id}/opinion-round/close"))[0] == 204

    status, err = await site.post(
        f"/api/documents/{doc_id}/comments", json={"page": 1, "text": "muộn"}
    )
    assert status == 409


async def test_search_across_line_breaks(login_as, doc_meeting) -> None:
    secretary = await login_as("thuky")
    await upload(
        secretary, doc_meeting["id"], text_pdf(["Triển khai kế\nhoạch chuyển đổi số tại các xã"])
    )
    _, found = await secretary.get("/api/search?q=ke hoach chuyen doi")
    assert len(found["results"]) == 1
    assert "hoạch chuyển đổi" in found["results"][0]["snippet"]
    status, err = await secretary.get("/api/search?q=a")
    assert status == 422 and error_code(err) == "query_too_short"
