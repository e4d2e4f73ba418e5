"""Backup and restore with the scripts an IT officer runs: a backup made while the server works
(and people upload), restored into an empty installation, loses nothing — every row of every
table and every document file's sha256 — and the restored installation starts and serves it.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import sqlite3
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from server.config import ROOT
from tests.deploy.conftest import Installation
from tests.deploy.support import Remote, run, running, server_env, store_digests, table_rows
from tests.documents.samples import text_pdf

BACKUP = ROOT / "scripts" / "backup"
RESTORE = ROOT / "scripts" / "restore"

pytestmark = pytest.mark.timeout(300)


@dataclass
class Made:
    meeting_id: int
    documents: dict[int, bytes] = field(default_factory=dict)


async def populate(base: str) -> Made:
    """A meeting as it really happens: prepared over HTTP, held live over socket.io."""
    secretary = await Remote(base).login("thuky")
    people: list[Remote] = [secretary]
    try:
        _, users = await secretary.call("GET", "/api/users")
        ids = {u["username"]: u["id"] for u in users["users"]}
        _, units = await secretary.call("GET", "/api/units")
        codes = {u["code"]: u["id"] for u in units["units"]}
        status, body = await secretary.call(
            "POST",
            "/api/meetings",
            {
                "title": "Họp UBND huyện: sao lưu và phục hồi dữ liệu",
                "starts_at": "2030-03-04T08:00:00+07:00",
                "ends_at": "2030-03-04T11:00:00+07:00",
                "chair_id": ids["chutich"],
            },
        )
        assert status == 201, body
        made = Made(body["meeting"]["id"])
        mid = made.meeting_id
        status, body = await secretary.call(
            "POST", f"/api/meetings/{mid}/agenda", {"title": "Báo cáo", "duration_minutes": 20}
        )
        assert status == 201, body
        item = body["item"]["id"]
        status, body = await secretary.call(
            "POST",
            f"/api/meetings/{mid}/invitations",
            {
                "user_ids": [ids["tp.noivu"], ids["tp.vanhoa"]],
                "sites": [{"unit_id": codes["xa-vinh-hanh"]}],
            },
        )
        assert status == 200, body
        assert (await secretary.call("POST", f"/api/meetings/{mid}/publish"))[0] == 200
        for n, name in enumerate(("Báo cáo tổng hợp.pdf", "Tờ trình số 12.pdf"), 1):
            data = text_pdf([f"Tài liệu {n}, trang {p}" for p in range(1, 4)])
            doc = await secretary.upload(mid, data, name, agenda_item_id=item)
            made.documents[doc] = data
        first = min(made.documents)
        status, body = await secretary.call(
            "POST", f"/api/documents/{first}/notes", {"page": 2, "text": "Ghi chú riêng"}
        )
        assert status == 201, body

        for username in ("chutich", "tp.noivu"):
            people.append(await Remote(base).login(username))
        clerk, chair, official = [await p.join(mid) for p in people]
        await chair.ok("meeting.start")
        await chair.ok("agenda.go", {"item_id": item})
        await chair.ok("page", {"document_id": first, "page": 2})
        await chair.ok("announce", {"text": "Đề nghị tắt micro khi không phát biểu."})
        vote = await chair.ok("vote.open", {"question": "Thông qua tờ trình số 12?"})
        await official.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
        await chair.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
        await chair.ok("vote.close", {"vote_id": vote["id"]})
        await clerk.ok("conclusion.save", {"item_id": item, "text": "Thống nhất thông qua."})
        for client in (clerk, chair, official):
            await client.close()
        status, body = await secretary.call(
            "POST",
            "/api/meetings",
            {
                "title": "Họp chuyên đề (dự thảo)",
                "starts_at": "2030-04-01T14:00:00+07:00",
                "ends_at": "2030-04-01T16:00:00+07:00",
            },
        )
        assert status == 201, body
        return made
    finally:
        for person in people:
            await person.close()


async def keep_uploading(base: str, meeting_id: int, stop: asyncio.Event) -> int:
    """Someone uploading documents the whole time the backup runs."""
    secretary = await Remote(base).login("thuky")
    count = 0
    try:
        while not stop.is_set():
            count += 1
            data = text_pdf([f"Tài liệu tải lên trong lúc sao lưu số {count}"])
            await secretary.upload(meeting_id, data, f"Tải lên {count}.pdf")
    finally:
        await secretary.close()
    return count


async def test_backup_while_running_restore_into_empty_installation(
    new_installation, tmp_path: Path
) -> None:
    source: Installation = await new_installation("source")
    env = server_env(source.data_dir, source.port, source.database_url)
    busy, quiet = tmp_path / "busy.tar.gz", tmp_path / "quiet.tar.gz"
    async with running(env, tmp_path / "source.log") as server:
        made = await populate(server.base)

        # 1. while someone uploads: the archive must be consistent (checked after restoring)
        stop = asyncio.Event()
        uploader = asyncio.create_task(keep_uploading(server.base, made.meeting_id, stop))
        await asyncio.sleep(0.3)
        status, out = await run(BACKUP, "--out", busy, env=env)
        stop.set()
        uploaded = await uploader
        assert status == 0, out
        assert uploaded >= 2  # the backup really overlapped with uploads

        # 2. the settled state, to compare exactly (the server still runs)
        status, out = await run(BACKUP, "--out", quiet, env=env)
        assert status == 0, out
        rows = await table_rows(source.resolved_url)
        files = store_digests(source.data_dir)
        certificates = tree_digests(source.data_dir / "pki")  # the demo's signing keys

    manifest = _manifest(quiet)
    assert manifest["database"]["kind"] == ("postgresql" if source.database_url else "sqlite")
    assert manifest["documents"]["missing"] == [] and manifest["documents"]["damaged"] == []
    blobs = {n: e["sha256"] for n, e in manifest["files"].items() if n.startswith("documents/")}
    assert {n.removeprefix("documents/blobs/"): d for n, d in blobs.items()} == files
    assert len(files) >= len(made.documents)
    assert not any(n.startswith(("derived", "documents/tmp")) for n in manifest["files"])

    # --- restore into an empty installation: every row and every file comes back ----------
    target: Installation = await new_installation("restored")
    target_env = server_env(target.data_dir, target.port, target.database_url)
    status, out = await run(RESTORE, quiet, env=target_env)
    assert status == 0, out
    assert await table_rows(target.resolved_url) == rows
    assert store_digests(target.data_dir) == files
    assert certificates and tree_digests(target.data_dir / "pki") == certificates

    # a second restore is refused: the installation is not empty any more
    status, out = await run(RESTORE, quiet, env=target_env)
    assert status == 2 and "not empty" in out, out

    # --- the restored installation starts (migrations on start) and serves the data --------
    async with running(target_env, tmp_path / "restored.log") as restored:
        secretary = await Remote(restored.base).login("thuky")  # the password hash came back
        try:
            status, body = await secretary.call("GET", f"/api/meetings/{made.meeting_id}")
            assert status == 200, body
            for doc, data in made.documents.items():
                status, got = await secretary.call("GET", f"/api/documents/{doc}/download")
                assert status == 200
                assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
            status, body = await secretary.call("GET", f"/api/meetings/{made.meeting_id}/votes")
            assert status == 200 and body["votes"][0]["results"]["Đồng ý"] == 2, body
        finally:
            await secretary.close()

    # --- the backup made during uploads restores to a consistent installation ---------------
    during: Installation = await new_installation("during")
    status, out = await run(
        RESTORE, busy, env=server_env(during.data_dir, during.port, during.database_url)
    )
    assert status == 0, out
    restored_rows = await table_rows(during.resolved_url)
    restored_files = store_digests(during.data_dir)
    versions = restored_rows["document_version"]
    assert len(made.documents) <= len(versions) <= len(rows["document_version"])
    digests = set(restored_files.values())
    for row in versions:
        sha256 = next(v for v in row if isinstance(v, str) and len(v) == 64)
        assert sha256 in digests  # every file the database names was in the archive, intact
    if not during.database_url:
        with contextlib.closing(sqlite3.connect(during.data_dir / "ecabinet.sqlite3")) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_restore_refuses_a_damaged_archive_and_the_wrong_database(
    tmp_path: Path,
) -> None:
    """Nothing is touched when the archive does not match its manifest."""
    data_dir = tmp_path / "empty"
    target_env = server_env(data_dir, 1)
    good = _tiny_backup(tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(good) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("documents/"):
                data = data[:-1] + b"!"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    status, out = await run(RESTORE, damaged, env=target_env)
    assert status == 2 and "damaged" in out, out
    assert not (data_dir / "ecabinet.sqlite3").exists()

    pg_env = {**target_env, "ECABINET_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1/x"}
    status, out = await run(RESTORE, good, env=pg_env)
    assert status == 2, out

    newer = _tiny_backup(tmp_path, revision="9999")  # made by a later eCabinet
    status, out = await run(RESTORE, newer, env=target_env)
    assert status == 2 and "newer version" in out, out
    assert not (data_dir / "ecabinet.sqlite3").exists()


def _tiny_backup(tmp_path: Path, revision: str = "0001") -> Path:
    """A valid archive made by hand: one SQLite database and one document file."""
    db = tmp_path / f"tiny-{revision}.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
        conn.commit()
    blob = b"%PDF-1.4 tiny"
    sha = hashlib.sha256(blob).hexdigest()
    files = {
        "database/ecabinet.sqlite3": db.read_bytes(),
        f"documents/blobs/{sha[:2]}/{sha[2:4]}/{sha}": blob,
    }
    manifest = {
        "format": "ecabinet-backup",
        "format_version": 1,
        "created_at": "2030-01-01T00:00:00+00:00",
        "database": {"kind": "sqlite", "revision": revision, "file": "database/ecabinet.sqlite3"},
        "files": {
            n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in files.items()
        },
    }
    files["manifest.json"] = json.dumps(manifest).encode()
    out = tmp_path / f"tiny-{revision}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def tree_digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
