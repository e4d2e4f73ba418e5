"""`python -m server`: migrate, seed the demo on first start, serve until Ctrl-C."""

from __future__ import annotations

import gc
import logging

from aiohttp import web

from server import keys
from server.app import create_app
from server.config import load_settings
from server.logs import setup
from server.ops import edge
from server.seed import demo_logins


def banner(url: str, password: str) -> str:
    lines = [
        "",
        f"  eCabinet đang chạy tại / is running at:  {url}",
        "",
        f"  Tài khoản thử nghiệm / demo logins (mật khẩu / password: {password}):",
    ]
    lines += [f"    {d.username:<16} {d.full_name} — {d.what}" for d in demo_logins()]
    lines += ["", "  Nhấn Ctrl-C để dừng / press Ctrl-C to stop.", ""]
    return "\n".join(lines)


TLS_HINT = (
    "  HTTPS: đặt ECABINET_TLS_CERT và ECABINET_TLS_KEY (và ECABINET_HTTP_REDIRECT_PORT=80), hoặc "
    'chạy sau nginx / set them to serve HTTPS, or run behind nginx (deploy/; README "Install on '
    'a server").\n'
)


# Young collections every 50 000 net allocations instead of 700: a page change sent to 500
# screens has thousands of objects in flight for a few milliseconds, which at 700 outlive a
# young collection, get promoted and make full collections come every few seconds. Measured
# in docs/benchmarks.md ("Live meeting"); memory cost: a few MB of young objects at most.
GC_THRESHOLDS = (50_000, 20, 100)


async def tune_gc(_app: web.Application) -> None:
    """Once the app is built, migrated and seeded: what start-up made (modules, SQLAlchemy and
    pydantic metadata, ~250 000 objects) lives as long as the process, so full collections
    stop walking it (gc.freeze); a full collection stops every screen of a live meeting while
    it runs, and with fewer, shorter ones the slowest page changes stay under 100 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main() -> None:
    settings = load_settings()
    setup(settings.log_level, settings.log_json)
    app = create_app(settings)
    ssl_context = edge.server_ssl_context(settings)  # None: plain HTTP (the embedded default)
    url = f"{'https' if ssl_context else 'http'}://{settings.host}:{settings.port}"

    async def announce(started: web.Application) -> None:
        if settings.seed_demo:
            print(banner(url, settings.demo_password), flush=True)
        else:  # a real installation: no demo accounts to list
            print(f"\n  eCabinet đang chạy tại / is running at:  {url}\n", flush=True)
        if ssl_context is None and not settings.trusted_proxies:
            print(TLS_HINT, flush=True)
        if keys.DEMO_CERT_PASSWORD in started:
            print(
                f"  Mật khẩu chứng thư số của chủ tịch (demo) / chair's demo certificate password: "
                f"{started[keys.DEMO_CERT_PASSWORD]}\n",
                flush=True,
            )

    app.on_startup.append(announce)
    app.on_startup.append(tune_gc)  # after the cleanup contexts: migrated, seeded, started
    logging.getLogger("ecabinet").info("starting", extra={"url": url})
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        ssl_context=ssl_context,
        access_log=None,
        print=None,
    )


if __name__ == "__main__":
    main()
