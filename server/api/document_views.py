"""Document rows to wire shapes."""

from __future__ import annotations

from server.schemas.documents import CommentOut, DocumentOut, VersionOut
from server.services.documents.library import Listed
from server.services.users import Person
from storage.models import Comment, DocumentVersion


def document_out(listed: Listed) -> DocumentOut:
    d, v, r = listed.document, listed.version, listed.receipt
    return DocumentOut(
        id=d.id or 0,
        meeting_id=d.meeting_id,
        agenda_item_id=d.agenda_item_id,
        title=d.title,
        confidentiality=d.confidentiality,
        version=d.version,
        pages=v.pages if v else 0,
        size=v.size if v else 0,
        file_name=v.file_name if v else "",
        uploaded_at=v.uploaded_at if v else None,
        changed_since_read=r is not None and r.version < d.version,
        read_at=r.last_opened_at if r else None,
        can_download=listed.can_download,
        access_until=d.access_until,
        revoked=d.revoked_at is not None,
        withdrawn=d.withdrawn_at is not None,
    )


def version_out(v: DocumentVersion, people: dict[int, Person]) -> VersionOut:
    who = people.get(v.uploaded_by)
    return VersionOut(
        number=v.number,
        pages=v.pages,
        size=v.size,
        file_name=v.file_name,
        source_kind=v.source_kind,
        uploaded_at=v.uploaded_at,
        uploaded_by_name=who.full_name if who else "?",
    )


def comment_out(
    c: Comment, people: dict[int, Person], units: dict[int, str], me: int
) -> CommentOut:
    who = people.get(c.user_id)
    return CommentOut(
        id=c.id or 0,
        page=c.page,
        text=c.text,
        user_name=who.full_name if who else "?",
        unit_name=units.get(c.unit_id, ""),
        created_at=c.created_at,
        mine=c.user_id == me,
    )
