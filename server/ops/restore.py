"""`python -m server.ops.restore FILE [--force]`: put a backup back into an empty installation.

The installation is the one the ECABINET_* settings describe (data directory and database).
It must be empty (no rows, no document files) unless --force is given; then its current
contents are first saved with a backup next to the data directory, and replaced. The server
must be stopped. Every file is checked against the manifest's sha256 before anything is
replaced; the database must be of the kind the backup holds (SQLite or PostgreSQL). The
schema is left at the backup's revision: the server migrates it to its own on start.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from server.config import Settings, load_settings
from server.ops import archive, database
from server.ops.archive import CHUNK, DATABASE_FILES, MANIFEST, Manifest
from server.ops.backup import make_backup
from server.ops.database import OpsError, Target, tool, tool_env
from storage.db import alembic_config


@dataclass
class RestoreResult:
    manifest: Manifest
    files: int
    safety_backup: Path | None


def restore(settings: Settings, source: Path, *, force: bool = False) -> RestoreResult:
    target = Target.parse(settings.resolved_database_url)
    if not source.is_file():
        raise OpsError(f"no such file: {source}")
    _refuse_if_running(settings)
    occupied = _occupied(settings, target)
    if occupied and not force:
        raise OpsError(
            f"this installation is not empty ({occupied}). A backup is restored into an empty "
            "installation; use --force to replace this one (its contents are saved first)"
        )
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    stage = data_dir / f".restore-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    stage.mkdir()
    safety = None
    try:
        manifest = _unpack(source, stage)
        _check_compatible(manifest, target)
        if occupied:
            safety = data_dir / "backups" / f"before-restore-{archive_stamp()}.tar.gz"
            _say(f"saving the current contents first: {safety}")
            make_backup(settings, safety)
        database.clear(target)  # an earlier start's empty tables, or what --force replaces
        store = data_dir / "documents" / "blobs"
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(data_dir / "derived", ignore_errors=True)  # copies made for old ids
        _restore_database(manifest, target, stage)
        files = _restore_blobs(manifest, stage, store)
        _restore_kept(manifest, stage, data_dir)
        _hand_over(data_dir, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return RestoreResult(manifest, files, safety)


def archive_stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _refuse_if_running(settings: Settings) -> None:
    host = "127.0.0.1" if settings.host in {"0.0.0.0", "::", ""} else settings.host
    with contextlib.suppress(OSError), socket.create_connection((host, settings.port), 1):
        raise OpsError(
            f"something listens on {host}:{settings.port}: stop eCabinet first "
            "(systemctl stop ecabinet)"
        )


def _occupied(settings: Settings, target: Target) -> str:
    """'' when empty, else what is there, in words."""
    _, filled = database.filled_tables(target)
    store = settings.data_dir / "documents" / "blobs"
    files = sum(1 for p in store.rglob("*") if p.is_file()) if store.is_dir() else 0
    parts = []
    if filled:
        parts.append(f"rows in {len(filled)} tables of {target.describe()}")
    if files:
        parts.append(f"{files} files in {store}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------- unpack, check


def _unpack(source: Path, stage: Path) -> Manifest:
    """Extract into `stage`, member by member, taking nothing but the names a backup has."""
    seen: dict[str, dict[str, object]] = {}
    manifest_data: dict[str, object] | None = None
    try:
        with tarfile.open(source, "r:gz") as tar:
            for member in tar:
                if not member.isfile() or not archive.allowed_member(member.name):
                    raise OpsError(f"unexpected entry in the archive: {member.name!r}")
                if member.name in seen or (member.name == MANIFEST and manifest_data):
                    raise OpsError(f"{member.name} is twice in the archive")
                stream = tar.extractfile(member)
                assert stream is not None
                if member.name == MANIFEST:
                    manifest_data = json.loads(stream.read(10 * 1024 * 1024))
                    continue
                seen[member.name] = _copy_out(stream, stage / member.name)
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError) as exc:
        raise OpsError(f"{source} is not a readable backup: {exc}") from exc
    if manifest_data is None:
        raise OpsError(f"{source} has no manifest: not a complete eCabinet backup")
    try:
        manifest = Manifest.from_json(manifest_data)
    except (ValueError, KeyError) as exc:
        raise OpsError(str(exc)) from exc
    if set(seen) != set(manifest.files):
        extra = sorted(set(seen) ^ set(manifest.files))[:5]
        raise OpsError(f"the archive and its manifest disagree about: {', '.join(extra)}")
    for name, got in seen.items():
        want = manifest.files[name]
        if (got["sha256"], got["size"]) != (want["sha256"], want["size"]):
            raise OpsError(f"{name} is damaged in the archive (sha256 differs from the manifest)")
    return manifest


def _copy_out(stream: object, path: Path) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):  # type: ignore[attr-defined]
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return {"sha256": digest.hexdigest(), "size": size}


def _check_compatible(manifest: Manifest, target: Target) -> None:
    kind = manifest.database.get("kind")
    if kind != target.kind:
        raise OpsError(
            f"the backup holds a {kind} database; this installation is configured for "
            f"{target.kind} (ECABINET_DATABASE_URL). Restore it into a {kind} installation"
        )
    revision = manifest.database.get("revision")
    if revision:
        try:
            ScriptDirectory.from_config(alembic_config()).get_revision(revision)
        except CommandError:
            raise OpsError(
                f"the backup's schema is revision {revision}, which this version of eCabinet "
                "does not know: it was made by a newer version. Install that version first"
            ) from None


# ---------------------------------------------------------------------------- put back


def _restore_database(manifest: Manifest, target: Target, stage: Path) -> None:
    dumped = stage / DATABASE_FILES[target.kind]
    if target.kind == "sqlite":
        path = target.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(dumped, path)
        return
    proc = subprocess.run(
        [
            tool("pg_restore"),
            "--no-owner",  # the installation's own role owns what it restores
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={target.libpq_env()['PGDATABASE']}",
            str(dumped),
        ],
        env=tool_env(target),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise OpsError(f"pg_restore failed: {proc.stderr.strip()}")


def _restore_blobs(manifest: Manifest, stage: Path, store: Path) -> int:
    count = 0
    for name, entry in manifest.files.items():
        match = archive.BLOB_NAME.fullmatch(name)
        if match is None or entry.get("damaged"):
            continue  # the database, or bytes that were already damaged when backed up
        final = store / match[1] / match[2] / match[3]
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / name, final)
        final.chmod(0o444)  # as the store keeps them: blobs never change
        count += 1
    store.mkdir(parents=True, exist_ok=True)
    return count


def _restore_kept(manifest: Manifest, stage: Path, data_dir: Path) -> None:
    for top in archive.KEPT_DIRS:
        if any(name.startswith(f"{top}/") for name in manifest.files):
            shutil.rmtree(data_dir / top, ignore_errors=True)
    for name, entry in manifest.files.items():
        if archive.KEPT_NAME.fullmatch(name):
            final = data_dir / name
            final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(stage / name, final)
            final.chmod(int(str(entry.get("mode", "0o600")), 8) & 0o777)


def _hand_over(data_dir: Path, target: Target) -> None:
    """Run as root, give what was restored to the owner of the data directory (the service)."""
    if os.geteuid() != 0:
        return
    owner = data_dir.stat()
    paths = [data_dir / "documents", *(data_dir / top for top in archive.KEPT_DIRS)]
    if target.kind == "sqlite":
        paths.append(target.sqlite_path)
    for top in paths:
        if not top.exists():
            continue
        os.chown(top, owner.st_uid, owner.st_gid)
        for root, dirs, files in os.walk(top):
            for name in dirs + files:
                os.chown(os.path.join(root, name), owner.st_uid, owner.st_gid)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/restore",
        description="Restore a backup made by scripts/backup into this (empty) installation. "
        "Settings come from the ECABINET_* environment; stop the server first.",
    )
    parser.add_argument("archive", type=Path)
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a non-empty installation (its contents are backed up first)",
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    started = time.monotonic()
    try:
        result = restore(settings, args.archive, force=args.force)
    except OpsError as exc:
        print(f"restore refused: {exc}", file=sys.stderr)
        return 2
    db = result.manifest.database
    _say(
        f"restored {args.archive} (made {result.manifest.created_at} on {result.manifest.host}): "
        f"{db['kind']} database at revision {db.get('revision')}, {result.files} document files, "
        f"in {time.monotonic() - started:.1f} s"
    )
    if result.safety_backup:
        _say(f"the replaced contents are in {result.safety_backup}")
    _say("start eCabinet now: it migrates the database to its own schema on start")
    return 0


if __name__ == "__main__":
    sys.exit(main())
