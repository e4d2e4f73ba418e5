"""Keyframe requests towards one publisher's video: coalesced and rate-limited.

Every viewer that joins, loses a picture or is switched to this publisher wants a keyframe.
Passing each request upstream would let a burst of joins (a whole district at meeting start)
turn a commune's weak uplink into a stream of keyframes; one keyframe serves every waiting
viewer, so requests are merged.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

# At most one PLI per 250 ms: a VP8 keyframe is 5-10x a delta frame, so four a second at
# most keeps a 500 kbps uplink from being swamped by joins, and a joiner waits <= 250 ms + RTT.
MIN_INTERVAL = 0.25
# A PLI is one UDP packet and can be lost on a weak link: ask again if nothing came after 1 s,
# i.e. a few round trips on a satellite or 3G link.
RETRY_AFTER = 1.0

SendPli = Callable[[], Coroutine[Any, Any, None]]


class KeyframeRequester:
    """Sends PLIs for one publisher video track when viewers are waiting for a keyframe."""

    def __init__(self, send_pli: SendPli) -> None:
        self._send_pli = send_pli
        self._last_sent = -MIN_INTERVAL
        self._waiting = False
        self._timer: asyncio.Handle | None = None
        self._due = 0.0  # monotonic time the timer fires

        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0  # PLIs actually sent upstream
        self.requested = 0  # requests received, before coalescing

    @property
    def waiting(self) -> bool:
        return self._waiting

    def request(self) -> None:
        self.requested += 1
        self._waiting = True
        delay = self._last_sent + MIN_INTERVAL - time.monotonic()
        # A pending retry (RETRY_AFTER) must not make a new viewer wait a whole second.
        if self._timer is None or self._due > time.monotonic() + max(0.0, delay):
            self._cancel_timer()
            self._schedule(delay)

    def keyframe_seen(self) -> None:
        """A keyframe went by: everyone waiting has been served."""
        self._waiting = False
        self._cancel_timer()

    def close(self) -> None:
        self._waiting = False
        self._cancel_timer()
        for task in self._tasks:
            task.cancel()

    def _schedule(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self._due = time.monotonic() + max(0.0, delay)
        if delay <= 0:
            self._timer = loop.call_soon(self._fire)
        else:
            self._timer = loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if not self._waiting:
            return
        self._last_sent = time.monotonic()
        self.sent += 1
        task = asyncio.ensure_future(self._send_pli())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._schedule(RETRY_AFTER)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
