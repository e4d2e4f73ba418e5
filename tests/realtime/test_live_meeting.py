"""The live meeting through real socket.io clients against a real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import socketio
from sqlmodel import select

from storage.db import Database
from storage.models import Ballot, SpeechRequest, VoteParticipation, VoteTally
from storage.types import utcnow
from tests.api.documents_helpers import slides
from tests.api.meeting_helpers import ids, published
from tests.realtime.live_client import MeetingClient

MEMBERS = ["tp.noivu", "tp.vanhoa", "tp.taichinh"]
SITES = ["xa-vinh-hanh", "xa-an-hoa"]

Join = Callable[..., Awaitable[MeetingClient]]


@pytest.fixture
async def meeting(login_as) -> dict:
    secretary = await login_as("thuky")
    m = await published(secretary, MEMBERS, SITES)
    _, agenda = await secretary.get(f"/api/meetings/{m['id']}/agenda")
    for title in ("Khai mạc", "Báo cáo ứng dụng CNTT", "Biểu quyết thông qua Kế hoạch"):
        presenter = (await ids(secretary, "users"))["tp.vanhoa"] if "Báo cáo" in title else None
        await secretary.post(
            f"/api/meetings/{m['id']}/agenda",
            json={"title": title, "duration_minutes": 10, "presenter_id": presenter},
        )
    _, agenda = await secretary.get(f"/api/meetings/{m['id']}/agenda")
    m["items"] = [i["id"] for i in agenda["items"]]
    return m


@pytest.fixture
async def join(login_as, meeting) -> AsyncIterator[Join]:
    clients: list[MeetingClient] = []

    async def connect(username: str, meeting_id: int | None = None) -> MeetingClient:
        api = await login_as(username)
        client = await MeetingClient(api, meeting_id or meeting["id"]).connect()
        clients.append(client)
        return client

    yield connect
    for client in clients:
        await client.close()


async def test_join_refusals(login_as, meeting, join) -> None:
    stranger = await login_as("tp.tuphap")
    refused = MeetingClient(stranger, meeting["id"])
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.connect()
    assert refused.refusal["data"]["code"] == "meeting_not_found"
    member = await login_as("tp.noivu")
    no_id = MeetingClient(member, meeting["id"])
    no_id.meeting_id = None  # type: ignore[assignment]
    with pytest.raises(socketio.exceptions.ConnectionError):
        await no_id.connect()
    wrong = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await wrong.connect(
            str(member.client.make_url("/")),
            namespaces=["/no-such-namespace"],
            transports=["websocket"],
            wait_timeout=3,
        )
    secretary = await login_as("thuky")
    for step in ("start", "end", "archive"):
        await secretary.post(f"/api/meetings/{meeting['id']}/{step}")
    archived = MeetingClient(member, meeting["id"])
    with pytest.raises(socketio.exceptions.ConnectionError):
        await archived.connect()
    assert archived.refusal["data"]["code"] == "meeting_archived"


async def test_roll_call_and_quorum(join, meeting, login_as) -> None:
    secretary = await join("thuky")
    snap = await secretary.ok("snapshot")
    assert snap["quorum"]["members_total"] == 3 and snap["quorum"]["reached"] is False
    assert {a["status"] for a in snap["attendees"]} == {"not_yet"}
    first = await join("tp.noivu")
    await secretary.until("quorum.changed", lambda q: q["members_present"] == 1)
    await join("tp.vanhoa")
    quorum = await secretary.until("quorum.changed", lambda q: q["members_present"] == 2)
    assert quorum["reached"] is True  # 2 of 3 is more than half
    site = await join("xa-vinh-hanh")
    quorum = await secretary.until("quorum.changed", lambda q: q["sites_connected"] == 1)
    people = await ids(await login_as("thuky"), "users")
    await secretary.ok(
        "rollcall.mark", {"user_id": people["tp.taichinh"], "status": "absent", "reason": "Ốm"}
    )
    board = await secretary.until(
        "rollcall.changed", lambda b: any(a["status"] == "absent" for a in b["attendees"])
    )
    absent = next(a for a in board["attendees"] if a["status"] == "absent")
    assert absent["reason"] == "Ốm"
    await secretary.ok("quorum.rule", {"members": "two_thirds", "min_sites": 2})
    quorum = await secretary.until("quorum.changed", lambda q: q["rule"] == "two_thirds")
    assert quorum["reached"] is False  # two of the communes must be connected
    await site.close()
    quorum = await secretary.until("quorum.changed", lambda q: q["sites_connected"] == 0)
    assert first.sio.connected
    # a delegate may not take the roll-call
    assert (
        await first.refused(
            "rollcall.mark", {"user_id": people["tp.noivu"], "status": "present_hall"}
        )
        == "meeting_forbidden"
    )


async def test_page_follow_and_back_to_presenter(join, meeting, login_as) -> None:
    doc = await slides(await login_as("thuky"), meeting["id"])
    chair = await join("chutich")
    site_a = await join("xa-vinh-hanh")
    site_b = await join("xa-an-hoa")
    member = await join("tp.noivu")
    assert (
        await chair.refused("agenda.go", {"item_id": meeting["items"][0]}) == "meeting_not_started"
    )
    await chair.ok("meeting.start")
    assert (await site_a.next("meeting.status"))["status"] == "in_progress"
    await chair.ok("page", {"document_id": doc, "page": 4})
    for viewer in (site_a, site_b, member):
        changed = await viewer.next("page.changed")
        assert (changed["document_id"], changed["page"]) == (doc, 4)
    # Only the chair or the current item's presenter presents.
    assert await member.refused("page", {"document_id": doc, "page": 1}) == "meeting_forbidden"
    presenter = await join("tp.vanhoa")
    assert await presenter.refused("page", {"document_id": doc, "page": 1}) == "meeting_forbidden"
    await chair.ok("agenda.go", {"item_id": meeting["items"][1]})
    current = await site_a.next("agenda.current")
    assert current["title"] == "Báo cáo ứng dụng CNTT"
    await presenter.ok("page", {"document_id": doc, "page": 5})
    assert (await site_b.until("page.changed", lambda p: p["page"] == 5))[
        "presenter_id"
    ] == presenter.api.user["id"]
    await presenter.ok("pointer", {"x": 0.25, "y": 0.5})
    assert (await site_a.next("pointer.moved"))["x"] == 0.25
    # A commune browsing freely then reconnecting (or pressing "back to presenter") gets the
    # presented page from the snapshot.
    await site_a.close()
    again = await join("xa-vinh-hanh")
    snap = await again.ok("snapshot")
    assert (snap["stage"]["document_id"], snap["stage"]["page"]) == (doc, 5)
    assert snap["stage"]["current_item_id"] == meeting["items"][1]
    assert snap["agenda"][1]["used"]["running_since"] is not None
    assert await again.refused("page", {"document_id": doc, "page": 0}) == "invalid_input"
    assert await chair.refused("page", {"document_id": doc, "page": 99}) == "bad_page"
    assert (
        await chair.refused("page", {"document_id": doc + 1000, "page": 1}) == "document_not_found"
    )


async def test_speaker_queue(join, meeting) -> None:
    chair = await join("chutich")
    site = await join("xa-vinh-hanh")
    member = await join("tp.noivu")
    other = await join("xa-an-hoa")
    await chair.ok("meeting.start")
    first = await site.ok("floor.request", {"topic": "Hạ tầng mạng xã", "position": "question"})
    assert await site.refused("floor.request", {"topic": "lần hai"}) == "already_in_queue"
    second = await member.ok("floor.request", {"topic": "Kinh phí", "position": "for"})
    third = await other.ok("floor.request", {})
    queue = await chair.until("floor.queue", lambda q: len(q["queue"]) == 3)
    assert [r["id"] for r in queue["queue"]] == [first["id"], second["id"], third["id"]]
    assert queue["queue"][0]["is_site"] is True and queue["queue"][0]["unit_name"] == "Xã Vĩnh Hanh"
    assert await member.refused("floor.give", {"request_id": first["id"]}) == "meeting_forbidden"
    assert await member.refused("floor.reorder", {"request_ids": []}) == "meeting_forbidden"
    await chair.ok("floor.reorder", {"request_ids": [third["id"], first["id"], second["id"]]})
    queue = await site.until("floor.queue", lambda q: q["queue"][0]["id"] == third["id"])
    assert await chair.refused("floor.reorder", {"request_ids": [first["id"]]}) == "queue_changed"
    await chair.ok("floor.give", {"request_id": first["id"], "seconds": 180})
    granted = await other.next("floor.granted")
    assert granted["speaker"]["name"] == "Điểm cầu xã Vĩnh Hanh" and granted["speaker"]["ends_at"]
    await member.ok("floor.withdraw", {"request_id": second["id"]})
    await chair.ok("floor.end")
    await chair.next("floor.ended")
    snap = await chair.ok("snapshot")
    assert [s["id"] for s in snap["speeches"]] == [first["id"]]
    assert [r["id"] for r in snap["floor"]["queue"]] == [third["id"]]


async def test_chair_is_told_when_time_is_up(join, meeting, settings) -> None:
    chair = await join("chutich")
    site = await join("xa-vinh-hanh")
    await chair.ok("meeting.start")
    request = await site.ok("floor.request", {"topic": "Góp ý"})
    await chair.ok("floor.give", {"request_id": request["id"], "seconds": 10})
    database = Database(settings.resolved_database_url)
    async with database.session() as db:  # let the clock run out without waiting 10 s
        row = await db.get(SpeechRequest, request["id"])
        row.ends_at = utcnow()
        db.add(row)
        await db.commit()
    await database.close()
    told = await chair.next("floor.time_up", timeout=5)
    assert told["speaker"]["id"] == request["id"]
    await asyncio.sleep(1.5)
    assert chair.drain("floor.time_up") == []  # told once
    assert site.drain("floor.time_up") == []  # the chair is told, not the room


async def test_open_vote_once_per_member(join, meeting) -> None:
    chair = await join("chutich")
    a = await join("tp.noivu")
    a_tablet = await join("tp.noivu")  # the same official on two devices
    b = await join("tp.vanhoa")
    site = await join("xa-vinh-hanh")
    await chair.ok("meeting.start")
    assert await a.refused("vote.open", {"question": "x"}) == "meeting_forbidden"
    vote = await chair.ok("vote.open", {"question": "Thông qua Kế hoạch chuyển đổi số 2027?"})
    opened = await b.next("vote.opened")
    assert opened["eligible"] == 4  # three members and the chair; communes do not vote here
    assert opened["options"] == ["Đồng ý", "Không đồng ý", "Không biểu quyết"]
    assert (
        await site.refused("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
        == "not_eligible"
    )
    assert await a.refused("vote.cast", {"vote_id": vote["id"], "choice": "Có lẽ"}) == "bad_choice"
    both = await asyncio.gather(
        a.call("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"}),
        a_tablet.call("vote.cast", {"vote_id": vote["id"], "choice": "Không đồng ý"}),
    )
    assert sorted(r["ok"] for r in both) == [False, True]
    assert next(r for r in both if not r["ok"])["error"]["code"] == "already_voted"
    await b.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
    count = await site.until("vote.count", lambda c: c["cast"] == 2)
    assert set(count) == {"vote_id", "cast", "eligible"}  # no choices while open
    await chair.ok("vote.close", {"vote_id": vote["id"]})
    closed = await site.next("vote.closed")
    assert closed["results"] == {
        "Đồng ý": 2 if both[0]["ok"] else 1,
        "Không đồng ý": 0 if both[0]["ok"] else 1,
        "Không biểu quyết": 0,
    }
    assert (
        await b.refused("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"}) == "vote_closed"
    )
    assert await chair.refused("vote.close", {"vote_id": vote["id"]}) == "vote_closed"
    _, listing = await a.api.get(f"/api/meetings/{meeting['id']}/votes")
    ballots = listing["votes"][0]["ballots"]
    assert {b["voter"] for b in ballots} == {"Phạm Văn Đức", "Huỳnh Minh Tâm"}


async def test_substitute_votes_for_the_member_and_communes_vote_once(
    join, meeting, login_as
) -> None:
    secretary = await login_as("thuky")
    people = await ids(secretary, "users")
    await secretary.post(
        f"/api/meetings/{meeting['id']}/invitations", json={"user_ids": [people["ct.vinh-nhuan"]]}
    )
    chairman = await login_as("ct.vinh-nhuan")
    await chairman.post(
        f"/api/meetings/{meeting['id']}/answer",
        json={"answer": "delegated", "substitute_id": people["pct.vinh-nhuan"]},
    )
    chair = await join("chutich")
    deputy = await join("pct.vinh-nhuan")
    site = await join("xa-vinh-hanh")
    await chair.ok("meeting.start")
    vote = await chair.ok(
        "vote.open", {"question": "Biểu quyết của các xã", "sites_vote": True, "allow_change": True}
    )
    await deputy.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
    member = await join("ct.vinh-nhuan")  # the member delegated: the substitute holds the vote
    assert (
        await member.refused("vote.cast", {"vote_id": vote["id"], "choice": "Không đồng ý"})
        == "not_eligible"
    )
    await site.ok("vote.cast", {"vote_id": vote["id"], "choice": "Không đồng ý"})
    await site.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})  # changed its mind
    await chair.ok("vote.close", {"vote_id": vote["id"]})
    _, listing = await site.api.get(f"/api/meetings/{meeting['id']}/votes")
    result = listing["votes"][0]
    assert result["results"] == {"Đồng ý": 2, "Không đồng ý": 0, "Không biểu quyết": 0}
    by_voter = {b["voter"]: b for b in result["ballots"]}
    assert by_voter["Châu Văn Tài"]["cast_by"] == "Trương Thị Kim Oanh"
    assert by_voter["Xã Vĩnh Hanh"]["choice"] == "Đồng ý"


async def test_secret_vote_stores_no_link_between_voter_and_choice(join, meeting, settings) -> None:
    chair = await join("chutich")
    voters = [await join(u) for u in MEMBERS]
    await chair.ok("meeting.start")
    assert (
        await chair.refused("vote.open", {"question": "x", "secret": True, "allow_change": True})
        == "secret_vote_final"
    )
    vote = await chair.ok("vote.open", {"question": "Bầu kín", "secret": True})
    choices = ["Đồng ý", "Không đồng ý", "Đồng ý"]
    for client, choice in zip(voters, choices, strict=True):
        await client.ok("vote.cast", {"vote_id": vote["id"], "choice": choice})
    assert (
        await voters[0].refused("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
        == "already_voted"
    )
    snap = await voters[0].ok("snapshot")
    assert snap["vote"]["my_ballot"] == "secret" and snap["vote"]["results"] is None
    await chair.ok("vote.close", {"vote_id": vote["id"]})
    database = Database(settings.resolved_database_url)
    async with database.session() as db:
        assert (await db.exec(select(Ballot).where(Ballot.vote_id == vote["id"]))).all() == []
        taken = (
            await db.exec(select(VoteParticipation).where(VoteParticipation.vote_id == vote["id"]))
        ).all()
        assert len(taken) == 3 and not hasattr(taken[0], "choice")
        tally = {
            t.choice: t.count
            for t in (await db.exec(select(VoteTally).where(VoteTally.vote_id == vote["id"]))).all()
        }
        assert tally == {"Đồng ý": 2, "Không đồng ý": 1, "Không biểu quyết": 0}
    await database.close()
    _, listing = await voters[0].api.get(f"/api/meetings/{meeting['id']}/votes")
    assert listing["votes"][0]["ballots"] is None


async def test_conclusions_reach_the_chair_only_and_announcements_reach_all(join, meeting) -> None:
    chair = await join("chutich")
    secretary = await join("thuky")
    member = await join("tp.noivu")
    await chair.ok("meeting.start")
    assert (
        await member.refused("conclusion.save", {"item_id": meeting["items"][0], "text": "x"})
        == "meeting_forbidden"
    )
    assert (
        await chair.refused("conclusion.save", {"item_id": meeting["items"][0], "text": "x"})
        == "meeting_forbidden"
    )
    await secretary.ok(
        "conclusion.save",
        {"item_id": meeting["items"][0], "text": "Thống nhất thông qua chương trình hội nghị."},
    )
    saved = await chair.next("conclusion.saved")
    assert saved["text"].startswith("Thống nhất")
    await asyncio.sleep(0.2)
    assert member.drain("conclusion.saved") == []
    assert "conclusions" not in await member.ok("snapshot")
    await chair.ok("announce", {"text": "Nghỉ giải lao 10 phút."})
    assert (await member.next("announcement"))["text"] == "Nghỉ giải lao 10 phút."
    assert await member.refused("announce", {"text": "x"}) == "meeting_forbidden"


async def test_leave_is_recorded(join, meeting, login_as) -> None:
    secretary = await join("thuky")
    member = await join("tp.noivu")
    await secretary.until("quorum.changed", lambda q: q["members_present"] == 1)
    await member.close()
    await secretary.until("quorum.changed", lambda q: q["members_present"] == 0)
    _, audit = await (await login_as("quantri")).get("/api/audit?object_type=meeting")
    assert any(e["action"] == "live.join" for e in audit["entries"])


async def test_two_first_joins_at_the_same_moment(login_as, meeting) -> None:
    apis = [await login_as(u) for u in ("tp.noivu", "tp.vanhoa", "xa-vinh-hanh")]
    clients = [MeetingClient(api, meeting["id"]) for api in apis]
    await asyncio.gather(*(c.connect() for c in clients))  # the meeting's live row is made once
    try:
        snaps = await asyncio.gather(*(c.ok("snapshot") for c in clients))
        assert {s["quorum"]["members_present"] for s in snaps} <= {2, 3}
    finally:
        for client in clients:
            await client.close()
