"""The conference end to end: real aiortc peers signal over the /meeting namespace; the hall
sees every commune, communes see the hall and the floor, and the floor opens a microphone."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from aiortc import RTCPeerConnection, RTCSessionDescription
from prometheus_client.parser import text_string_to_metric_families

from media import aiortc_seams
from media.peer import MAX_SDP_BYTES
from media.synthetic import Clip, make_clip
from server import keys
from server.config import Settings
from server.realtime.conference import room_of
from tests.api.meeting_helpers import published
from tests.conftest import Api
from tests.media.clients import Camera, Screen, client_pc, until
from tests.realtime.live_client import MeetingClient


@pytest.fixture(scope="module")
def clip() -> Clip:
    return make_clip(seconds=3.0, width=160, height=120)


@pytest.fixture
def settings(settings: Settings) -> Iterator[Settings]:
    yield dataclasses.replace(settings, media_hosts=("127.0.0.1",))
    aiortc_seams.restrict_host_addresses(None)


class Participant:
    """A browser in the conference: its socket, its camera, its screen."""

    def __init__(self, client: MeetingClient, clip: Clip) -> None:
        self.client = client
        self.camera = Camera(clip)
        self.screen = Screen()
        self.slots: list[dict[str, Any]] = []
        self.publishers: dict[str, Any] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        client.sio.on("media.offer", self._offer, namespace="/meeting")
        client.sio.on("media.slots", self._slots, namespace="/meeting")
        client.sio.on("media.publishers", self._publishers, namespace="/meeting")

    async def _offer(self, data: dict[str, Any]) -> None:
        # The socket's reader runs this handler: waiting for an ack here would wait on itself.
        task = asyncio.ensure_future(self._answer(data["sdp"]))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, offer: str) -> None:
        answer = await self.screen.answer(offer)
        await self.client.ok("media.answer", {"sdp": answer})

    async def _slots(self, data: dict[str, Any]) -> None:
        self.slots = data["slots"]

    async def _publishers(self, data: dict[str, Any]) -> None:
        self.publishers = {p["publisher_id"]: p for p in data["publishers"]}

    async def enter(self) -> dict[str, Any]:
        joined = await self.client.ok("media.join")
        pc = self.camera.pc
        await pc.setLocalDescription(await pc.createOffer())
        answer = await self.client.ok("media.publish", {"sdp": pc.localDescription.sdp})
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        return joined

    def showing(self, kind: str = "video") -> set[str]:
        """Publishers whose media reaches this screen now (by the slots the relay reported)."""
        return {s["publisher_id"] for s in self.slots if s["kind"] == kind and s["publisher_id"]}

    def frames_from(self, publisher: str) -> int:
        mids = [
            s["mid"] for s in self.slots if s["publisher_id"] == publisher and s["kind"] == "video"
        ]
        return sum(len(self.screen.by_mid.get(mid or "", [])) for mid in mids)

    async def close(self) -> None:
        await self.client.close()
        await self.camera.close()
        await self.screen.close()


@pytest.fixture
async def people(login_as, clip) -> AsyncIterator[dict[str, Participant]]:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu"], ["xa-vinh-hanh", "xa-an-hoa"])
    made: dict[str, Participant] = {}
    for username in ("chutich", "xa-vinh-hanh", "xa-an-hoa"):
        client = await MeetingClient(await login_as(username), meeting["id"]).connect()
        made[username] = Participant(client, clip)
    yield made
    for participant in made.values():
        await participant.close()


async def test_hall_communes_and_the_floor(people: dict[str, Participant]) -> None:
    hall, vinh_hanh, an_hoa = people["chutich"], people["xa-vinh-hanh"], people["xa-an-hoa"]
    joined = await hall.enter()
    assert joined["place"] == "hall" and joined["ice_servers"] == []
    assert (await vinh_hanh.enter())["place"] == "site"
    await an_hoa.enter()
    site_a = f"s{vinh_hanh.client.api.user['id']}"
    site_b = f"s{an_hoa.client.api.user['id']}"
    chair = f"h{hall.client.api.user['id']}"

    # The hall sees both communes; each commune sees the hall and not the other commune.
    await until(lambda: hall.showing() == {site_a, site_b}, 15, "the hall showing both communes")

    await until(lambda: hall.frames_from(site_a) > 5 and hall.frames_from(site_b) > 5, 15, "frames")
    await until(lambda: vinh_hanh.showing() == {chair}, 15, "Vĩnh Hanh showing the hall")
    await until(lambda: vinh_hanh.frames_from(chair) > 5, 15, "hall frames at Vĩnh Hanh")
    assert site_b not in vinh_hanh.showing()
    assert hall.publishers[site_a]["muted"] is True and hall.publishers[chair]["muted"] is False
    assert hall.publishers[site_a]["name"] == "Điểm cầu xã Vĩnh Hanh"

    # An Hòa asks for the floor and gets it: its camera goes to every screen, its mic opens.
    await hall.client.ok("meeting.start")
    request = await an_hoa.client.ok("floor.request", {"topic": "Hạ tầng mạng"})
    await hall.client.ok("floor.give", {"request_id": request["id"], "seconds": 180})
    await until(lambda: site_b in vinh_hanh.showing(), 10, "the floor reaching Vĩnh Hanh")
    before = vinh_hanh.frames_from(site_b)
    await until(lambda: vinh_hanh.frames_from(site_b) > before + 5, 10, "the speaker's video")
    await until(lambda: hall.publishers.get(site_b, {}).get("muted") is False, 5, "mic open")

    # The chair ends the floor: the commune's mic closes and it leaves the other screens.
    await hall.client.ok("floor.end")
    await until(lambda: site_b not in vinh_hanh.showing(), 10, "the floor leaving Vĩnh Hanh")
    await until(lambda: hall.publishers[site_b]["muted"] is True, 5, "mic closed")

    # Chair's console: mute, spotlight, stats; a commune may not use them.
    assert (
        await vinh_hanh.client.refused("media.mute", {"publisher_id": site_b, "muted": True})
        == "meeting_forbidden"
    )
    await hall.client.ok("media.spotlight", {"publisher_id": site_a})
    await until(lambda: site_a in an_hoa.showing(), 10, "the spotlight reaching An Hòa")
    stats = await hall.client.ok("media.stats")
    peers = {p["peer_id"]: p for p in stats["peers"]}
    assert site_a in peers and any(t["kind"] == "video" for t in peers[site_a]["tracks"])
    await hall.client.ok("media.end", {"publisher_id": site_b})
    await until(lambda: site_b not in hall.publishers, 5, "An Hòa's tile going away")
    # The ended site is told so (its kiosk shows it and does not publish again by itself).
    ended = await an_hoa.client.next("media.ended")
    assert ended == {"publisher_id": site_b, "by": "chair"}
    assert vinh_hanh.client.drain("media.ended") == []


async def scrape(api: Api) -> dict[str, float]:
    """GET /metrics, as Prometheus reads it: sample name (with labels) -> value."""
    response = await api.client.get("/metrics")
    assert response.status == 200
    values = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            values[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return values


async def test_metrics_follow_the_relay_and_an_official_stops_sending(
    people: dict[str, Participant], server: TestServer
) -> None:
    hall, vinh_hanh = people["chutich"], people["xa-vinh-hanh"]
    await hall.enter()
    await vinh_hanh.enter()
    site = f"s{vinh_hanh.client.api.user['id']}"
    chair = f"h{hall.client.api.user['id']}"
    await until(lambda: hall.frames_from(site) > 5, 15, "the commune at the hall")
    await until(lambda: vinh_hanh.frames_from(chair) > 5, 15, "the hall at the commune")

    first = await scrape(hall.client.api)
    assert first["ecabinet_relay_publishers"] == 2  # the hall's camera and the commune's
    assert first["ecabinet_relay_published_tracks"] == 4
    assert first["ecabinet_relay_subscribers"] == 2
    assert first["ecabinet_relay_forwarded_streams"] >= 3  # hall: site a+v; site: hall video
    assert first["ecabinet_relay_frames_forwarded_total"] > 10
    assert (
        first["ecabinet_relay_packets_forwarded_total"]
        >= first["ecabinet_relay_frames_forwarded_total"]
    )
    # Every frame the relay forwarded came in first, through the compiled receive path.
    assert first["ecabinet_relay_frames_received_total"] > 10
    assert (
        first["ecabinet_relay_packets_received_compiled_total"]
        >= first["ecabinet_relay_frames_received_total"]
    )
    assert first['ecabinet_relay_keyframe_requests_total{direction="upstream"}'] >= 1

    assert 'ecabinet_relay_keyframe_requests_total{direction="from_viewers"}' in first
    for name in ("frames_dropped", "resyncs", "downgrades", "upgrades"):
        assert f"ecabinet_relay_{name}_total" in first
    assert first["ecabinet_conference_publishers"] == 2
    assert first["ecabinet_live_clients"] >= 3  # three browsers in the meeting room

    before = hall.frames_from(site)
    await until(lambda: hall.frames_from(site) > before + 5, 15, "more frames")
    second = await scrape(hall.client.api)
    for name in ("frames_forwarded", "packets_forwarded"):
        assert second[f"ecabinet_relay_{name}_total"] > first[f"ecabinet_relay_{name}_total"]

    # The commune stops sending without leaving: its tile goes, it still sees the hall.
    assert (await vinh_hanh.client.ok("media.unpublish"))["unpublished"] is True
    await until(lambda: site not in hall.publishers, 5, "the commune's tile going away")
    assert (await scrape(hall.client.api))["ecabinet_relay_publishers"] == 1
    before = vinh_hanh.frames_from(chair)
    await until(lambda: vinh_hanh.frames_from(chair) > before + 5, 15, "the hall still shown")
    assert (await vinh_hanh.client.ok("media.unpublish"))["unpublished"] is False
    assert vinh_hanh.client.drain("media.ended") == []  # not ended by the chair

    # A viewer given its video back after a downgrade is told so (the relay's upgraded event).
    director = server.app[keys.LIVE].conference
    sid = hall.client.sio.get_sid(namespace="/meeting")
    director.upgraded(room_of(hall.client.meeting_id), f"v:{sid}", site)
    assert await hall.client.next("media.upgraded") == {"publisher_id": site}


async def test_a_hall_receiving_100_communes_negotiates(
    people: dict[str, Participant], server: TestServer
) -> None:
    """A province: the hall's receiving connection has an m-line per commune's audio and
    video, an answer far over the former 64 kB cap."""
    hall = people["chutich"]
    director = server.app[keys.LIVE].conference
    assert director.relay is not None
    relay = director.relay
    # These communes only signal, they never send RTP: keep them from being reaped as silent.
    relay.settings = dataclasses.replace(relay.settings, peer_timeout=3600)  # type: ignore[attr-defined]
    meeting_id = hall.client.meeting_id
    sites: list[RTCPeerConnection] = []
    try:
        for n in range(100):
            pc = client_pc()
            sites.append(pc)
            pc.addTransceiver("audio", direction="sendonly")
            pc.addTransceiver("video", direction="sendonly")
            await pc.setLocalDescription(await pc.createOffer())
            label = {"name": f"Xã {n}", "unit_name": f"Xã {n}"}
            await director.publish(meeting_id, 100_000 + n, "site", label, pc.localDescription.sdp)

        await hall.client.ok("media.join")  # one offer with every commune
        await until(
            lambda: sum(1 for s in hall.slots if s["publisher_id"] and s["mid"] is not None) == 200,
            120,
            "200 m-lines negotiated",
        )
        answer = hall.screen.pc.localDescription.sdp
        assert answer.count("\nm=") == 200
        assert 65536 < len(answer) <= MAX_SDP_BYTES
        assert len(hall.showing("video")) == len(hall.showing("audio")) == 100
    finally:
        for pc in sites:
            await pc.close()
