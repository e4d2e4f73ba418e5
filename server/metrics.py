"""Prometheus metrics, one registry per app (so tests can build many apps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from server.realtime.conference import Conference, ConferenceDirector


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ecabinet_http_requests_total",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ecabinet_http_request_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            registry=self.registry,
        )
        self.live_clients = Gauge(
            "ecabinet_live_clients", "Connected socket.io clients", registry=self.registry
        )
        self.live_events = Counter(
            "ecabinet_live_events_total",
            "Live meeting events received, by name",
            ["event"],
            registry=self.registry,
        )
        self.logins = Counter(
            "ecabinet_logins_total",
            "Login attempts by outcome",
            ["outcome"],
            registry=self.registry,
        )

    def watch_conferences(self, director: ConferenceDirector) -> None:
        """Video conference gauges, read from the director when scraped (no polling, no side
        effects on the chair's link figures). Relay-level counters (packets/s, keyframe
        requests, dropped frames) need a snapshot from media/ (not there yet)."""

        def total(count: Callable[[Conference], int]) -> Callable[[], int]:
            return lambda: sum(count(c) for c in list(director.conferences.values()))

        gauges = [
            (
                "ecabinet_conferences",
                "Video conferences with someone connected",
                lambda c: int(bool(c.viewers or c.stage.publishers)),
            ),
            (
                "ecabinet_conference_publishers",
                "Cameras and screens on air",
                lambda c: len(c.stage.publishers),
            ),
            (
                "ecabinet_conference_viewers",
                "Connections receiving video",
                lambda c: len(c.viewers),
            ),
            (
                "ecabinet_conference_forwarded_streams",
                "Streams the relay is told to forward (viewer, publisher, kind)",
                lambda c: len(c.forwarded),
            ),
        ]
        for name, text, count in gauges:
            Gauge(name, text, registry=self.registry).set_function(total(count))

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
