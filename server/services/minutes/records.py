"""The minutes and the conclusion notice of a meeting: draft, edit, sign, distribute, verify.

Drafts are JSON (storage.minutes.Minutes / ConclusionNotice); the PDF is rendered when asked
for a preview and when signed. Signed versions are final: a correction is a new version,
signed again. Only the meeting's chair signs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from server.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from server.permissions import MeetingAction, MeetingRole, Permission
from server.services import Context, audit, invitations, meeting_access, notify, operation, users
from server.services.documents.resources import store_bytes
from server.services.minutes.collect import draft_minutes
from server.services.notify import Message
from storage.minutes import (
    ConclusionNotice,
    InvalidMinutes,
    Minutes,
    MinutesError,
    Pkcs12Signer,
    Verification,
    aio,
    draft_notice,
)
from storage.minutes.credentials import load_credentials
from storage.models import MeetingOrganiser, MeetingStatus, MinutesRecord
from storage.types import utcnow

KINDS = ("minutes", "notice")
LABELS = {"minutes": "Biên bản", "notice": "Thông báo kết luận"}

AFTER = (MeetingStatus.ENDED, MeetingStatus.ARCHIVED)


@dataclass(frozen=True)
class Signing:
    """Where the unit's certificate is (the chair types its password) and which CAs to trust."""

    p12: Path | None
    trust_roots: tuple[Path, ...]


def minutes_error(exc: MinutesError) -> DomainError:
    return DomainError(exc.code, vi=exc.vi, en=exc.en, status=exc.status, details=exc.details)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound("minutes_kind", vi="Không có loại văn bản này.", en="No such document kind.")
    return kind


async def latest(ctx: Context, meeting_id: int, kind: str) -> MinutesRecord | None:
    query = select(MinutesRecord).where(
        MinutesRecord.meeting_id == meeting_id, MinutesRecord.kind == kind
    )
    return (await ctx.db.exec(query.order_by(col(MinutesRecord.version).desc()))).first()


async def _fresh_content(ctx: Context, meeting_id: int, kind: str) -> dict[str, Any]:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    minutes = await draft_minutes(ctx, view.meeting)
    if kind == "minutes":
        return minutes.to_dict()
    base = await latest(ctx, meeting_id, "minutes")  # the notice follows the edited minutes
    if base is not None:
        minutes = Minutes.from_dict(base.content)
    return draft_notice(minutes).to_dict()


@operation("minutes.draft", Permission.AUTHENTICATED)
async def draft(ctx: Context, meeting_id: int, kind: str) -> MinutesRecord:
    """The current version; the first call after the meeting drafts it from the record."""
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.ATTENDANCE)
    meeting_access.require_status(view.meeting, *AFTER)
    record = await latest(ctx, meeting_id, _kind(kind))
    if record is not None:
        return record
    if MeetingRole.ORGANISER not in view.roles:
        raise NotFound("minutes_not_drafted", vi="Thư ký chưa lập dự thảo.", en="Not drafted yet.")
    record = MinutesRecord(
        meeting_id=meeting_id,
        kind=kind,
        content=await _fresh_content(ctx, meeting_id, kind),
        created_by=ctx.user.user_id,
    )
    ctx.db.add(record)
    await ctx.db.flush()
    audit.record(ctx, "minutes", record.id, {"meeting_id": meeting_id, "kind": kind, "version": 1})
    return record


def parse(kind: str, content: Any) -> Minutes | ConclusionNotice:
    try:
        return (
            Minutes.from_dict(content) if kind == "minutes" else ConclusionNotice.from_dict(content)
        )
    except InvalidMinutes as exc:
        raise minutes_error(exc) from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise Invalid(
            "minutes_invalid", vi=f"Nội dung không hợp lệ: {exc}", en=f"Invalid content: {exc}"
        ) from exc


@operation("minutes.save", Permission.AUTHENTICATED)
async def save(ctx: Context, meeting_id: int, kind: str, content: dict[str, Any]) -> MinutesRecord:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(view.meeting, *AFTER)
    record = await latest(ctx, meeting_id, _kind(kind))
    if record is None:
        raise NotFound("minutes_not_drafted", vi="Chưa có dự thảo.", en="Not drafted yet.")
    if record.status == "signed":
        raise Conflict(
            "minutes_signed",
            vi="Văn bản đã ký là bản cuối; hãy tạo phiên bản mới để sửa.",
            en="A signed version is final; make a new version to correct it.",
        )
    parse(kind, content)
    record.content, record.updated_at = content, utcnow()
    ctx.db.add(record)
    audit.record(ctx, "minutes", record.id, {"saved": True})
    return record


@operation("minutes.new_version", Permission.AUTHENTICATED)
async def new_version(ctx: Context, meeting_id: int, kind: str) -> MinutesRecord:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(view.meeting, *AFTER)
    record = await latest(ctx, meeting_id, _kind(kind))
    if record is None or record.status != "signed":
        raise Conflict(
            "minutes_not_signed",
            vi="Bản hiện tại chưa ký; cứ sửa trực tiếp.",
            en="The current version is not signed; edit it directly.",
        )
    fresh = MinutesRecord(
        meeting_id=meeting_id,
        kind=kind,
        version=record.version + 1,
        content=record.content,
        created_by=ctx.user.user_id,
    )
    ctx.db.add(fresh)
    await ctx.db.flush()
    audit.record(ctx, "minutes", fresh.id, {"version": fresh.version, "corrects": record.id})
    return fresh


