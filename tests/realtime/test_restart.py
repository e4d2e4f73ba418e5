"""The live state is in the database: a server restart in the middle of a vote loses nothing."""

from __future__ import annotations

from aiohttp.test_utils import TestServer

from server.app import create_app
from tests.api.documents_helpers import slides
from tests.api.meeting_helpers import published
from tests.realtime.live_client import MeetingClient, cookie_of


async def test_restart_mid_vote_and_continue(login_as, server, settings) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu", "tp.vanhoa"])
    mid = meeting["id"]
    doc = await slides(secretary, mid)
    chair_api, a_api, b_api = [await login_as(u) for u in ("chutich", "tp.noivu", "tp.vanhoa")]

    chair = await MeetingClient(chair_api, mid).connect()
    a = await MeetingClient(a_api, mid).connect()
    await chair.ok("meeting.start")
    await chair.ok("page", {"document_id": doc, "page": 2})
    vote = await chair.ok("vote.open", {"question": "Thông qua Kế hoạch?"})
    await a.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
    await a.close()
    await chair.close()
    cookies = {api: cookie_of(api) for api in (chair_api, a_api, b_api)}
    await server.close()  # the process goes away mid-vote

    again = TestServer(create_app(settings), host="127.0.0.1")
    await again.start_server()
    try:
        url = str(again.make_url("/"))
        chair, a, b = [
            await MeetingClient(api, mid, base_url=url, cookie=cookies[api]).connect()
            for api in (chair_api, a_api, b_api)
        ]
        snap = await a.ok("snapshot")
        assert snap["meeting"]["status"] == "in_progress"
        assert (snap["stage"]["document_id"], snap["stage"]["page"]) == (doc, 2)
        assert snap["vote"]["id"] == vote["id"] and snap["vote"]["cast"] == 1
        assert snap["vote"]["my_ballot"] == "Đồng ý"
        assert (
            await a.refused("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
            == "already_voted"
        )
        await b.ok("vote.cast", {"vote_id": vote["id"], "choice": "Không đồng ý"})
        await chair.ok("vote.close", {"vote_id": vote["id"]})
        closed = await b.next("vote.closed")
        assert closed["results"] == {"Đồng ý": 1, "Không đồng ý": 1, "Không biểu quyết": 0}
        for client in (chair, a, b):
            await client.close()
    finally:
        await again.close()
