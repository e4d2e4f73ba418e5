"""Where document bytes live: a content-addressed store, and a cache of per-viewer copies.

Blobs are named by the sha256 of their bytes (`blobs/ab/cd/<sha256>`): identical uploads are
stored once, a name never lies about its content, and it doubles as the HTTP ETag. A path is
never built from anything a client sent — only from a digest we computed.

An upload is streamed to a temporary file on the same filesystem while it is hashed and counted;
the size cap is enforced as the bytes arrive. `commit()` publishes it with an atomic link, so a
blob is either whole or absent; leaving the `stage()` block without committing removes the
temporary file, whatever the reason (too large, cut off, refused by validation, cancelled).

    async with store.stage(chunks_from(field.read_chunk), max_bytes=cap) as upload:
        ...validate upload.path...
        blob = await upload.commit()

File I/O runs on threads (`asyncio.to_thread`), in 256 KiB chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from storage.pdf.errors import UploadRejected

MiB = 1024 * 1024
# One thread hop per 256 KiB: hop overhead stays under 1% of disk time, memory stays small.
CHUNK = 256 * 1024
# The default upload cap; the server's setting overrides it.
DEFAULT_MAX_BYTES = 200 * MiB
# A temporary file this old belongs to no upload still running (200 MB at 1 Mbit/s is ~30 min).
STALE_TEMP_SECONDS = 6 * 3600
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Viewer keys name cache files: the caller builds them from ids, e.g. "u42-g3"; no path syntax.
_VIEWER_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class BlobNotFound(LookupError):
    """No blob with this digest is stored."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    created: bool  # False when identical bytes were already stored (deduplicated)


class Staged(Protocol):
    """An upload received in full into a temporary file, not yet published."""

    @property
    def path(self) -> Path: ...
    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    async def commit(self) -> StoredBlob: ...


