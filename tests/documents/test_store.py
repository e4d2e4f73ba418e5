"""The content-addressed store and the per-viewer cache: layout, caps, cleanup, ranges."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from storage.documents import (
    BlobNotFound,
    DerivedCache,
    LocalDocumentStore,
    StoredBlob,
    put_file,
)
from storage.pdf import UploadRejected
from tests.documents.conftest import files_under

DATA = bytes(range(256)) * 4096  # 1 MiB, not a multiple of the store's chunk in odd ranges


async def chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


async def store_bytes(store: LocalDocumentStore, data: bytes) -> StoredBlob:
    async with store.stage(chunks(data)) as staged:
        return await staged.commit()


async def test_blob_is_named_by_its_sha256(store: LocalDocumentStore) -> None:
    blob = await store_bytes(store, DATA)
    digest = hashlib.sha256(DATA).hexdigest()
    assert blob == StoredBlob(digest, len(DATA), created=True)
    assert files_under(store.root) == [store.root / "blobs" / digest[:2] / digest[2:4] / digest]
    assert await store.exists(digest) and await store.size(digest) == len(DATA)


async def test_identical_upload_is_stored_once(store: LocalDocumentStore) -> None:
    first = await store_bytes(store, DATA)
    second = await store_bytes(store, DATA)
    assert (first.created, second.created) == (True, False)
    assert len(files_under(store.root)) == 1


async def test_over_the_cap_fails_while_streaming_and_leaves_no_file(
    store: LocalDocumentStore,
) -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b"x" * 65536

    with pytest.raises(UploadRejected) as caught:
        async with store.stage(endless(), max_bytes=1024 * 1024):
            pytest.fail("a too-large upload must not reach validation")
    assert caught.value.code == "document_too_large" and caught.value.status == 413
    assert pulled == 17  # stopped at the first chunk past 1 MiB, not at the end of the stream
    assert files_under(store.root) == []


async def test_upload_cut_off_midway_leaves_no_file(store: LocalDocumentStore) -> None:
    async def cut_off() -> AsyncIterator[bytes]:
        yield b"%PDF-1.7\n" * 50_000
        raise ConnectionResetError("client went away")

    with pytest.raises(UploadRejected) as caught:
        async with store.stage(cut_off()):
            pass
    assert caught.value.code == "document_upload_incomplete"
    assert files_under(store.root) == []


async def test_refused_after_staging_leaves_no_file(store: LocalDocumentStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.stage(chunks(DATA)) as staged:
            assert staged.path.read_bytes() == DATA
            raise RuntimeError("validation said no")
    assert files_under(store.root) == []


async def test_cancelled_upload_leaves_no_file(store: LocalDocumentStore) -> None:
    async def slow() -> AsyncIterator[bytes]:
        yield b"a" * 300_000
        await asyncio.sleep(30)
        yield b"b"

    async def upload() -> None:
        async with store.stage(slow()):
            pass

    task = asyncio.create_task(upload())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert files_under(store.root) == []


RANGES = [
    (0, None),
    (0, 1),
    (1000, 300_000),  # crosses a chunk boundary
    (len(DATA) - 5, None),
    (len(DATA) - 5, len(DATA) + 100),  # an end past the file is clipped, as HTTP does
    (500, 500),  # empty
]


@pytest.mark.parametrize(("start", "end"), RANGES)
async def test_range_read(store: LocalDocumentStore, start: int, end: int | None) -> None:
    blob = await store_bytes(store, DATA)
    got = b"".join([c async for c in store.read(blob.sha256, start, end)])
    assert got == DATA[start:end]


async def test_bad_range_and_missing_blob(store: LocalDocumentStore) -> None:
    blob = await store_bytes(store, DATA)
    with pytest.raises(ValueError):
        [c async for c in store.read(blob.sha256, 10, 5)]
    missing = "0" * 64
    with pytest.raises(BlobNotFound):
        [c async for c in store.read(missing)]
    with pytest.raises(BlobNotFound):
        await store.size(missing)
    assert not await store.exists(missing)
    assert await store.delete(blob.sha256) and not await store.delete(blob.sha256)


@pytest.mark.parametrize("name", ["../../etc/passwd", "ABCDEF" * 10 + "abcd", "a" * 63, ""])
async def test_paths_come_only_from_digests(store: LocalDocumentStore, name: str) -> None:
    with pytest.raises(ValueError):
        await store.exists(name)
    with pytest.raises(ValueError):
        store.local_path(name)


async def test_put_file_and_stale_temp_cleanup(store: LocalDocumentStore, tmp_path: Path) -> None:
    source = tmp_path / "converted.pdf"
    source.write_bytes(DATA)
    blob = await put_file(store, source)
    assert store.local_path(blob.sha256).read_bytes() == DATA
    stale, fresh, scratch = (
        store.tmp / "upload-old",
        store.tmp / "upload-new",
        store.tmp / "convert-x",
    )
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    scratch.mkdir()
    (scratch / "source.docx").write_bytes(b"z")
    for old in (stale, scratch):
        os.utime(old, (time.time() - 7 * 3600,) * 2)
    assert await store.remove_stale_temp() == 2
    assert not stale.exists() and not scratch.exists() and fresh.exists()


# ---------------------------------------------------------------- derived (per-viewer) cache

DOC_A, DOC_B = "a" * 64, "b" * 64


async def test_cache_makes_each_copy_once_even_when_asked_together(tmp_path: Path) -> None:
    cache = DerivedCache(tmp_path / "cache")
    calls = 0

    async def make(target: Path) -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)  # long enough for every caller to be waiting
        await asyncio.to_thread(target.write_bytes, b"stamped")

    paths = await asyncio.gather(*(cache.get_or_create(DOC_A, "u1", make) for _ in range(5)))
    assert calls == 1 and len(set(paths)) == 1 and paths[0].read_bytes() == b"stamped"
    assert await cache.get(DOC_A, "u1") == paths[0]
    assert await cache.get(DOC_A, "u2") is None
    assert files_under(cache.tmp) == []


async def test_cache_failed_make_leaves_nothing(tmp_path: Path) -> None:
    cache = DerivedCache(tmp_path / "cache")

    async def broken(target: Path) -> None:
        await asyncio.to_thread(target.write_bytes, b"half")
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        await cache.get_or_create(DOC_A, "u1", broken)
    assert files_under(cache.root) == []


async def fill(cache: DerivedCache, entries: Sequence[tuple[str, str]]) -> None:
    for document, viewer in entries:
        path = cache.path_for(document, viewer)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 1000)


INVALIDATIONS = [
    # (document, viewer prefix) -> what survives
    ((DOC_A, ""), {(DOC_B, "u1-g1"), (DOC_B, "u2-g1")}),
    ((DOC_A, "u1-"), {(DOC_A, "u2-g1"), (DOC_B, "u1-g1"), (DOC_B, "u2-g1")}),
    ((None, "u1-"), {(DOC_A, "u2-g1"), (DOC_B, "u2-g1")}),
    ((None, ""), set()),
]


@pytest.mark.parametrize(("target", "survivors"), INVALIDATIONS)
async def test_cache_invalidation_by_prefix(
    tmp_path: Path, target: tuple[str | None, str], survivors: set[tuple[str, str]]
) -> None:
    cache = DerivedCache(tmp_path / "cache")
    everything = {(d, v) for d in (DOC_A, DOC_B) for v in ("u1-g1", "u2-g1")}
    await fill(cache, sorted(everything))
    removed = await cache.invalidate(*target)
    assert removed == len(everything) - len(survivors)
    left = {(d, v) for d, v in everything if await cache.get(d, v) is not None}
    assert left == survivors


async def test_cache_prune_drops_least_recently_used(tmp_path: Path) -> None:
    cache = DerivedCache(tmp_path / "cache")
    await fill(cache, [(DOC_A, "old"), (DOC_A, "used"), (DOC_B, "new")])
    for age, viewer, document in ((300, "old", DOC_A), (200, "used", DOC_A), (100, "new", DOC_B)):
        stamp = time.time() - age
        os.utime(cache.path_for(document, viewer), (stamp, stamp))
    await cache.get(DOC_A, "used")  # a hit makes it the most recent
    assert await cache.prune(max_bytes=2000) == 1
    assert await cache.get(DOC_A, "old") is None
    assert await cache.get(DOC_A, "used") and await cache.get(DOC_B, "new")


@pytest.mark.parametrize("viewer", ["../x", ".hidden", "a/b", "", "x" * 129, "tên"])
def test_cache_viewer_keys_cannot_be_paths(tmp_path: Path, viewer: str) -> None:
    with pytest.raises(ValueError):
        DerivedCache(tmp_path / "cache").path_for(DOC_A, viewer)
