"""Password hashing with argon2 (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import Invalid

_hasher = PasswordHasher()
MIN_LENGTH = 8
# Without ambiguous characters (0/O, 1/l/I): generated passwords are read aloud and typed.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def configure(memory_kib: int) -> None:
    """Tune argon2's memory cost (the test suite lowers it; production keeps the default)."""
    global _hasher
    _hasher = PasswordHasher(memory_cost=memory_kib)


def generate() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise Invalid(
            "password_too_short",
            vi=f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
            en=f"The password must have at least {MIN_LENGTH} characters.",
        )


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str, password: str) -> bool:
    return await asyncio.to_thread(_verify, stored, password)


# A real hash to verify against when the username is unknown, so timing does not tell.
_DUMMY_HASH = PasswordHasher().hash("not-a-real-password")


async def burn_time(password: str) -> None:
    await verify_password(_DUMMY_HASH, password)
