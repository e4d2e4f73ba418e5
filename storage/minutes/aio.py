"""The engine from the event loop: each call runs the blocking work in a thread (default) or in
an executor the caller owns (a process pool, for a server that renders a lot).

    pdf = await aio.render_minutes(Minutes.from_dict(draft))
    signed = await aio.sign_pdf(pdf, signer, reason=..., location=..., signer_name=...)
    check = await aio.verify_pdf(downloaded, trust_roots)

Everything passed to a process executor must pickle: the model, `Pkcs12Signer`, paths and bytes
do, and so do the `MinutesError`s that come back.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import TypeVar

from storage.minutes import layout, signing, verification
from storage.minutes.credentials import Pkcs12Signer
from storage.minutes.fonts import FontFamily
from storage.minutes.model import ConclusionNotice, Minutes
from storage.minutes.verification import TrustRoot, Verification

T = TypeVar("T")


async def _off_loop(executor: Executor | None, call: Callable[[], T]) -> T:
    if executor is None:
        return await asyncio.to_thread(call)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


async def render_minutes(
    minutes: Minutes, fonts: FontFamily | None = None, *, executor: Executor | None = None
) -> bytes:
    return await _off_loop(executor, functools.partial(layout.render_minutes, minutes, fonts))


async def render_notice(
    notice: ConclusionNotice, fonts: FontFamily | None = None, *, executor: Executor | None = None
) -> bytes:
    return await _off_loop(executor, functools.partial(layout.render_notice, notice, fonts))


async def sign_pdf(
    pdf: bytes,
    signer: Pkcs12Signer,
    *,
    reason: str,
    location: str,
    signer_name: str,
    executor: Executor | None = None,
) -> bytes:
    call = functools.partial(
        signing.sign_pdf,
        pdf,
        signer,
        reason=reason,
        location=location,
        signer_name=signer_name,
    )
    return await _off_loop(executor, call)


async def is_signed(pdf: bytes, *, executor: Executor | None = None) -> bool:
    return await _off_loop(executor, functools.partial(signing.is_signed, pdf))


async def verify_pdf(
    pdf: bytes,
    trust_roots: Sequence[TrustRoot],
    at: datetime | None = None,
    *,
    executor: Executor | None = None,
) -> Verification:
    call = functools.partial(verification.verify_pdf, pdf, list(trust_roots), at)
    return await _off_loop(executor, call)
