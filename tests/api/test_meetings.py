"""Meetings: create, invite, agenda, publish, answer, lifecycle — and every refusal."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.api.meeting_helpers import TITLE, at, draft, ids, invite, published
from tests.conftest import error_code


async def test_secretary_creates_a_draft_only_organisers_see(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await draft(secretary)
    assert meeting["status"] == "draft"
    assert meeting["my_roles"] == ["organiser"]
    assert meeting["chair"]["full_name"] == "Trần Văn Minh"
    assert meeting["host_unit_name"] == "Văn phòng HĐND và UBND"
    for username in ("chutich", "tp.noivu", "xa-vinh-hanh"):
        other = await login_as(username)
        status, body = await other.get(f"/api/meetings/{meeting['id']}")
        assert status == 404 and error_code(body) == "meeting_not_found", username
        _, listing = await other.get("/api/meetings")
        assert meeting["id"] not in [m["id"] for m in listing["meetings"]]


async def test_who_may_create(login_as) -> None:
    for username, allowed in (
        ("thuky", True),
        ("chutich", True),
        ("tp.noivu", False),
        ("xa-vinh-hanh", False),
        ("quantri", False),
    ):
        api = await login_as(username)
        status, body = await api.post(
            "/api/meetings",
            json={
                "title": "Họp giao ban",
                "starts_at": at(1).isoformat(),
                "ends_at": at(1, 9).isoformat(),
            },
        )
        assert (status == 201) is allowed, (username, body)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ends_at": at(7, 7).isoformat()}, "invalid_input"),  # ends before it starts
        ({"starts_at": "2026-12-01T08:00:00"}, "invalid_input"),  # no time zone
        ({"title": ""}, "invalid_input"),
        ({"kind": "party"}, "invalid_input"),
        ({"chair_id": 99999}, "user_not_found"),
    ],
)
async def test_bad_meeting_input(login_as, change, code) -> None:
    secretary = await login_as("thuky")
    body = {
        "title": TITLE,
        "starts_at": at(7).isoformat(),
        "ends_at": at(7, 11).isoformat(),
        **change,
    }
    status, answer = await secretary.post("/api/meetings", json=body)
    assert status in {404, 422} and error_code(answer) == code
    _, listing = await secretary.get("/api/meetings")
    assert listing["meetings"] == []


async def test_invite_people_departments_and_communes(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await draft(secretary)
    people, units = await ids(secretary, "users"), await ids(secretary, "units")
    result = await invite(
        secretary,
        meeting["id"],
        user_ids=[people["chutich"]],
        unit_ids=[units["p-van-hoa-thong-tin"], units["p-noi-vu"]],
        sites=[{"unit_id": units["xa-vinh-hanh"]}, {"unit_id": units["tt-an-chau"]}],
        sites_vote=True,
    )
    added = {i["user"]["full_name"]: i for i in result["added"]}
    assert {"Trần Văn Minh", "Huỳnh Minh Tâm", "Phạm Văn Đức"} <= set(added)
    site = added["Điểm cầu xã Vĩnh Hanh"]
    assert site["kind"] == "site" and site["voting"] is True
    assert site["responsible"]["full_name"] == "Ngô Văn Hải"  # the commune's chairperson
    assert added["Phạm Văn Đức"]["via_unit_id"] == units["p-noi-vu"]
    again = await invite(secretary, meeting["id"], user_ids=[people["chutich"]])
    assert again["added"] == [] and again["already_invited"] == [people["chutich"]]


async def test_site_accounts_are_invited_as_sites_not_people(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await draft(secretary)
    people, units = await ids(secretary, "users"), await ids(secretary, "units")
    status, body = await secretary.post(
        f"/api/meetings/{meeting['id']}/invitations", json={"user_ids": [people["xa-vinh-hanh"]]}
    )
    assert status == 422 and error_code(body) == "site_invited_as_person"
    status, body = await secretary.post(
        f"/api/meetings/{meeting['id']}/invitations",
        json={"sites": [{"unit_id": units["p-tu-phap"]}]},
    )
    assert status == 422 and error_code(body) == "unit_has_no_site"


async def test_publishing_needs_a_chair_and_invitees(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await draft(secretary, chair_id=None)
    status, body = await secretary.post(f"/api/meetings/{meeting['id']}/publish")
    assert status == 422 and error_code(body) == "meeting_incomplete"
    assert "chủ trì" in body["error"]["message"] and "chưa mời ai" in body["error"]["message"]
    _, again = await secretary.get(f"/api/meetings/{meeting['id']}")
    assert again["meeting"]["status"] == "draft"


async def test_publish_notifies_every_invitee(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu", "tp.vanhoa"], ["xa-vinh-hanh"])
    for username in ("tp.noivu", "xa-vinh-hanh", "ct.vinh-hanh", "chutich"):
        api = await login_as(username)
        _, notes = await api.get("/api/notifications")
        kinds = [(n["kind"], n["meeting_id"]) for n in notes["notifications"]]
        assert ("meeting.invited", meeting["id"]) in kinds, username
        assert notes["unread"] >= 1
        invited = next(n for n in notes["notifications"] if n["kind"] == "meeting.invited")
        assert invited["params"]["meeting"] == meeting["title"]
        assert invited["params"]["location"] == (meeting["location"] or "")
        when = datetime.fromisoformat(invited["params"]["starts_at"])
        assert when == datetime.fromisoformat(meeting["starts_at"])

    outsider = await login_as("tp.tuphap")
    _, notes = await outsider.get("/api/notifications")
    assert notes["notifications"] == []


async def test_agenda_times_nesting_reorder_and_withdraw(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await draft(secretary)
    mid = meeting["id"]
    people = await ids(secretary, "users")
    made = []
    for title, minutes in (("Khai mạc", 10), ("Báo cáo ứng dụng CNTT", 25), ("Một cửa", 20)):
        status, body = await secretary.post(
            f"/api/meetings/{mid}/agenda",
            json={"title": title, "duration_minutes": minutes, "presenter_id": people["tp.vanhoa"]},
        )
        assert status == 201, body
        made.append(body["item"])
    assert made[1]["presenter_name"] == "Huỳnh Minh Tâm"
    status, body = await secretary.post(
        f"/api/meetings/{mid}/agenda",
        json={"title": "Số liệu quý IV", "duration_minutes": 5, "parent_id": made[1]["id"]},
    )
    child = body["item"]
    assert status == 201 and child["number"] == "2.1"
    status, body = await secretary.post(
        f"/api/meetings/{mid}/agenda", json={"title": "Quá sâu", "parent_id": child["id"]}
    )
    assert status == 422 and error_code(body) == "agenda_too_deep"

    _, agenda = await secretary.get(f"/api/meetings/{mid}/agenda")
    starts = {i["title"]: datetime.fromisoformat(i["planned_start"]) for i in agenda["items"]}
    start = datetime.fromisoformat(meeting["starts_at"])
    assert (starts["Báo cáo ứng dụng CNTT"] - start).total_seconds() == 10 * 60
    assert (starts["Một cửa"] - start).total_seconds() == (10 + 25 + 5) * 60
    assert (datetime.fromisoformat(agenda["planned_end"]) - start).total_seconds() == 60 * 60

    order = {
        "items": [
            {"id": made[2]["id"], "children": [child["id"]]},
            {"id": made[0]["id"]},
            {"id": made[1]["id"]},
        ]
    }
    status, body = await secretary.call("PUT", f"/api/meetings/{mid}/agenda/order", json=order)
    assert status == 200, body
    assert [(i["number"], i["title"]) for i in body["items"]] == [
        ("1", "Một cửa"),
        ("1.1", "Số liệu quý IV"),
        ("2", "Khai mạc"),
        ("3", "Báo cáo ứng dụng CNTT"),
    ]
    status, body = await secretary.call(
        "PUT", f"/api/meetings/{mid}/agenda/order", json={"items": [{"id": made[0]["id"]}]}
    )
    assert status == 422 and error_code(body) == "agenda_order_incomplete"

    status, body = await secretary.patch(
        f"/api/meetings/{mid}/agenda/{made[0]['id']}", json={"withdrawn": True}
    )
    assert status == 200 and body["item"]["planned_start"] is None
    _, agenda = await secretary.get(f"/api/meetings/{mid}/agenda")
    assert [i["number"] for i in agenda["items"]] == ["1", "1.1", "", "2"]


async def test_invitee_reads_but_cannot_edit(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu"])
    mid = meeting["id"]
    official = await login_as("tp.noivu")
    status, body = await official.get(f"/api/meetings/{mid}")
    assert status == 200 and body["meeting"]["my_roles"] == ["invitee"]
    for method, path, payload in (
        ("PATCH", f"/api/meetings/{mid}", {"title": "Đổi tên"}),
        ("POST", f"/api/meetings/{mid}/agenda", {"title": "Mục mới"}),
        ("POST", f"/api/meetings/{mid}/invitations", {"user_ids": [official.user["id"]]}),
        ("POST", f"/api/meetings/{mid}/cancel", {"reason": "x"}),
        ("GET", f"/api/meetings/{mid}/attendance", None),
        ("POST", f"/api/meetings/{mid}/remind", None),
    ):
        status, body = await official.call(method, path, json=payload)
        assert status == 403 and error_code(body) == "meeting_forbidden", path


async def test_answers_and_attendance_board(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(
        secretary,
        ["tp.noivu", "tp.vanhoa", "tp.taichinh"],
        ["xa-vinh-hanh", "xa-tan-phu", "xa-vinh-nhuan"],
    )
    mid = meeting["id"]
    people = await ids(secretary, "users")

    async def answer(username: str, **body) -> tuple[int, dict]:
        return await (await login_as(username)).post(f"/api/meetings/{mid}/answer", json=body)

    assert (await answer("tp.noivu", answer="attending"))[0] == 200
    status, body = await answer("tp.vanhoa", answer="declined")
    assert status == 422  # a reason is required
    assert (await answer("tp.vanhoa", answer="declined", reason="Đi công tác tỉnh"))[0] == 200
    status, body = await answer(
        "xa-vinh-hanh", answer="attending", attendees=["Ngô Văn Hải", "Lê Thị Thu (văn phòng)"]
    )
    assert status == 200 and body["invitation"]["attendees"] == [
        "Ngô Văn Hải",
        "Lê Thị Thu (văn phòng)",
    ]
    assert (await answer("xa-tan-phu", answer="declined", reason="Mất điện lưới"))[0] == 200

    status, board = await secretary.get(f"/api/meetings/{mid}/attendance")
    assert status == 200
    assert board["people_summary"] == {
        "total": 3,
        "pending": 1,
        "attending": 1,
        "declined": 1,
        "delegated": 0,
    }
    assert board["sites_summary"]["total"] == 3 and board["sites_summary"]["declined"] == 1
    declined = next(r for r in board["people"] if r["answer"] == "declined")
    assert declined["reason"] == "Đi công tác tỉnh"
    assert [s["unit_name"] for s in board["sites"]] == sorted(
        s["unit_name"] for s in board["sites"]
    )

    status, body = await secretary.post(f"/api/meetings/{mid}/remind")
    assert status == 200 and body["reminded"] == 2  # tp.taichinh and Vĩnh Nhuận
    chair = await login_as("chutich")
    assert (await chair.get(f"/api/meetings/{mid}/attendance"))[0] == 200
    _, notes = await (await login_as("tp.taichinh")).get("/api/notifications")
    assert "meeting.reminder" in [n["kind"] for n in notes["notifications"]]
    assert people  # keep the lookup used


async def test_substitute_gets_access_to_this_meeting_only(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["ct.vinh-nhuan"])
    other = await published(secretary, ["ct.vinh-nhuan"], title="Họp khác")
    people = await ids(secretary, "users")
    chairman = await login_as("ct.vinh-nhuan")
    deputy = await login_as("pct.vinh-nhuan")
    assert (await deputy.get(f"/api/meetings/{meeting['id']}"))[0] == 404

    status, body = await chairman.post(
        f"/api/meetings/{meeting['id']}/answer",
        json={"answer": "delegated", "substitute_id": people["tp.noivu"]},
    )
    assert status == 422 and error_code(body) == "bad_substitute"  # another unit
    status, body = await chairman.post(
        f"/api/meetings/{meeting['id']}/answer",
        json={"answer": "delegated", "substitute_id": people["pct.vinh-nhuan"]},
    )
    assert status == 200 and body["invitation"]["substitute"]["full_name"] == "Trương Thị Kim Oanh"

    status, body = await deputy.get(f"/api/meetings/{meeting['id']}")
    assert status == 200 and body["meeting"]["my_roles"] == ["substitute"]
    assert (await deputy.get(f"/api/meetings/{other['id']}"))[0] == 404
    _, notes = await deputy.get("/api/notifications")
    assert [n["kind"] for n in notes["notifications"]] == ["meeting.substitute"]
    # The substitute cannot answer or edit in the invitee's name.
    status, body = await deputy.post(
        f"/api/meetings/{meeting['id']}/answer", json={"answer": "attending"}
    )
    assert status == 403
    _, audit = await (await login_as("quantri")).get("/api/audit?object_type=invitation")
    assert audit["entries"][0]["details"]["substitute_id"] == people["pct.vinh-nhuan"]


async def test_changes_after_publish_are_announced(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu"])
    status, body = await secretary.patch(
        f"/api/meetings/{meeting['id']}",
        json={
            "starts_at": at(8, 14).isoformat(),
            "ends_at": at(8, 17).isoformat(),
            "location": "Phòng họp số 2",
        },
    )
    assert status == 200 and body["meeting"]["sequence"] == 1
    official = await login_as("tp.noivu")
    _, notes = await official.get("/api/notifications")
    latest = notes["notifications"][0]
    assert latest["kind"] == "meeting.updated"
    assert "Hội trường UBND huyện → Phòng họp số 2" in latest["body"]
    assert "14:00" in latest["body"]
    assert set(latest["params"]["fields"].split(",")) == {"starts_at", "ends_at", "location"}

    await secretary.post(f"/api/meetings/{meeting['id']}/agenda", json={"title": "Mục bổ sung"})
    _, notes = await official.get("/api/notifications")
    assert notes["notifications"][0]["kind"] == "meeting.agenda_changed"
    assert notes["notifications"][0]["params"] == {
        "meeting": meeting["title"],
        "change": "added",
        "item": "Mục bổ sung",
    }


async def test_postpone_and_cancel_with_reasons(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu"])
    mid = meeting["id"]
    status, body = await secretary.post(
        f"/api/meetings/{mid}/postpone",
        json={
            "starts_at": at(10).isoformat(),
            "ends_at": at(10, 11).isoformat(),
            "reason": "Trùng lịch họp tỉnh",
        },
    )
    assert status == 200 and body["meeting"]["status_reason"] == "Trùng lịch họp tỉnh"
    status, body = await secretary.post(f"/api/meetings/{mid}/cancel", json={"reason": ""})
    assert status == 422
    status, body = await secretary.post(f"/api/meetings/{mid}/cancel", json={"reason": "Bão số 9"})
    assert status == 200 and body["meeting"]["status"] == "cancelled"
    _, notes = await (await login_as("tp.noivu")).get("/api/notifications")
    assert [n["kind"] for n in notes["notifications"]][:2] == [
        "meeting.cancelled",
        "meeting.postponed",
    ]
    # ... with the facts the web client words them from, in Vietnamese or English.
    cancelled, postponed = notes["notifications"][:2]
    assert cancelled["params"]["reason"] == "Bão số 9"
    assert postponed["params"]["reason"] == "Trùng lịch họp tỉnh"
    assert datetime.fromisoformat(postponed["params"]["starts_at"]) == at(10)
    assert datetime.fromisoformat(postponed["params"]["previous_start"]) == datetime.fromisoformat(
        meeting["starts_at"]
    )
    status, body = await secretary.post(f"/api/meetings/{mid}/publish")
    assert status == 409 and error_code(body) == "meeting_wrong_status"


async def test_lifecycle_and_illegal_transitions(login_as) -> None:
    secretary = await login_as("thuky")
    chair = await login_as("chutich")
    meeting = await published(secretary, ["tp.noivu"])
    mid = meeting["id"]
    status, body = await secretary.post(f"/api/meetings/{mid}/end")
    assert status == 409 and error_code(body) == "meeting_wrong_status"
    assert "đã phát hành" in body["error"]["message"]
    status, body = await secretary.post(f"/api/meetings/{mid}/archive")
    assert status == 409
    official = await login_as("tp.noivu")
    assert (await official.post(f"/api/meetings/{mid}/start"))[0] == 403
    assert (await chair.post(f"/api/meetings/{mid}/start"))[1]["meeting"]["status"] == "in_progress"
    assert (await chair.post(f"/api/meetings/{mid}/end"))[1]["meeting"]["status"] == "ended"
    status, body = await official.post(f"/api/meetings/{mid}/answer", json={"answer": "attending"})
    assert status == 409 and error_code(body) == "meeting_wrong_status"  # answering after the end
    assert (await secretary.post(f"/api/meetings/{mid}/archive"))[1]["meeting"][
        "status"
    ] == "archived"
    status, body = await secretary.patch(f"/api/meetings/{mid}", json={"title": "Sửa sau lưu trữ"})
    assert status == 409 and error_code(body) == "meeting_archived"
    status, body = await secretary.post(f"/api/meetings/{mid}/agenda", json={"title": "x"})
    assert status == 409 and error_code(body) == "meeting_archived"
    assert (await official.get(f"/api/meetings/{mid}"))[0] == 200  # still readable


async def test_substitute_access_ends_when_archived(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["ct.vinh-nhuan"])
    people = await ids(secretary, "users")
    await (await login_as("ct.vinh-nhuan")).post(
        f"/api/meetings/{meeting['id']}/answer",
        json={"answer": "delegated", "substitute_id": people["pct.vinh-nhuan"]},
    )
    deputy = await login_as("pct.vinh-nhuan")
    assert (await deputy.get(f"/api/meetings/{meeting['id']}"))[0] == 200
    for step in ("start", "end", "archive"):
        assert (await secretary.post(f"/api/meetings/{meeting['id']}/{step}"))[0] == 200
    assert (await deputy.get(f"/api/meetings/{meeting['id']}"))[0] == 404


async def test_my_meetings_time_search_and_unit_filter(login_as) -> None:
    secretary = await login_as("thuky")
    units = await ids(secretary, "units")
    soon = await published(secretary, ["tp.noivu"], ["xa-vinh-hanh"])
    later = await published(
        secretary,
        ["tp.noivu"],
        title="Họp bàn kế hoạch chuyển đổi số 2027",
        starts_at=at(40).isoformat(),
        ends_at=at(40, 10).isoformat(),
    )
    official = await login_as("tp.noivu")
    _, body = await official.get("/api/meetings")
    assert [m["id"] for m in body["meetings"]] == [soon["id"], later["id"]]
    assert body["meetings"][0]["my_answer"] == "pending"
    _, body = await official.get("/api/meetings", headers={})
    window = f"from={at(30).isoformat()}&to={at(50).isoformat()}".replace("+", "%2B")
    _, body = await official.get(f"/api/meetings?{window}")
    assert [m["id"] for m in body["meetings"]] == [later["id"]]
    _, body = await official.get("/api/meetings?q=ke hoach chuyen doi")
    assert [m["id"] for m in body["meetings"]] == [later["id"]]
    _, body = await official.get(f"/api/meetings?unit_id={units['xa-vinh-hanh']}")
    assert [m["id"] for m in body["meetings"]] == [soon["id"]]
    status, body = await official.get("/api/meetings?from=tomorrow")
    assert status == 400 and error_code(body) == "bad_parameter"


async def test_confidential_meeting_leaks_nowhere(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(
        secretary, ["tp.noivu"], access="confidential", title="Họp mật về nhân sự"
    )
    outsider = await login_as("tp.tuphap")
    status, body = await outsider.get(f"/api/meetings/{meeting['id']}")
    assert status == 404
    assert "nhân sự" not in str(body)
    for path in (
        "/api/meetings",
        "/api/meetings?q=nhan su",
        "/api/notifications",
        f"/api/meetings/{meeting['id']}/agenda",
        f"/api/meetings/{meeting['id']}/attendance",
    ):
        status, body = await outsider.get(path)
        assert "nhân sự" not in str(body), path
    status, body = await outsider.post(
        f"/api/meetings/{meeting['id']}/answer", json={"answer": "attending"}
    )
    assert status == 404


async def test_open_meeting_is_visible_read_only_to_everyone(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu"], access="open", title="Hội nghị công khai")
    outsider = await login_as("tp.tuphap")
    status, body = await outsider.get(f"/api/meetings/{meeting['id']}")
    assert status == 200 and body["meeting"]["my_roles"] == ["observer"]
    status, _ = await outsider.post(
        f"/api/meetings/{meeting['id']}/answer", json={"answer": "attending"}
    )
    assert status == 403


async def test_double_booking_is_a_warning(login_as) -> None:
    secretary = await login_as("thuky")
    first = await published(secretary, ["tp.noivu"])
    second = await draft(
        secretary,
        title="Họp trùng giờ",
        starts_at=at(7, 10).isoformat(),
        ends_at=at(7, 12).isoformat(),
    )
    people = await ids(secretary, "users")
    result = await invite(
        secretary, second["id"], user_ids=[people["tp.noivu"], people["tp.tuphap"]]
    )
    assert len(result["added"]) == 2
    assert [(c["full_name"], c["meeting_id"]) for c in result["double_booked"]] == [
        ("Phạm Văn Đức", first["id"])
    ]


async def test_uninvite(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu", "tp.tuphap"])
    _, board = await secretary.get(f"/api/meetings/{meeting['id']}/attendance")
    target = next(r for r in board["people"] if r["user"]["full_name"] == "Đặng Thị Hồng")
    status, _ = await secretary.call(
        "DELETE", f"/api/meetings/{meeting['id']}/invitations/{target['id']}"
    )
    assert status == 204
    assert (await (await login_as("tp.tuphap")).get(f"/api/meetings/{meeting['id']}"))[0] == 404
    status, body = await secretary.call(
        "DELETE", f"/api/meetings/{meeting['id']}/invitations/{target['id']}"
    )
    assert status == 404 and error_code(body) == "invitation_not_found"


async def test_notifications_are_private(login_as) -> None:
    secretary = await login_as("thuky")
    await published(secretary, ["tp.noivu"])
    official = await login_as("tp.noivu")
    _, notes = await official.get("/api/notifications")
    note_id = notes["notifications"][0]["id"]
    stranger = await login_as("tp.tuphap")
    status, body = await stranger.post(f"/api/notifications/{note_id}/read")
    assert status == 404 and error_code(body) == "notification_not_found"
    assert (await official.post(f"/api/notifications/{note_id}/read"))[0] == 204
    _, notes = await official.get("/api/notifications?unread=1")
    assert notes["unread"] == 0 and notes["notifications"] == []


async def test_substitute_candidates_are_my_unit_colleagues(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["ct.vinh-nhuan", "tp.noivu"], ["xa-vinh-nhuan"])
    chairman = await login_as("ct.vinh-nhuan")
    status, body = await chairman.get(f"/api/meetings/{meeting['id']}/substitutes")
    assert status == 200
    assert [p["full_name"] for p in body["people"]] == ["Trương Thị Kim Oanh"]  # not the site
    status, body = await secretary.get(f"/api/meetings/{meeting['id']}/substitutes")
    assert status == 403  # the organiser is not an invitee
