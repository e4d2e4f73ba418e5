"""Joins and leaves at scale: announcements are coalesced per meeting yet always end on the
truth, presence rows are always closed, and a join that fails unexpectedly is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio
from sqlmodel import col, select

from server.config import Settings
from server.realtime.hub import Coalescer
from server.realtime.meeting_room import MeetingNamespace
from server.services.live import rollcall
from storage.db import Database
from storage.models import Presence
from tests.api.meeting_helpers import ids, published
from tests.realtime.live_client import MeetingClient

MEMBERS = ["tp.noivu", "tp.vanhoa", "tp.taichinh"]
IN_THE_HALL = "tp.tuphap"  # invited, never connects; the secretary marks them present


async def _open_presences(settings: Settings, meeting_id: int) -> list[Presence]:
    database = Database(settings.resolved_database_url)
    try:
        async with database.session() as db:
            rows = await db.exec(
                select(Presence).where(
                    Presence.meeting_id == meeting_id, col(Presence.left_at).is_(None)
                )
            )
            return list(rows.all())
    finally:
        await database.close()


async def _until_open_presences(settings: Settings, meeting_id: int, count: int) -> None:
    """The server records a leave after the client has gone: wait for it (bounded)."""
    async with asyncio.timeout(15):
        while True:
            if len(await _open_presences(settings, meeting_id)) == count:
                return
            await asyncio.sleep(0.05)


@pytest.fixture
async def clients() -> AsyncIterator[list[MeetingClient]]:
    made: list[MeetingClient] = []
    yield made
    for client in made:
        await client.close()


async def test_a_burst_of_joins_and_leaves_ends_on_the_right_quorum(
    login_as: Any, settings: Settings, clients: list[MeetingClient]
) -> None:
    secretary_api = await login_as("thuky")
    units = await ids(secretary_api, "units")
    sites = sorted(code for code in units if code.startswith(("xa-", "tt-")))
    assert len(sites) >= 10
    meeting = await published(secretary_api, [*MEMBERS, IN_THE_HALL], sites)
    mid = meeting["id"]
    people = await ids(secretary_api, "users")

    secretary = MeetingClient(secretary_api, mid)
    clients.append(secretary)
    await secretary.connect()  # present from the start, as in a real meeting
    await secretary.ok("rollcall.mark", {"user_id": people[IN_THE_HALL], "status": "present_hall"})

    def client(api: Any) -> MeetingClient:
        made = MeetingClient(api, mid)
        clients.append(made)
        return made

    member_apis = [await login_as(u) for u in MEMBERS]
    site_apis = [await login_as(code) for code in sites]  # a site's account is its unit code
    first = [client(api) for api in member_apis + site_apis]
    second = [client(api) for api in member_apis]  # each member on a second device too
    await asyncio.gather(*(c.connect() for c in first))
    leaving_sites = first[len(MEMBERS) : len(MEMBERS) + 5]
    leaving_members = first[:2]  # still present through their second device
    await asyncio.gather(
        *(c.connect() for c in second),
        *(c.close() for c in leaving_sites + leaving_members),
    )

    expected = {
        "rule": "more_than_half",
        "members_total": len(MEMBERS) + 1,
        "members_present": len(MEMBERS) + 1,
        "sites_total": len(sites),
        "sites_connected": len(sites) - len(leaving_sites),
        "min_sites": 0,
        "reached": True,
    }
    assert await secretary.until("quorum.changed", lambda q: q == expected) == expected
    left = {people[code] for code in sites[: len(leaving_sites)]}  # in the order of `first`

    def settled(board: dict[str, Any]) -> bool:
        status = {a["user_id"]: a["status"] for a in board["attendees"]}
        return (
            all(status[people[u]] == "present_online" for u in MEMBERS)
            and status[people[IN_THE_HALL]] == "present_hall"
            and all(
                status[people[code]] == ("not_yet" if people[code] in left else "present_online")
                for code in sites
            )
        )

    await secretary.until("rollcall.changed", settled)

    # The same quorum from the board (the secretary's snapshot) and from the counting query
    # (a member's snapshot carries no board).
    runner_view = await secretary.ok("snapshot")
    member_view = await second[0].ok("snapshot")
    assert "attendees" not in member_view
    assert runner_view["quorum"] == member_view["quorum"] == expected

    # Every closed connection's presence is closed: open rows = connections still open.
    still_open = len(clients) - len(leaving_sites) - len(leaving_members)
    await _until_open_presences(settings, mid, still_open)


async def test_an_unexpected_error_while_joining_is_a_refusal(
    login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, MEMBERS)

    async def broken(*_args: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(rollcall, "join", broken)
    await _refused_as_internal_error(login_as, meeting["id"])


async def test_a_refusal_after_the_join_closes_the_presence(
    login_as: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, MEMBERS)

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("no room today")

    monkeypatch.setattr(MeetingNamespace, "enter_room", broken)
    await _refused_as_internal_error(login_as, meeting["id"])
    assert await _open_presences(settings, meeting["id"]) == []


async def _refused_as_internal_error(login_as: Any, meeting_id: int) -> None:
    """A delegate's join is refused with a reason, not left to wait for its connect timeout."""
    client = MeetingClient(await login_as("tp.noivu"), meeting_id)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect()
    assert client.refusal["data"]["code"] == "internal_error"
    await client.close()


async def test_the_coalescer_runs_once_for_a_burst_and_once_more_after_it() -> None:
    runs: list[int] = []
    release = asyncio.Event()
    done = asyncio.Event()

    async def work(key: int) -> None:
        runs.append(key)
        if len(runs) == 1:
            await release.wait()  # the first run is busy while the burst arrives
        else:
            done.set()

    coalescer = Coalescer(0.01, work)
    coalescer.poke(7)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert runs == [7]  # the first poke runs at once
    for _ in range(100):
        coalescer.poke(7)
    release.set()
    await asyncio.wait_for(done.wait(), 10)
    assert runs == [7, 7]  # a hundred pokes during the first run: one more run
    await coalescer.close()


async def test_the_coalescer_runs_at_once_when_asked() -> None:
    runs: list[int] = []
    second = asyncio.Event()

    async def work(key: int) -> None:
        runs.append(key)
        if len(runs) == 2:
            second.set()

    coalescer = Coalescer(3600, work)  # without at_once the second run would wait an hour
    coalescer.poke(1)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    coalescer.poke(1, at_once=True)
    await asyncio.wait_for(second.wait(), 10)
    assert runs == [1, 1]
    await coalescer.close()
