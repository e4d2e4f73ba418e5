"""Serves the built web client (client-web/dist): hashed assets, and index.html for app paths."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server import keys

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>eCabinet</title>
<p>Giao diện web chưa được xây dựng. Hãy chạy <code>scripts/run</code>.</p>
<p>The web client is not built. Run <code>scripts/run</code>.</p>"""

# Vite names assets by content hash, so browsers may keep them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


async def index(request: web.Request) -> web.StreamResponse:
    page = request.app[keys.SETTINGS].client_dir / "index.html"
    if not page.is_file():
        return web.Response(text=NOT_BUILT, content_type="text/html", status=503)
    response = web.FileResponse(page)
    response.headers["Cache-Control"] = "no-cache"
    return response


async def _cache_assets(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith("/assets/") and response.status == 200:
        response.headers["Cache-Control"] = IMMUTABLE


def add_routes(app: web.Application, client_dir: Path) -> None:
    # add_static refuses paths that leave the folder; it needs the folder to exist.
    (client_dir / "assets").mkdir(parents=True, exist_ok=True)
    app.router.add_static("/assets/", client_dir / "assets")
    app.on_response_prepare.append(_cache_assets)
    # Every other GET that is not the API is a page of the single-page app.
    app.router.add_get(r"/{path:(?!api/|socket\.io/|healthz|metrics).*}", index)