class DocumentStore(Protocol):
    """The one interface to document bytes: a local directory now, an object store later."""

    def stage(
        self, source: AsyncIterable[bytes], *, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> AbstractAsyncContextManager[Staged]:
        """Receive `source` into a temporary file (hashing, enforcing the cap as it goes)."""
        ...

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes `start` up to (not including) `end` of a blob, in chunks."""
        ...

    async def exists(self, sha256: str) -> bool: ...
    async def size(self, sha256: str) -> int: ...
    async def delete(self, sha256: str) -> bool: ...

    def local_path(self, sha256: str) -> Path | None:
        """A file to hand to sendfile (aiohttp's FileResponse), or None if the backend has none."""
        ...


def check_digest(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError("not a lower-case hex sha256 digest")
    return sha256


# ---------------------------------------------------------------- the local filesystem store


@dataclass
class _LocalStaged:
    store: LocalDocumentStore
    path: Path
    sha256: str
    size: int
    committed: StoredBlob | None = field(default=None)

    async def commit(self) -> StoredBlob:
        if self.committed is None:
            created = await asyncio.to_thread(self.store._install, self.path, self.sha256)
            self.committed = StoredBlob(self.sha256, self.size, created)
        return self.committed


class LocalDocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.tmp = root / "tmp"  # same filesystem as blobs: the final link is atomic
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    @contextlib.asynccontextmanager
    async def stage(
        self, source: AsyncIterable[bytes], *, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> AsyncIterator[Staged]:
        staged = await self._receive(source, max_bytes)
        try:
            yield staged
        finally:
            _remove(staged.path)  # after commit the blob is a second link: this drops the temp

    async def _receive(self, source: AsyncIterable[bytes], max_bytes: int) -> _LocalStaged:
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        f = os.fdopen(fd, "wb")
        digest, size, buffer = hashlib.sha256(), 0, bytearray()
        try:
            async for chunk in _network(source):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRejected(
                        "document_too_large", limit_mb=round(max_bytes / MiB, 1), limit=max_bytes
                    )
                buffer += chunk
                if len(buffer) >= CHUNK:
                    data, buffer = buffer, bytearray()
                    await asyncio.to_thread(_write, f, digest, data)
            await asyncio.to_thread(_finish, f, digest, buffer)
        except BaseException:
            # Synchronous on purpose: it must also run when the upload task is being cancelled.
            f.close()
            _remove(Path(name))
            raise
        return _LocalStaged(self, Path(name), digest.hexdigest(), size)

    def _install(self, temp: Path, sha256: str) -> bool:
        final = self._path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp.chmod(0o444)  # blobs never change; read-only says so
        try:
            os.link(temp, final)  # atomic, and fails instead of replacing: dedupe is exact
        except FileExistsError:
            return False
        _fsync_dir(final.parent)
        return True

    async def read(
        self, sha256: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        f = await asyncio.to_thread(self._open, sha256)
        try:
            size = os.fstat(f.fileno()).st_size
            stop = size if end is None else min(end, size)
            if start < 0 or start > stop:
                raise ValueError(f"bad range {start}-{end} for {size} bytes")
            f.seek(start)  # a seek is a syscall that does not touch the disk
            remaining = stop - start
            while remaining > 0:
                data = await asyncio.to_thread(f.read, min(CHUNK, remaining))
                if not data:
                    break
                remaining -= len(data)
                yield data
        finally:
            f.close()

    async def exists(self, sha256: str) -> bool:
        return await asyncio.to_thread(self._path(sha256).is_file)

    async def size(self, sha256: str) -> int:
        try:
            return (await asyncio.to_thread(self._path(sha256).stat)).st_size
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    async def delete(self, sha256: str) -> bool:
        try:
            await asyncio.to_thread(self._path(sha256).unlink)
        except FileNotFoundError:
            return False
        return True

    def local_path(self, sha256: str) -> Path:
        return self._path(sha256)

    async def remove_stale_temp(self, older_than: float = STALE_TEMP_SECONDS) -> int:
        """Delete temporary files and scratch directories left by a crash; call at start-up."""
        return await asyncio.to_thread(_remove_older, self.tmp, older_than)

    def _path(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.blobs / sha256[:2] / sha256[2:4] / sha256

    def _open(self, sha256: str) -> BinaryIO:
        try:
            return self._path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None


async def _network(source: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """The source's chunks; a failing source (a dropped connection) is an incomplete upload."""
    iterator = aiter(source)
    while True:
        try:
            chunk = await anext(iterator)
        except StopAsyncIteration:
            return
        except (UploadRejected, asyncio.CancelledError):
            raise
        except Exception as exc:
            raise UploadRejected("document_upload_incomplete") from exc
        yield chunk


def _write(f: BinaryIO, digest: hashlib._Hash, data: bytes | bytearray) -> None:
    digest.update(data)  # hashlib releases the GIL on large buffers: this thread does the work
    f.write(data)


def _finish(f: BinaryIO, digest: hashlib._Hash, tail: bytes | bytearray) -> None:
    _write(f, digest, tail)
    f.flush()
    os.fsync(f.fileno())  # durable before it can be linked into place
    f.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _remove_older(folder: Path, seconds: float) -> int:
    """Files and directories (a crashed conversion's scratch) older than `seconds`."""
    cutoff, removed = time.time() - seconds, 0
    for entry in folder.iterdir():
        if entry.lstat().st_mtime >= cutoff:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            _remove(entry)
        removed += 1
    return removed


# ---------------------------------------------------------------- adapters for callers


async def chunks_from(
    read: Callable[[int], Awaitable[bytes]], size: int = CHUNK
) -> AsyncIterator[bytes]:
    """Turn `read(n)` (aiohttp's `BodyPartReader.read_chunk`) into an async iterator."""
    while chunk := await read(size):
        yield chunk


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    with await asyncio.to_thread(path.open, "rb") as f:
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            yield chunk


async def put_file(store: DocumentStore, path: Path) -> StoredBlob:
    """Store a local file (e.g. a converted PDF) by content."""
    size = (await asyncio.to_thread(path.stat)).st_size
    async with store.stage(file_chunks(path), max_bytes=size) as staged:
        return await staged.commit()


# ---------------------------------------------------------------- derived files (per viewer)


class DerivedCache:
    """Files derived from a document for one viewer (watermarked copies), keyed by
    (document digest, viewer key): `<root>/ab/<document>/<viewer>.pdf`.

    A copy keeps the time stamped on it when first made; put the date in the viewer key for
    daily copies. Revoking a viewer, or replacing a document, calls `invalidate`.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / ".tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._locks = _KeyedLocks()

    def path_for(self, document: str, viewer: str) -> Path:
        check_digest(document)
        if not _VIEWER_KEY.fullmatch(viewer):
            raise ValueError("viewer keys are 1-128 of A-Z a-z 0-9 . _ - (not starting with one)")
        return self.root / document[:2] / document / f"{viewer}.pdf"

    async def get(self, document: str, viewer: str) -> Path | None:
        path = self.path_for(document, viewer)
        return path if await asyncio.to_thread(_touch, path) else None

    async def get_or_create(
        self, document: str, viewer: str, make: Callable[[Path], Awaitable[object]]
    ) -> Path:
        """The cached copy, or `await make(temp)` once (concurrent callers wait) and install it."""
        target = self.path_for(document, viewer)
        async with self._locks.hold((document, viewer)):
            if await asyncio.to_thread(_touch, target):
                return target
            fd, name = tempfile.mkstemp(dir=self.tmp, prefix="derived-")
            os.close(fd)
            try:
                await make(Path(name))
                await asyncio.to_thread(_install_derived, Path(name), target)
            finally:
                _remove(Path(name))
        return target

    async def invalidate(self, document: str | None = None, viewer_prefix: str = "") -> int:
        """Delete copies of one document (or all), for viewers whose key starts with the prefix."""
        if document is not None:
            check_digest(document)
        return await asyncio.to_thread(self._invalidate, document, viewer_prefix)

    async def prune(self, max_bytes: int) -> int:
        """Delete least recently used copies until the cache holds at most `max_bytes`."""
        return await asyncio.to_thread(self._prune, max_bytes)

    def _copies(self, document: str | None) -> list[Path]:
        if document is not None:
            return list((self.root / document[:2] / document).glob("*.pdf"))
        return list(self.root.glob("??/*/*.pdf"))

    def _invalidate(self, document: str | None, prefix: str) -> int:
        doomed = [p for p in self._copies(document) if p.name.startswith(prefix)]
        for path in doomed:
            _remove(path)
        return len(doomed)

    def _prune(self, max_bytes: int) -> int:
        stats = []
        for path in self._copies(None):
            with contextlib.suppress(FileNotFoundError):
                stats.append((path.stat(), path))
        stats.sort(key=lambda item: item[0].st_mtime)  # oldest use first
        total, removed = sum(s.st_size for s, _ in stats), 0
        for stat, path in stats:
            if total <= max_bytes:
                break
            _remove(path)
            total -= stat.st_size
            removed += 1
        return removed


def _touch(path: Path) -> bool:
    """Mark a copy as just used (for `prune`); False if there is none."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


def _install_derived(temp: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, target)


class _KeyedLocks:
    """One asyncio.Lock per key while someone holds or waits for it; forgotten afterwards."""

    def __init__(self) -> None:
        self._locks: dict[object, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: object) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
