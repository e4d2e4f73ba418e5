"""A real socket.io client of the /meeting namespace, as a test sees it."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import socketio

from tests.conftest import Api


def cookie_of(api: Api) -> str:
    jar = api.client.session.cookie_jar.filter_cookies(api.client.make_url("/"))
    return f"ecabinet_session={jar['ecabinet_session'].value}"


class MeetingClient:
    def __init__(
        self,
        api: Api | None,
        meeting_id: int,
        base_url: str | None = None,
        cookie: str | None = None,
    ) -> None:
        self.api: Api = api  # type: ignore[assignment]  (None only with base_url and cookie)
        self.meeting_id = meeting_id
        self.base_url = base_url or str(self.api.client.make_url("/"))
        self.cookie = cookie or cookie_of(self.api)

        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        self.sio.on("*", self._record, namespace="/meeting")
        self.refusal: Any = None
        self.sio.on("connect_error", self._refused, namespace="/meeting")

    async def _refused(self, data: Any = None) -> None:
        self.refusal = data

    async def _record(self, event: str, data: Any = None) -> None:
        self.events[event].put_nowait(data)

    async def connect(self) -> MeetingClient:
        await self.sio.connect(
            self.base_url,
            headers={"Cookie": self.cookie},
            namespaces=["/meeting"],
            auth={"meeting_id": self.meeting_id},
            transports=["websocket"],
            wait_timeout=20,  # generous: a loaded machine is slow to accept
        )
        return self

    async def call(self, event: str, data: Any = None) -> dict[str, Any]:
        return await self.sio.call(event, data or {}, namespace="/meeting", timeout=30)

    async def ok(self, event: str, data: Any = None) -> dict[str, Any]:
        answer = await self.call(event, data)
        assert answer["ok"] is True, answer
        return answer

    async def refused(self, event: str, data: Any = None) -> str:
        answer = await self.call(event, data)
        assert answer["ok"] is False, answer
        assert answer["error"]["message"]
        return str(answer["error"]["code"])

    async def next(self, event: str, timeout: float = 15) -> Any:  # noqa: ASYNC109
        return await asyncio.wait_for(self.events[event].get(), timeout)

    async def until(self, event: str, predicate: Any, timeout: float = 15) -> Any:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while True:
                data = await self.events[event].get()
                if predicate(data):
                    return data

    def drain(self, event: str) -> list[Any]:
        out = []
        while not self.events[event].empty():
            out.append(self.events[event].get_nowait())
        return out

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
