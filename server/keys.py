"""Typed keys for everything the app shares; each lives as long as its cleanup_ctx."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from server.config import Settings
from server.events import EventBus
from server.metrics import Metrics
from storage.db import Database

if TYPE_CHECKING:
    from server.mailer import Mailer
    from server.realtime.hub import LiveHub
    from server.services.documents.resources import DocumentResources
    from server.services.minutes.records import Signing


SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
EVENTS = web.AppKey("events", EventBus)
METRICS = web.AppKey("metrics", Metrics)
LIVE: web.AppKey[LiveHub] = web.AppKey("live")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
DOCUMENTS: web.AppKey[DocumentResources] = web.AppKey("documents")
SIGNING: web.AppKey[Signing] = web.AppKey("signing")
DEMO_CERT_PASSWORD = web.AppKey("demo_cert_password", str)
