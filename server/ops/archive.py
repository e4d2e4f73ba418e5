"""The backup archive: one tar.gz holding the database and the document store, and a manifest.

    database/ecabinet.sqlite3          SQLite: a copy made with the online backup API
    database/ecabinet.pgdump           PostgreSQL: pg_dump's custom format
    documents/blobs/ab/cd/<sha256>     the document store's files (named by their sha256)
    pki/...                            the demo's signing certificates, when it made them
    manifest.json                      last: what is in it, with the sha256 and size of each file

Derived files (watermarked copies) and temporary uploads are not kept: they are remade.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

FORMAT = "ecabinet-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database/ecabinet.sqlite3", "postgresql": "database/ecabinet.pgdump"}
BLOBS = "documents/blobs"
BLOB_NAME = re.compile(r"documents/blobs/([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})")
# Small directories of the data directory kept whole (names without path tricks).
KEPT_DIRS = ("pki",)
KEPT_NAME = re.compile(r"(pki)/((?:[A-Za-z0-9_][A-Za-z0-9._-]*/)*[A-Za-z0-9_][A-Za-z0-9._-]*)")
CHUNK = 1024 * 1024
ARCHIVE_NAME = re.compile(r"ecabinet-\d{8}-\d{6}(-[\w.-]+)?\.tar\.gz")


def blob_member(sha256: str) -> str:
    return f"{BLOBS}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def allowed_member(name: str) -> bool:
    return (
        name == MANIFEST
        or name in DATABASE_FILES.values()
        or BLOB_NAME.fullmatch(name) is not None
        or KEPT_NAME.fullmatch(name) is not None
    )


@dataclass
class Manifest:
    created_at: str
    database: dict[str, Any]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)
    app_version: str = ""
    host: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "host": self.host,
            "database": self.database,
            "documents": self.documents,
            "files": self.files,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise ValueError("not an eCabinet backup (no eCabinet manifest)")
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"backup format version {data.get('format_version')} is not known")
        return cls(
            created_at=data["created_at"],
            database=data["database"],
            files=data["files"],
            documents=data.get("documents", {}),
            app_version=data.get("app_version", ""),
            host=data.get("host", ""),
        )


class HashingReader:
    """Reads a file for tarfile while hashing it; refuses to give more than `size` bytes."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.digest.update(data)
        self.count += len(data)
        return data


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
