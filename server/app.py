"""The application factory: settings in, a ready aiohttp app out (also used by the tests)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from media.config import IceServer, RelaySettings
from media.router import Relay
from server import keys, middlewares, seed, web_client
from server.api import routes
from server.config import Settings, load_settings
from server.demo_materials import seed_materials
from server.demo_meeting import seed_meeting
from server.events import EventBus
from server.mailer import Mailer
from server.metrics import Metrics
from server.ops import edge, turn
from server.realtime.hub import LiveHub
from server.seed import seed_demo
from server.services import Context, passwords, tasks
from server.services.documents.resources import DocumentResources
from server.services.minutes.records import Signing
from server.timezone import local
from storage.db import Database
from storage.documents import DerivedCache, LocalDocumentStore
from storage.minutes import create_demo_pki
from storage.pdf import EngineSettings, PdfEngine
from storage.types import utcnow

log = logging.getLogger("ecabinet")


async def seed_ctx(app: web.Application) -> AsyncIterator[None]:
    """First start only: the demo district, then the scenario's meeting and its materials."""
    settings, database = app[keys.SETTINGS], app[keys.DATABASE]
    fresh = settings.seed_demo and await seed_demo(database, settings.demo_password)
    if fresh and settings.seed_demo_meeting:
        meeting_id = await seed_meeting(database, utcnow())
        await seed_materials(database, app[keys.DOCUMENTS], meeting_id)
    yield


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    database = Database(settings.resolved_database_url)
    await database.migrate()
    app[keys.DATABASE] = database
    yield
    await database.close()


async def mailer_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    if not settings.smtp_host:
        yield  # e-mail is off until SMTP is configured; in-app notifications still work
        return
    mailer = Mailer(settings, app[keys.DATABASE], app[keys.EVENTS])
    app[keys.MAILER] = mailer
    mailer.start()
    yield
    await mailer.stop()


async def documents_ctx(app: web.Application) -> AsyncIterator[None]:
    """The document store, the cache of watermarked copies, and the PDF worker processes."""
    settings = app[keys.SETTINGS]
    store = LocalDocumentStore(settings.data_dir / "documents")
    await store.remove_stale_temp()  # uploads cut off by a crash
    derived = DerivedCache(settings.data_dir / "derived")
    async with PdfEngine.running(EngineSettings(scratch=store.tmp)) as engine:
        app[keys.DOCUMENTS] = DocumentResources(store, derived, engine, settings.max_upload_bytes)
        pruner = asyncio.create_task(_prune_forever(derived, settings.derived_cache_bytes))
        yield
        pruner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruner


# Watermarked copies are cheap to remake (~50 ms); the cache only saves repeated work.
PRUNE_EVERY_SECONDS = 900


async def _prune_forever(derived: DerivedCache, max_bytes: int) -> None:
    while True:
        await asyncio.sleep(PRUNE_EVERY_SECONDS)
        try:
            await derived.prune(max_bytes)
        except OSError:
            log.exception("pruning the derived-file cache failed")


async def media_ctx(app: web.Application) -> AsyncIterator[None]:
    """The video relay (media/): forwards encoded media, driven by the conference director."""
    settings = app[keys.SETTINGS]
    if not settings.media:
        yield
        return
    director = app[keys.LIVE].conference
    relay = Relay(media_settings(settings), events=director)
    director.attach(relay)
    app[keys.METRICS].watch_conferences(director)
    async with turn.relay_credentials(relay, settings):  # TURN for the relay's own connections
        yield
    await director.close()


def media_settings(settings: Settings) -> RelaySettings:
    servers = tuple(
        IceServer(
            urls=tuple(s["urls"] if isinstance(s["urls"], list) else [s["urls"]]),
            username=s.get("username"),
            credential=s.get("credential"),
        )
        for s in settings.ice_servers
    )
    return RelaySettings(ice_servers=servers, host_addresses=settings.media_hosts or None)


async def signing_ctx(app: web.Application) -> AsyncIterator[None]:
    """The unit's signing certificate and the CAs trusted when verifying. The demo makes its own
    local CA and the chair's certificate (printed at start-up with its password)."""
    settings = app[keys.SETTINGS]
    p12, roots = settings.signing_p12, list(settings.trust_roots)
    if p12 is None and settings.seed_demo:
        pki = await asyncio.to_thread(
            create_demo_pki,
            settings.data_dir / "pki",
            seed.HOST[0],
            "Trần Văn Minh",
            "Nguyễn Thị Thu Hà",
            chair_title="Chủ tịch UBND huyện",
            secretary_title="Chánh Văn phòng",
        )
        p12, roots = pki.chair_p12_path, [*roots, *pki.trust_roots]
        app[keys.DEMO_CERT_PASSWORD] = pki.chair_password
    app[keys.SIGNING] = Signing(p12, tuple(roots))
    yield


# Reminders are a daily matter; an hourly look sends each on the right day, whatever the start.
REMINDER_EVERY_SECONDS = 3600


async def reminders_ctx(app: web.Application) -> AsyncIterator[None]:
    """Follow-up task reminders and overdue notices, once a day each (tasks.send_reminders)."""

    async def loop() -> None:
        while True:
            try:
                async with app[keys.DATABASE].session() as db:
                    ctx = Context(
                        db=db, actor=None, bus=app[keys.EVENTS], settings=app[keys.SETTINGS]
                    )
                    await tasks.send_reminders(ctx, local(utcnow()).date())
            except Exception:
                log.exception("task reminders failed")
            await asyncio.sleep(REMINDER_EVERY_SECONDS)

    runner = asyncio.create_task(loop())
    yield
    runner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    await app[keys.LIVE].start()
    yield
    await app[keys.LIVE].close()


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or load_settings()
    if settings.password_memory_kib:
        passwords.configure(settings.password_memory_kib)
    app = web.Application(
        middlewares=[middlewares.errors, middlewares.observe, middlewares.session],
        client_max_size=settings.max_json_bytes,
    )
    edge.install(app, settings)  # TLS, trusted proxy headers, HSTS, Secure cookies
    app[keys.SETTINGS] = settings
    app[keys.EVENTS] = EventBus()
    app[keys.METRICS] = Metrics()
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(mailer_ctx)
    app.cleanup_ctx.append(documents_ctx)
    app.cleanup_ctx.append(seed_ctx)
    app.cleanup_ctx.append(reminders_ctx)
    app.cleanup_ctx.append(signing_ctx)
    routes.add_routes(app)
    hub = LiveHub(settings, lambda: app[keys.DATABASE], app[keys.METRICS], app[keys.EVENTS])
    app[keys.LIVE] = hub
    hub.attach(app)
    app.cleanup_ctx.append(live_ctx)
    app.cleanup_ctx.append(media_ctx)
    web_client.add_routes(app, settings.client_dir)
    return app
