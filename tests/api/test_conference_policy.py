"""The forwarding policy as a table: (subscriber, publisher, floor) -> what flows."""

from __future__ import annotations

import pytest

from server.services.conference_policy import Publisher, Stage, publisher_id, starts_muted, wanted

HALL = Publisher(publisher_id(1, "hall"), 1, "hall")
VINH_HANH = Publisher(publisher_id(20, "site"), 20, "site")
AN_HOA = Publisher(publisher_id(21, "site"), 21, "site")
OFFICIAL = Publisher(publisher_id(5, "person"), 5, "person")
SLIDES = Publisher(publisher_id(5, "person", screen=True), 5, "person", screen=True)
BOTH = {"audio", "video"}


@pytest.mark.parametrize(
    ("sub", "place", "pub", "floor", "expected"),
    [
        (1, "hall", VINH_HANH, None, BOTH),  # the hall sees every commune
        (1, "hall", OFFICIAL, None, BOTH),
        (20, "site", HALL, None, BOTH),  # communes see the hall
        (20, "site", AN_HOA, None, set()),  # ...not each other
        (20, "site", AN_HOA, 21, BOTH),  # ...unless the other has the floor
        (5, "person", VINH_HANH, 20, BOTH),
        (5, "person", VINH_HANH, None, set()),
        (20, "site", SLIDES, None, BOTH),  # a shared screen goes to everyone
        (20, "site", VINH_HANH, 20, set()),  # never one's own media back
        (1, "hall", HALL, None, set()),
    ],
)
def test_policy(sub, place, pub, floor, expected) -> None:
    assert wanted(sub, place, pub, Stage(floor_user_id=floor)) == expected


def test_spotlight_is_like_the_floor() -> None:
    assert wanted(20, "site", AN_HOA, Stage(spotlight_user_id=21)) == BOTH


def test_only_the_hall_starts_unmuted() -> None:
    assert [starts_muted(place) for place in ("hall", "site", "person")] == [False, True, True]
