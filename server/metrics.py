"""Prometheus metrics, one registry per app (so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest


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

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
