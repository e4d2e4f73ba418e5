"""Prometheus metrics, one registry per app (so tests can build many apps)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from media.interfaces import MediaBackend, RelayCounters

if TYPE_CHECKING:
    from server.realtime.conference import Conference, ConferenceDirector

# The relay's totals (media.interfaces.RelayCounters): name (without _total), help, field.
RELAY_TOTALS = [
    (
        "ecabinet_relay_frames_received",
        "Encoded frames received from publishers (cameras, screens)",
        "frames_received",
    ),
    (
        "ecabinet_relay_packets_received_compiled",
        "Publishers' RTP packets received by the compiled receive path (0: Python receives)",
        "packets_received_compiled",
    ),
    ("ecabinet_relay_frames_forwarded", "Encoded frames sent to viewers", "frames_forwarded"),
    (
        "ecabinet_relay_packets_forwarded",
        "RTP packets of the frames sent to viewers",
        "packets_forwarded",
    ),
    (
        "ecabinet_relay_packets_compiled",
        "Of the RTP packets sent to viewers, those protected and sent by the compiled fast path",
        "packets_compiled",
    ),
    (
        "ecabinet_relay_frames_dropped",
        "Frames not sent to a viewer that could not keep up (full queue, waiting for a keyframe)",
        "frames_dropped",
    ),
    (
        "ecabinet_relay_resyncs",
        "A viewer's video restarted at a keyframe after falling behind",
        "resyncs",
    ),
    (
        "ecabinet_relay_downgrades",
        "Viewers switched to audio only for a video they could not keep up with",
        "downgrades",
    ),
    (
        "ecabinet_relay_upgrades",
        "Downgraded viewers given the video back after keeping up",
        "upgrades",
    ),
]
RELAY_GAUGES = [
    ("ecabinet_relay_rooms", "Conference rooms open in the relay", "rooms"),
    ("ecabinet_relay_publishers", "Publisher connections (cameras, screens)", "publishers"),
    ("ecabinet_relay_published_tracks", "Audio and video tracks received", "published_tracks"),
    ("ecabinet_relay_subscribers", "Viewer connections and recorders", "subscribers"),
    (
        "ecabinet_relay_forwarded_streams",
        "Viewer tracks currently fed with a publisher's audio or video",
        "forwarded_streams",
    ),
]


class RelayCollector(Collector):
    """Reads the relay's counters when scraped: one synchronous call, no polling."""

    def __init__(self, relay: Callable[[], MediaBackend | None]) -> None:
        self._relay = relay

    def collect(self) -> Iterator[Metric]:
        relay = self._relay()
        counters = relay.counters() if relay is not None else RelayCounters()
        for name, text, attr in RELAY_TOTALS:
            yield CounterMetricFamily(name, text, value=getattr(counters, attr))
        keyframes = CounterMetricFamily(
            "ecabinet_relay_keyframe_requests",
            "Keyframe requests: sent to publishers (PLI, after coalescing) and received "
            "from viewers (PLI/FIR)",
            labels=["direction"],
        )
        keyframes.add_metric(["upstream"], counters.keyframe_requests_upstream)
        keyframes.add_metric(["from_viewers"], counters.keyframe_requests_from_viewers)
        yield keyframes
        for name, text, attr in RELAY_GAUGES:
            yield GaugeMetricFamily(name, text, value=getattr(counters, attr))

    def describe(self) -> Iterator[Metric]:
        return iter(())  # names known only at collection: registered without a check


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
        effects on the chair's link figures), and the relay's own counters
        (`MediaBackend.counters()`: frames and packets forwarded, keyframe requests, drops,
        resyncs, downgrades; publishers, viewers and streams as the relay sees them)."""
        self.registry.register(RelayCollector(lambda: director.relay))

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
