"""The people of scripts/bench/live.py: HTTP set-up as the admin and the secretary would do it
(CSV import of the viewers' accounts, a meeting, invitations, one login per viewer), and the
viewer processes: many python-socketio AsyncClients (websocket transport) in one event loop
that do nothing on `page.changed` but note (version, time.perf_counter_ns()).

perf_counter_ns is CLOCK_MONOTONIC on Linux: one clock for every process on the machine, so a
viewer process's receive time and the chair's send time can be subtracted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from array import array
from collections.abc import Iterable
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import socketio

from scripts.bench.live_servers import PASSWORD

NAMESPACE = "/meeting"
VIEWER_PREFIX = "bench.xem"
CONNECTING = 4  # connections being opened at once per viewer process
ATTEMPTS = 4


class Http:
    """Plain HTTP calls with an explicit session cookie: no cookie jar, many identities."""

    def __init__(self) -> None:
        self.session = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(),
            connector=aiohttp.TCPConnector(limit=32),
            timeout=aiohttp.ClientTimeout(total=120),
        )

    async def login(self, base: str, username: str) -> Identity:
        async with self.session.post(
            f"{base}/api/auth/login", json={"username": username, "password": PASSWORD}
        ) as r:
            if r.status != 200:
                raise RuntimeError(f"login {username}: {r.status} {await r.text()}")
            csrf = (await r.json())["csrf_token"]
            cookie = r.cookies["ecabinet_session"].value
        return Identity(self, base, username, f"ecabinet_session={cookie}", csrf)

    async def close(self) -> None:
        await self.session.close()


class Identity:
    def __init__(self, http: Http, base: str, username: str, cookie: str, csrf: str) -> None:
        self.http, self.base, self.username, self.cookie, self.csrf = (
            http,
            base,
            username,
            cookie,
            csrf,
        )

    async def call(
        self, method: str, path: str, json: Any = None, data: bytes | None = None, ctype: str = ""
    ) -> Any:
        headers = {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        if ctype:
            headers["Content-Type"] = ctype
        async with self.http.session.request(
            method, f"{self.base}{path}", json=json, data=data, headers=headers
        ) as r:
            body = await r.json()
            if r.status >= 300:
                raise RuntimeError(f"{method} {path}: {r.status} {body}")
            return body


def viewer_names(count: int) -> list[str]:
    return [f"{VIEWER_PREFIX}{i:04d}" for i in range(1, count + 1)]


async def import_viewers(admin: Identity, count: int) -> None:
    """The admin's CSV import: `count` delegates spread over the district's units."""
    units = [u for u in (await admin.call("GET", "/api/units"))["units"] if u.get("code")]
    lines = ["username,full_name,unit_code,roles,title,password"]
    for i, name in enumerate(viewer_names(count)):
        unit = units[i % len(units)]["code"]
        lines.append(f"{name},Đại biểu thử nghiệm {i + 1},{unit},delegate,Đại biểu,{PASSWORD}")
    body = ("\n".join(lines) + "\n").encode()
    result = await admin.call("POST", "/api/users/import", data=body, ctype="text/csv")
    if result["created"] != count:
        raise RuntimeError(f"import created {result['created']} of {count}")


async def login_all(http: Http, bases: list[str], names: list[str]) -> list[Identity]:
    """One login (one session, one cookie) per viewer; viewer i uses process i % len(bases)."""
    gate = asyncio.Semaphore(12)

    async def one(i: int, name: str) -> Identity:
        async with gate:
            return await http.login(bases[i % len(bases)], name)

    return list(await asyncio.gather(*(one(i, n) for i, n in enumerate(names))))


async def create_meeting(secretary: Identity, chair_id: int, user_ids: list[int]) -> int:
    created = await secretary.call(
        "POST",
        "/api/meetings",
        json={
            "title": f"Họp thử tải {len(user_ids)} đại biểu",
            "starts_at": "2030-01-01T08:00:00+07:00",
            "ends_at": "2030-01-01T11:00:00+07:00",
            "chair_id": chair_id,
        },
    )
    mid = int(created["meeting"]["id"])
    for start in range(0, len(user_ids), 500):  # the API's per-call limit
        await secretary.call(
            "POST",
            f"/api/meetings/{mid}/invitations",
            json={"user_ids": user_ids[start : start + 500]},
        )
    await secretary.call("POST", f"/api/meetings/{mid}/publish")
    return mid


def slides_pdf(pages: int) -> bytes:
    """A plain PDF of `pages` A4 pages with one line of text each (Helvetica, not embedded),
    written by hand so the benchmark needs no PDF library."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # 2: the page tree, filled below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")  # 3
    kids = []
    for n in range(1, pages + 1):
        text = f"BT /F1 36 Tf 72 700 Td (Bench slide {n}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


