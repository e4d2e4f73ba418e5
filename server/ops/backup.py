"""`python -m server.ops.backup [--out FILE | --dir DIR] [--keep N]`: one archive of the
database and the document store, made while the server runs.

Consistency: the database is copied first, as one snapshot (SQLite's online backup API, or
pg_dump inside an exported REPEATABLE READ snapshot). Document files are immutable and named
by their content, and a file is stored before any row names it, so every file the snapshot
refers to is already on disk when the files are copied afterwards; files added later are
harmless extras. Each file is hashed as it is archived and checked against its name; the
manifest records the sha256 of every file, and which referenced files were missing.

Exit status: 0 written and complete; 1 written but incomplete (a file the database refers to
is missing or damaged in the store: look now); 2 not written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg

from server.config import Settings, load_settings
from server.ops import archive
from server.ops.archive import DATABASE_FILES, MANIFEST, HashingReader, Manifest
from server.ops.database import (
    OpsError,
    Target,
    pg_connect,
    pg_revision_and_blobs,
    sqlite_connect,
    sqlite_revision_and_blobs,
    tool,
    tool_env,
)

# Backups are mostly PDFs, which gzip cannot shrink: the fastest level costs the least time.
COMPRESS_LEVEL = 1


@dataclass
class Snapshot:
    path: Path
    revision: str | None
    referenced: set[str]
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    missing: list[str]
    damaged: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.damaged


def make_backup(settings: Settings, out: Path, *, log: bool = True) -> BackupResult:
    """Write the archive to `out` (atomically: `out` appears only when complete)."""
    started = time.monotonic()
    target = Target.parse(settings.resolved_database_url)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".ecabinet-backup-", dir=out.parent))
    partial = out.with_name(out.name + ".partial")
    try:
        if target.kind == "sqlite":
            snap = _sqlite_snapshot(target, work)
        else:
            snap = asyncio.run(_pg_snapshot(target, work))
        _say(log, f"database: {target.describe()} at revision {snap.revision}")
        result = _write(settings, target, snap, partial, out, log)
        os.replace(partial, out)
        _fsync_dir(out.parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)
    size = out.stat().st_size
    _say(log, f"wrote {out} ({size / 1e6:.1f} MB) in {time.monotonic() - started:.1f} s")
    return result


def _write(
    settings: Settings, target: Target, snap: Snapshot, partial: Path, out: Path, log: bool
) -> BackupResult:
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        database={"kind": target.kind, "revision": snap.revision, **snap.details},
        app_version=_version(),
        host=socket.gethostname(),
    )
    store = settings.data_dir / "documents" / "blobs"
    archived: set[str] = set()
    damaged: list[str] = []
    total = 0
    gz = {"compresslevel": COMPRESS_LEVEL, "format": tarfile.PAX_FORMAT}
    with tarfile.open(partial, "w:gz", **gz) as tar:  # type: ignore[call-overload]
        db_member = DATABASE_FILES[target.kind]
        manifest.files[db_member] = _add(tar, snap.path, db_member)
        manifest.database["file"] = db_member
        for sha256, path in _blobs(store):
            member = archive.blob_member(sha256)
            try:
                entry = _add(tar, path, member)
            except FileNotFoundError:
                continue  # removed since it was listed: an upload that was refused
            if entry["sha256"] != sha256:
                damaged.append(sha256)  # the store's copy no longer matches its name
                # the bytes are in the archive already; the manifest says they are not to be
                # trusted, and restore leaves them out
                manifest.files[member] = {**entry, "damaged": True}
                continue
            manifest.files[member] = entry
            archived.add(sha256)
            total += entry["size"]
        for member, path in _kept(settings.data_dir):
            with contextlib.suppress(FileNotFoundError):
                manifest.files[member] = _add(tar, path, member, mode=path.stat().st_mode & 0o777)
        missing = sorted(snap.referenced - archived)
        manifest.documents = {
            "files": len(archived),
            "bytes": total,
            "referenced": len(snap.referenced),
            "missing": missing,
            "damaged": sorted(damaged),
        }
        data = json.dumps(manifest.as_json(), indent=1, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
        tar.addfile(info, io.BytesIO(data))
    with partial.open("rb") as f:
        os.fsync(f.fileno())
    _say(log, f"documents: {len(archived)} files, {total / 1e6:.1f} MB")
    if missing:
        _say(log, f"WARNING: {len(missing)} document files the database refers to are missing")
    if damaged:
        _say(log, f"WARNING: {len(damaged)} document files do not match their sha256 (damaged)")
    return BackupResult(out, manifest, missing, sorted(damaged))


def _add(tar: tarfile.TarFile, path: Path, member: str, mode: int | None = None) -> dict[str, Any]:
    with path.open("rb") as f:
        stat = os.fstat(f.fileno())
        info = tarfile.TarInfo(member)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), mode or 0o444
        reader = HashingReader(f)
        tar.addfile(info, reader)  # tarfile only calls read()
    entry: dict[str, Any] = {"sha256": reader.digest.hexdigest(), "size": stat.st_size}
    if mode is not None:
        entry["mode"] = oct(mode)
    return entry


def _kept(data_dir: Path) -> Iterator[tuple[str, Path]]:
    """The files of the small directories kept whole (the demo's certificates)."""
    for name in archive.KEPT_DIRS:
        top = data_dir / name
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*")):
            member = f"{name}/{path.relative_to(top).as_posix()}"
            if path.is_file() and not path.is_symlink() and archive.KEPT_NAME.fullmatch(member):
                yield member, path


def _blobs(store: Path) -> Iterator[tuple[str, Path]]:
    """Every stored file, in name order (so archives of the same store list alike)."""
    if not store.is_dir():
        return
    for first in sorted(store.iterdir()):
        if not first.is_dir():
            continue
        for second in sorted(first.iterdir()):
            if not second.is_dir():
                continue
            for path in sorted(second.iterdir()):
                member = archive.blob_member(path.name) if len(path.name) == 64 else ""
                if archive.BLOB_NAME.fullmatch(member) and path.is_file():
                    yield path.name, path


# ---------------------------------------------------------------------------- snapshots


def _sqlite_snapshot(target: Target, work: Path) -> Snapshot:
    source = target.sqlite_path
    if not source.exists():
        raise OpsError(f"no database at {source}: nothing to back up")
    copy = work / "ecabinet.sqlite3"
    with (
        contextlib.closing(sqlite_connect(source, readonly=False)) as src,
        contextlib.closing(sqlite3.connect(copy)) as dst,
    ):
        # One step (pages=-1): a single read transaction, so one consistent snapshot; in WAL
        # mode the server's writers go on meanwhile.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise OpsError(f"the database copy fails SQLite's check: {check}")
        revision, referenced = sqlite_revision_and_blobs(dst)
    return Snapshot(copy, revision, referenced, {"sqlite_version": sqlite3.sqlite_version})


async def _pg_snapshot(target: Target, work: Path) -> Snapshot:
    dump = work / "ecabinet.pgdump"
    pg_dump = tool("pg_dump")
    async with _exported_snapshot(target) as (conn, snapshot_id):
        revision, referenced = await pg_revision_and_blobs(conn)
        server_version = await conn.fetchval("SHOW server_version")
        proc = await asyncio.create_subprocess_exec(
            pg_dump,
            "--format=custom",
            f"--snapshot={snapshot_id}",
            f"--file={dump}",
            env=tool_env(target),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, err = await proc.communicate()
        if proc.returncode != 0:
            raise OpsError(f"pg_dump failed: {err.decode(errors='replace').strip()}")
    return Snapshot(dump, revision, referenced, {"server_version": str(server_version)})


@contextlib.asynccontextmanager
async def _exported_snapshot(
    target: Target,
) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A read-only REPEATABLE READ transaction whose snapshot pg_dump shares (--snapshot)."""
    conn = await pg_connect(target)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot_id = await conn.fetchval("SELECT pg_export_snapshot()")
            yield conn, snapshot_id
    finally:
        await conn.close()


# ---------------------------------------------------------------------------- the command


def default_name() -> str:
    return f"ecabinet-{datetime.now().strftime('%Y%m%d-%H%M%S')}-{socket.gethostname()}.tar.gz"


def prune(folder: Path, keep: int, log: bool = True) -> list[Path]:
    """Delete all but the newest `keep` archives this command named in `folder`."""
    mine = sorted(
        (p for p in folder.iterdir() if archive.ARCHIVE_NAME.fullmatch(p.name)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    doomed = mine[keep:]
    for path in doomed:
        path.unlink(missing_ok=True)
        _say(log, f"removed old backup {path}")
    return doomed


def _version() -> str:
    try:
        return metadata.version("ecabinet")
    except metadata.PackageNotFoundError:
        return ""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _say(log: bool, text: str) -> None:
    if log:
        print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/backup",
        description="Back up the database and the document store into one .tar.gz, "
        "while the server runs. Settings come from the ECABINET_* environment.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, help="the archive to write")
    where.add_argument(
        "--dir",
        type=Path,
        help="write ecabinet-DATE-TIME-HOST.tar.gz here (default: DATA_DIR/backups)",
    )
    parser.add_argument(
        "--keep", type=int, default=0, help="with --dir: keep only the newest N archives there"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    folder = args.dir or settings.data_dir / "backups"
    out = args.out or folder / default_name()
    try:
        result = make_backup(settings, out)
    except OpsError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 2
    if args.keep and not args.out:
        prune(folder, args.keep)
    print(result.path)
    return 0 if result.complete else 1


if __name__ == "__main__":
    sys.exit(main())
