"""Bulk import of users from a CSV file (UTF-8, Vietnamese names), all rows or none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import select

from server.errors import Invalid
from server.permissions import Permission
from server.schemas import UserIn
from server.services import Context, audit, operation, passwords
from server.validation import describe
from storage.models import Unit, User

REQUIRED = ("username", "full_name", "unit_code", "roles")
OPTIONAL = ("email", "title", "password")
# Hashing is the slow part (~50 ms a row); this keeps one import under a couple of minutes.
MAX_ROWS = 2000


@dataclass
class RowError:
    row: int  # the line number in the file, header = 1
    errors: list[str]


def _invalid(vi: str, en: str, rows: list[RowError] | None = None) -> Invalid:
    details = {"rows": [{"row": r.row, "errors": r.errors} for r in rows]} if rows else None
    return Invalid("import_invalid", vi=vi, en=en, details=details)


def _read(raw: bytes) -> list[dict[str, str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid(
            "Tệp không phải UTF-8. Hãy lưu lại dưới dạng “CSV UTF-8”.",
            "The file is not UTF-8. Save it again as “CSV UTF-8”.",
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise _invalid(
            f"Thiếu cột: {', '.join(missing)}. Cần có: {', '.join(REQUIRED + OPTIONAL)}.",
            f"Missing columns: {', '.join(missing)}. Expected: {', '.join(REQUIRED + OPTIONAL)}.",
        )
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in r.items() if k} for r in reader]
    if not rows:
        raise _invalid("Tệp không có dòng dữ liệu nào.", "The file has no data rows.")
    if len(rows) > MAX_ROWS:
        raise _invalid(
            f"Tệp có {len(rows)} dòng; tối đa {MAX_ROWS} dòng mỗi lần.",
            f"The file has {len(rows)} rows; at most {MAX_ROWS} per import.",
        )
    return rows


def _field_errors(exc: ValidationError, lang: str) -> list[str]:
    label = "Cột" if lang == "vi" else "Column"
    return [f"{label} {f['field']}: {f['problem']}" for f in describe(exc, lang)]


def _parse_row(
    raw: dict[str, str], units: dict[str, int], lang: str
) -> tuple[UserIn | None, list[str]]:
    errors: list[str] = []
    unit_id = units.get(raw.get("unit_code", ""))
    if unit_id is None:
        errors.append(
            f"Mã đơn vị “{raw.get('unit_code', '')}” không tồn tại."
            if lang == "vi"
            else f"Unit code “{raw.get('unit_code', '')}” does not exist."
        )
    try:
        data = UserIn(
            username=raw.get("username", ""),
            full_name=raw.get("full_name", ""),
            unit_id=unit_id or 0,
            roles=[r.strip() for r in raw.get("roles", "").split(";") if r.strip()],
            email=raw.get("email") or None,
            title=raw.get("title") or None,
            password=raw.get("password") or None,
        )
    except ValidationError as exc:
        return None, errors + _field_errors(exc, lang)
    return (data if not errors else None), errors


async def _validate(ctx: Context, rows: list[dict[str, str]]) -> list[UserIn]:
    units = {u.code: u.id for u in (await ctx.db.exec(select(Unit))).all() if not u.disabled}
    taken = set((await ctx.db.exec(select(User.username))).all())
    parsed: list[UserIn] = []
    problems: list[RowError] = []
    for line, raw in enumerate(rows, start=2):
        data, errors = _parse_row(raw, units, ctx.lang)  # type: ignore[arg-type]
        if data is not None and data.username in taken:
            errors.append(
                f"Tên đăng nhập “{data.username}” đã tồn tại."
                if ctx.lang == "vi"
                else f"The username “{data.username}” already exists."
            )
        if data is not None:
            taken.add(data.username)
        if errors:
            problems.append(RowError(line, errors))
        elif data is not None:
            parsed.append(data)
    if problems:
        raise _invalid(
            f"{len(problems)} dòng có lỗi; chưa nhập người dùng nào.",
            f"{len(problems)} rows have errors; no user was imported.",
            problems,
        )
    return parsed


@operation("user.import", Permission.USER_MANAGE)
async def import_users(ctx: Context, raw: bytes) -> list[tuple[User, str | None]]:
    """Create every row's user; returns each with its generated password (None if the file
    gave one: the admin already knows it, and it should not travel back)."""
    created: list[tuple[User, str | None]] = []
    for data in await _validate(ctx, _read(raw)):
        generated = None if data.password else passwords.generate()
        password = data.password or generated or ""
        user = User(
            username=data.username,
            full_name=data.full_name,
            unit_id=data.unit_id,
            roles=[r.value for r in data.roles],
            email=data.email,
            title=data.title,
            password_hash=await passwords.hash_password(password),
        )
        ctx.db.add(user)
        created.append((user, generated))
    await ctx.db.flush()
    audit.record(ctx, "user", None, {"created": [u.username for u, _ in created]})
    return created