async def upload_slides(secretary: Identity, meeting_id: int, pages: int) -> int:
    """The secretary attaches the deck the chair will present; returns its document id."""
    form = aiohttp.FormData()
    form.add_field(
        "file", slides_pdf(pages), filename="trinh-chieu.pdf", content_type="application/pdf"
    )
    async with secretary.http.session.post(
        f"{secretary.base}/api/meetings/{meeting_id}/documents",
        data=form,
        headers={"Cookie": secretary.cookie, "X-CSRF-Token": secretary.csrf},
    ) as r:
        body = await r.json()
        if r.status != 201:
            raise RuntimeError(f"upload: {r.status} {body}")
    return int(body["document"]["id"])


def new_client() -> socketio.AsyncClient:
    return socketio.AsyncClient(reconnection=False, handle_sigint=False)


async def connect(
    sio: socketio.AsyncClient, base: str, cookie: str, meeting_id: int
) -> socketio.AsyncClient:
    await sio.connect(
        base,
        headers={"Cookie": cookie},
        namespaces=[NAMESPACE],
        auth={"meeting_id": meeting_id},
        transports=["websocket"],
        wait_timeout=10,
    )
    return sio


class Inbox:
    """Commands from the parent over a multiprocessing pipe, read by the event loop."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        asyncio.get_running_loop().add_reader(conn.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            self.queue.put_nowait(self.conn.recv())
        except EOFError:  # the parent is gone
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
            self.queue.put_nowait(("close",))

    async def get(self) -> Any:
        return await self.queue.get()


def viewer_process(clients: list[tuple[str, str]], meeting_id: int, conn: Connection) -> None:
    """Entry point of a viewer process: `clients` is [(base url, cookie)]."""
    asyncio.run(_viewers(clients, meeting_id, conn))


async def _viewers(clients: list[tuple[str, str]], meeting_id: int, conn: Connection) -> None:
    inbox = Inbox(conn)
    versions = array("q")
    times = array("q")
    add_version, add_time, clock = versions.append, times.append, time.perf_counter_ns

    def on_page(data: Any) -> None:  # the only per-event work
        add_time(clock())
        add_version(data["version"])

    dropped = [0]

    def on_disconnect(_reason: Any = None) -> None:
        dropped[0] += 1

    sios = []
    for _ in clients:
        sio = new_client()
        sio.on("page.changed", on_page, namespace=NAMESPACE)
        sio.on("disconnect", on_disconnect, namespace=NAMESPACE)
        sios.append(sio)
    gate = asyncio.Semaphore(CONNECTING)
    retried: list[str] = []

    async def one(sio: socketio.AsyncClient, base: str, cookie: str) -> str | None:
        """Connect like a browser would: on a refusal or an error, wait and try again."""
        for attempt in range(ATTEMPTS):
            async with gate:
                try:
                    await connect(sio, base, cookie, meeting_id)
                    return None
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    retried.append(error)
            await asyncio.sleep(0.5 * 2**attempt)
        return error

    started = time.perf_counter()
    errors = await asyncio.gather(*(one(s, b, c) for s, (b, c) in zip(sios, clients, strict=True)))
    failed = [e for e in errors if e]
    seconds = time.perf_counter() - started
    conn.send(("ready", len(clients) - len(failed), failed[:3], len(retried), seconds))
    while True:
        command = await inbox.get()
        if command[0] == "count":
            conn.send(len(times))
        elif command[0] == "dropped":
            conn.send(dropped[0])
        elif command[0] == "reset":
            del versions[:], times[:]
            conn.send(True)
        elif command[0] == "collect":
            conn.send((versions.tobytes(), times.tobytes()))
        elif command[0] == "close":
            await asyncio.gather(*(_quietly_disconnect(s) for s in sios))
            with contextlib.suppress(OSError):
                conn.send(True)
            return


async def _quietly_disconnect(sio: socketio.AsyncClient) -> None:
    with contextlib.suppress(Exception):
        if sio.connected:
            await sio.disconnect()


def decode(raw: tuple[bytes, bytes]) -> Iterable[tuple[int, int]]:
    versions, times = array("q"), array("q")
    versions.frombytes(raw[0])
    times.frombytes(raw[1])
    return zip(versions, times, strict=True)
