"""Fixtures for the relay tests: one synthetic clip per session, a relay on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from media import aiortc_seams
from media.config import RelaySettings
from media.router import Relay
from media.synthetic import Clip, make_clip
from tests.media.clients import Camera, Events, Screen

ROOM = "district"


@pytest.fixture(scope="session")
def clip() -> Clip:
    return make_clip(seconds=4.0, width=320, height=240)


@pytest.fixture(scope="session")
def other_clip() -> Clip:
    """A second site's camera: another picture size, so its frames are told apart."""
    return make_clip(seconds=4.0, width=176, height=144)


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[None]:
    # All test traffic stays on 127.0.0.1 (aioice alone would skip it).
    aiortc_seams.restrict_host_addresses(["127.0.0.1"])
    yield
    aiortc_seams.restrict_host_addresses(None)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
async def relay(events: Events, request: pytest.FixtureRequest) -> AsyncIterator[Relay]:
    """A relay on 127.0.0.1; `indirect` parameters override its settings (e.g. direct_send)."""
    overrides = getattr(request, "param", {})
    settings = RelaySettings(
        host_addresses=("127.0.0.1",), peer_timeout=2.0, tick=0.25, **overrides
    )
    relay = Relay(settings, events)
    events.relay = relay
    await relay.create_room(ROOM)
    yield relay
    await relay.close()


@pytest.fixture
async def peers() -> AsyncIterator[list[Camera | Screen]]:
    """Site-side peer connections made by a test, closed at its end."""
    made: list[Camera | Screen] = []
    yield made
    for peer in made:
        await peer.close()
