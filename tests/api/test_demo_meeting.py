"""The demo seed includes the scenario's meeting, as a new user sees it after scripts/run."""

from __future__ import annotations

import dataclasses

import pytest

from server.config import Settings
from tests.conftest import Api


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, seed_demo_meeting=True)


async def test_scenario_meeting_is_published_with_answers(login_as) -> None:
    secretary: Api = await login_as("thuky")
    _, listing = await secretary.get("/api/meetings")
    (meeting,) = listing["meetings"]
    assert meeting["status"] == "published" and meeting["title"].startswith("Hội nghị trực tuyến")
    _, agenda = await secretary.get(f"/api/meetings/{meeting['id']}/agenda")
    assert len(agenda["items"]) == 6 and agenda["items"][3]["presenter_name"] == "Huỳnh Minh Tâm"
    _, board = await secretary.get(f"/api/meetings/{meeting['id']}/attendance")
    assert board["sites_summary"] == {
        "total": 13,
        "pending": 0,
        "attending": 12,
        "declined": 1,
        "delegated": 0,
    }
    tan_phu = next(s for s in board["sites"] if s["unit_name"] == "Xã Tân Phú")
    assert tan_phu["answer"] == "declined" and "Mất điện" in tan_phu["reason"]
    vinh_nhuan = next(p for p in board["people"] if p["user"]["full_name"] == "Châu Văn Tài")
    assert vinh_nhuan["substitute"]["full_name"] == "Trương Thị Kim Oanh"
    deputy = await login_as("pct.vinh-nhuan")
    assert (await deputy.get(f"/api/meetings/{meeting['id']}"))[0] == 200


async def test_scenario_materials(login_as) -> None:
    site: Api = await login_as("xa-vinh-hanh")
    _, listing = await site.get("/api/meetings")
    meeting_id = listing["meetings"][0]["id"]
    _, docs = await site.get(f"/api/meetings/{meeting_id}/documents")
    by_title = {d["title"]: d for d in docs["documents"]}
    report = by_title["Báo cáo kết quả ứng dụng CNTT trong cải cách hành chính"]
    assert report["pages"] == 12  # the DOCX went through LibreOffice
    assert by_title["Bảng số liệu Bộ phận Một cửa"]["can_download"] is False
    secret = by_title["Dự thảo Kế hoạch chuyển đổi số năm 2027"]
    assert secret["confidentiality"] == "secret"
    _, comments = await site.get(f"/api/documents/{secret['id']}/comments")
    assert comments["round"]["open"] is True
    _, found = await site.get("/api/search?q=buu chinh cong ich")
    assert found["results"] and found["results"][0]["document_id"] in {
        d["id"] for d in docs["documents"]
    }
