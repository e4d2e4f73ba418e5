"""Misbehaving work for the isolation tests; runs inside worker processes."""

from __future__ import annotations

import os
import signal
import time


def echo(value: object) -> object:
    return value


def hog_memory(mebibytes: int) -> int:
    # One allocation past the address-space limit fails at once; filling 1 GiB first is slow.
    return len(bytearray(mebibytes * 1024 * 1024))


def spin() -> None:
    while True:
        pass


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def fail() -> None:
    raise ValueError("a bug in a task")


def pid() -> int:
    return os.getpid()
