"""Who sees and hears whom in a meeting's conference — the forwarding policy, as pure rules.

The hall (the chair and the secretaries, in the district's hall) sees every commune; a commune
room or an official on a laptop sees and hears the hall and whoever has the floor (or is
spotlighted). Audio is forwarded only from unmuted publishers: commune rooms and officials
start muted and their microphone opens when the chair gives them the floor — a weak commune
link then carries two videos, not twenty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Place = Literal["hall", "site", "person"]
Kind = Literal["audio", "video"]


@dataclass(frozen=True)
class Publisher:
    publisher_id: str
    user_id: int
    place: Place
    screen: bool = False  # a shared screen (published under its own id)


@dataclass
class Stage:
    """What the policy depends on: who holds the floor, who is spotlighted."""

    floor_user_id: int | None = None
    spotlight_user_id: int | None = None
    publishers: dict[str, Publisher] = field(default_factory=dict)


def publisher_id(user_id: int, place: Place, screen: bool = False) -> str:
    return f"{place[0]}{user_id}" + (":screen" if screen else "")


def starts_muted(place: Place) -> bool:
    return place != "hall"


def wanted(
    subscriber_user_id: int, subscriber_place: Place, pub: Publisher, stage: Stage
) -> set[Kind]:
    """The kinds of `pub` this subscriber should receive."""
    if pub.user_id == subscriber_user_id:
        return set()  # nobody receives their own media back
    if subscriber_place == "hall" or pub.place == "hall" or pub.screen:
        return {"audio", "video"}
    if pub.user_id in {stage.floor_user_id, stage.spotlight_user_id}:
        return {"audio", "video"}
    return set()