async def render(record: MinutesRecord) -> bytes:
    document = parse(record.kind, record.content)
    try:
        if isinstance(document, Minutes):
            return await aio.render_minutes(document)
        return await aio.render_notice(document)
    except MinutesError as exc:
        raise minutes_error(exc) from exc


@operation("minutes.preview", Permission.AUTHENTICATED)
async def preview(ctx: Context, meeting_id: int, kind: str) -> bytes:
    await meeting_access.load(ctx, meeting_id, MeetingAction.ATTENDANCE)
    record = await latest(ctx, meeting_id, _kind(kind))
    if record is None:
        raise NotFound("minutes_not_drafted", vi="Chưa có dự thảo.", en="Not drafted yet.")
    return await render(record)


@operation("minutes.sign", Permission.AUTHENTICATED)
async def sign(
    ctx: Context, meeting_id: int, kind: str, password: str, signing: Signing
) -> MinutesRecord:
    """The chair signs the current version (PAdES); participants are told and can download it."""
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    if MeetingRole.CHAIR not in view.roles:
        raise Forbidden(
            "not_the_chair",
            vi="Chỉ người chủ trì cuộc họp mới ký biên bản.",
            en="Only the meeting's chair signs.",
        )
    meeting_access.require_status(view.meeting, *AFTER)
    record = await latest(ctx, meeting_id, _kind(kind))
    if record is None:
        raise NotFound(
            "minutes_not_drafted", vi="Chưa có dự thảo để ký.", en="Nothing drafted to sign."
        )
    if record.status == "signed":
        raise Conflict(
            "minutes_signed", vi="Phiên bản này đã được ký.", en="This version is already signed."
        )
    if signing.p12 is None:
        raise Invalid(
            "no_certificate",
            vi="Đơn vị chưa cấu hình chứng thư số để ký.",
            en="No signing certificate is configured for the unit.",
        )
    signer = Pkcs12Signer(signing.p12, password)
    try:  # a wrong password answers at once, before the document is rendered
        await asyncio.to_thread(load_credentials, signer)
    except MinutesError as exc:
        raise minutes_error(exc) from exc
    pdf = await render(record)
    chair = (await users.directory(ctx, {ctx.user.user_id}))[ctx.user.user_id]
    try:
        signed = await aio.sign_pdf(
            pdf,
            signer,
            reason=_reason(kind),
            location=parse(kind, record.content).heading.place or "",
            signer_name=chair.full_name,
        )
    except MinutesError as exc:
        raise minutes_error(exc) from exc
    assert ctx.documents is not None
    stored = await store_bytes(ctx.documents.store, signed)
    record.status, record.signed_sha256 = "signed", stored
    record.signed_by, record.signed_at = ctx.user.user_id, utcnow()
    ctx.db.add(record)
    audit.record(ctx, "minutes", record.id, {"signed_sha256": stored, "version": record.version})
    # Participants, and the secretaries who prepared it (they may not be invitees).
    organisers = (
        await ctx.db.exec(
            select(MeetingOrganiser.user_id).where(MeetingOrganiser.meeting_id == meeting_id)
        )
    ).all()
    targets = await invitations.recipients(ctx, view.meeting) | set(organisers)
    await notify.send(
        ctx,
        view.meeting,
        targets,
        Message(
            f"{kind}.signed",
            f"{LABELS[kind]} đã ký: {view.meeting.title}",
            "Văn bản đã được chủ trì ký số; tải về từ trang cuộc họp.",
            params={"meeting": view.meeting.title},
        ),
    )
    return record


def _reason(kind: str) -> str:
    return "Ký biên bản cuộc họp" if kind == "minutes" else "Ký thông báo kết luận"


@operation("minutes.list", Permission.AUTHENTICATED)
async def list_records(ctx: Context, meeting_id: int) -> list[MinutesRecord]:
    """Runners see every version; participants see the signed ones."""
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    rows = list(
        (
            await ctx.db.exec(
                select(MinutesRecord)
                .where(MinutesRecord.meeting_id == meeting_id)
                .order_by(col(MinutesRecord.kind), col(MinutesRecord.version))
            )
        ).all()
    )
    if view.roles & {MeetingRole.ORGANISER, MeetingRole.CHAIR}:
        return rows
    return [r for r in rows if r.status == "signed"]


@operation("minutes.download", Permission.AUTHENTICATED)
async def signed_file(ctx: Context, record_id: int) -> tuple[MinutesRecord, Path]:
    record = await ctx.db.get(MinutesRecord, record_id)
    if record is None or record.status != "signed" or record.signed_sha256 is None:
        raise NotFound(
            "minutes_not_found", vi="Không có văn bản đã ký này.", en="No such signed document."
        )
    await meeting_access.load(ctx, record.meeting_id, MeetingAction.READ)
    assert ctx.documents is not None
    path = ctx.documents.store.local_path(record.signed_sha256)
    if path is None:
        raise NotFound("minutes_missing", vi="Tệp không còn trong kho.", en="The file is missing.")
    return record, path


async def verify(pdf: bytes, signing: Signing) -> Verification:
    """Anyone may check a downloaded PDF: intact? signed by whom? trusted?"""
    return await aio.verify_pdf(pdf, list(signing.trust_roots))
