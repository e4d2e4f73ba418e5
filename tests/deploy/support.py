"""What the deployment tests share: the real server as a child process (`python -m server`, as
systemd runs it), browser-like HTTP clients, and exact views of a database and a store."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import socket
import ssl
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import MetaData, inspect, select
from sqlalchemy.engine import Connection
from yarl import URL

from server.config import ROOT
from storage.db import Database
from tests.conftest import DEMO_PASSWORD, PG_ADMIN_DSN, TEST_ARGON2_KIB, pg_url
from tests.realtime.live_client import MeetingClient


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The test run's environment without any ECABINET_* setting of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECABINET_")}
    return {**env, **extra}


def server_env(data_dir: Path, port: int, database_url: str = "", **extra: str) -> dict[str, str]:
    """A production-like environment: nothing inherited from ECABINET_* of the test run."""
    env = clean_env()
    env.update(
        ECABINET_HOST="127.0.0.1",
        ECABINET_PORT=str(port),
        ECABINET_DATA_DIR=str(data_dir),
        ECABINET_DATABASE_URL=database_url,
        ECABINET_PASSWORD_MEMORY_KIB=str(TEST_ARGON2_KIB),
        ECABINET_DEMO_PASSWORD=DEMO_PASSWORD,
        ECABINET_SEED_DEMO_MEETING="0",
        ECABINET_MEDIA="0",
        ECABINET_LOG_JSON="1",
    )
    env.update({f"ECABINET_{k.upper()}": v for k, v in extra.items()})
    return env


class ServerProcess:
    """`python -m server` with an environment; healthy when /healthz answers 200."""

    def __init__(
        self,
        env: Mapping[str, str],
        log: Path,
        *,
        base: str | None = None,
        ssl: ssl.SSLContext | bool = True,
        python: str | Path = sys.executable,
        cwd: Path = ROOT,
    ) -> None:
        self.env = dict(env)
        self.log = log
        self.base = base or f"http://127.0.0.1:{env['ECABINET_PORT']}"
        self.process: asyncio.subprocess.Process | None = None
        self.ssl = ssl
        self.python, self.cwd = str(python), cwd

    async def start(self, timeout: float = 90) -> ServerProcess:  # noqa: ASYNC109
        with self.log.open("ab") as out:  # a file, not a pipe: nobody has to drain it
            self.process = await asyncio.create_subprocess_exec(
                self.python, "-m", "server", cwd=self.cwd, env=self.env, stdout=out, stderr=out
            )
        await wait_healthy(self.base, timeout, self.process, self.log, self.ssl)
        return self

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextlib.asynccontextmanager
async def running(env: Mapping[str, str], log: Path, **kw: Any) -> AsyncIterator[ServerProcess]:
    server = ServerProcess(env, log, **kw)
    try:
        yield await server.start()
    finally:
        await server.stop()


async def wait_healthy(
    base: str,
    timeout: float,  # noqa: ASYNC109
    process: asyncio.subprocess.Process | None = None,
    log: Path | None = None,
    ssl_context: ssl.SSLContext | bool = True,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            if process is not None and process.returncode is not None:
                text = log.read_text(errors="replace")[-4000:] if log else ""
                raise AssertionError(f"the server exited ({process.returncode}): {text}")
            try:
                async with session.get(f"{base}/healthz", ssl=ssl_context) as r:
                    if r.status == 200:
                        return
            except (aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy in {timeout} s")


async def run(*argv: str | Path, env: Mapping[str, str], timeout: float = 120) -> tuple[int, str]:  # noqa: ASYNC109
    """Run a command; (exit status, its stdout and stderr together)."""
    proc = await asyncio.create_subprocess_exec(
        *map(str, argv),
        env=dict(env),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    return int(proc.returncode or 0), out.decode(errors="replace")


class Remote:
    """A person's browser against a server: own cookies, the CSRF header."""

    def __init__(self, base: str, ssl_context: ssl.SSLContext | bool = True) -> None:
        self.base = base
        self.ssl = ssl_context
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def login(self, username: str, password: str = DEMO_PASSWORD) -> Remote:
        async with self.session.post(
            f"{self.base}/api/auth/login",
            json={"username": username, "password": password},
            ssl=self.ssl,
        ) as r:
            assert r.status == 200, await r.text()
            self.csrf = (await r.json())["csrf_token"]
        return self

    async def call(self, method: str, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        async with self.session.request(
            method,
            f"{self.base}{path}",
            json=json,
            headers={"X-CSRF-Token": self.csrf},
            ssl=self.ssl,
            **kw,
        ) as r:
            body = await r.json() if r.content_type == "application/json" else await r.read()
            return r.status, body

    async def upload(self, meeting_id: int, data: bytes, name: str, **fields: Any) -> int:
        form = aiohttp.FormData()
        for key, value in fields.items():
            form.add_field(key, str(value))
        form.add_field("file", data, filename=name, content_type="application/pdf")
        status, body = await self.call("POST", f"/api/meetings/{meeting_id}/documents", data=form)
        assert status == 201, body
        return int(body["document"]["id"])

    def cookie(self) -> str:
        value = self.session.cookie_jar.filter_cookies(URL(self.base))["ecabinet_session"].value
        return f"ecabinet_session={value}"

    async def join(self, meeting_id: int) -> MeetingClient:
        """The live meeting room over socket.io (websocket), as this person."""
        client = MeetingClient(None, meeting_id, base_url=self.base, cookie=self.cookie())
        return await client.connect()

    async def close(self) -> None:
        await self.session.close()


# ---------------------------------------------------------------------------- conference

SOCKET_IO = ROOT / "client-web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def scanned_page_pdf() -> bytes:
    """A 'scanned' page: an incompressible ~3 MB image, well over nginx's default 1 MB limit."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.frombytes("RGB", (1100, 1000), os.urandom(1100 * 1000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=0)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=190)
    return bytes(pdf.output())


# Join the conference from the page, as client-web/src/conference.js does: media.join on the
# meeting's socket, a send-only RTCPeerConnection with the fake camera, media.publish, then
# wait for ICE + DTLS and report the selected candidate pair.
JOIN = """
async ({meetingId, policy}) => {
  const socket = io('/meeting', {path: '/socket.io/', transports: ['websocket'],
                                 auth: {meeting_id: meetingId}});
  await new Promise((ok, fail) => { socket.on('connect', ok); socket.on('connect_error', fail); });
  const call = (event, data) => new Promise((ok) => socket.emit(event, data || {}, ok));
  const joined = await call('media.join');
  if (!joined.ok) throw new Error('media.join: ' + JSON.stringify(joined));
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  const pc = new RTCPeerConnection({iceServers: joined.ice_servers, bundlePolicy: 'max-bundle',
                                    iceTransportPolicy: policy});
  for (const track of stream.getTracks()) pc.addTransceiver(track, {direction: 'sendonly'});
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((ok) => {
    if (pc.iceGatheringState === 'complete') return ok();
    pc.addEventListener('icegatheringstatechange',
                        () => pc.iceGatheringState === 'complete' && ok());
    setTimeout(ok, 5000);
  });
  const published = await call('media.publish', {sdp: pc.localDescription.sdp});
  if (!published.ok) throw new Error('media.publish: ' + JSON.stringify(published));
  await pc.setRemoteDescription({type: 'answer', sdp: published.sdp});
  const deadline = Date.now() + 20000;
  while (pc.connectionState !== 'connected' && Date.now() < deadline) {
    if (pc.connectionState === 'failed') break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  await new Promise((ok) => setTimeout(ok, 1500));  // let some media flow
  const stats = [...(await pc.getStats()).values()];
  const byId = Object.fromEntries(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === 'transport');
  const pair = transport && byId[transport.selectedCandidatePairId];
  const sent = stats.filter((s) => s.type === 'outbound-rtp')
                    .reduce((n, s) => n + (s.bytesSent || 0), 0);
  const result = {
    state: pc.connectionState,
    local: pair && byId[pair.localCandidateId],
    remote: pair && byId[pair.remoteCandidateId],
    bytesSent: sent,
    iceServers: joined.ice_servers,
  };
  pc.close();
  socket.close();
  return result;
}
"""


async def join_conference(page: Any, meeting_id: int, policy: str = "all") -> dict[str, Any]:
    assert SOCKET_IO.is_file(), "client-web is not installed: scripts/test runs npm ci"
    await page.add_script_tag(path=str(SOCKET_IO))
    return await page.evaluate(JOIN, {"meetingId": meeting_id, "policy": policy})


async def prepare_meeting(base: str, context: ssl.SSLContext | bool, *, scan: bool) -> int:
    """The secretary's published online meeting (chair: chutich) over the API."""
    secretary = await Remote(base, context).login("thuky")
    try:
        _, users = await secretary.call("GET", "/api/users")
        ids = {u["username"]: u["id"] for u in users["users"]}
        status, body = await secretary.call(
            "POST",
            "/api/meetings",
            {
                "title": "Họp trực tuyến qua HTTPS",
                "online": True,
                "starts_at": "2030-05-06T08:00:00+07:00",
                "ends_at": "2030-05-06T10:00:00+07:00",
                "chair_id": ids["chutich"],
            },
        )
        assert status == 201, body
        meeting_id = int(body["meeting"]["id"])
        status, body = await secretary.call(
            "POST", f"/api/meetings/{meeting_id}/invitations", {"user_ids": [ids["tp.noivu"]]}
        )
        assert status == 200, body
        assert (await secretary.call("POST", f"/api/meetings/{meeting_id}/publish"))[0] == 200
        if scan:  # a 'scanned' document of a few MB (over nginx's default 1 MB limit)
            await secretary.upload(meeting_id, scanned_page_pdf(), "Bản scan tờ trình.pdf")
        return meeting_id
    finally:
        await secretary.close()


# ---------------------------------------------------------------------------- exact views


async def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key (all columns when there is none)."""
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            return await conn.run_sync(_rows)
    finally:
        await database.close()


def _rows(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    meta = MetaData()
    meta.reflect(conn)
    out = {}
    for name in sorted(inspect(conn).get_table_names()):
        table = meta.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        out[name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


def store_digests(data_dir: Path) -> dict[str, str]:
    """Every file of the document store: its path under the store, and its sha256."""
    root = data_dir / "documents" / "blobs"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def create_pg(name: str) -> str:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg_url(name)


async def drop_pg(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
