"""Who may do what to a document — one place, next to the meeting's rules.

Strangers get 404 (a document of a confidential meeting must not be seen to exist); readers
who may not do a particular thing get 403 with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.errors import Forbidden, NotFound
from server.permissions import DocumentAction, MeetingAction, MeetingRole, may_document
from server.services import Context, meeting_access
from server.services.meeting_access import MeetingView
from storage.models import AgendaItem, Confidentiality, Document
from storage.types import utcnow


@dataclass(frozen=True)
class DocumentView:
    document: Document
    meeting: MeetingView
    roles: frozenset[MeetingRole]

    @property
    def organiser(self) -> bool:
        return MeetingRole.ORGANISER in self.roles

    @property
    def secret(self) -> bool:
        return self.document.confidentiality == Confidentiality.SECRET.value

    @property
    def can_download(self) -> bool:
        return self.document.confidentiality != Confidentiality.RESTRICTED.value


def document_not_found(document_id: int) -> NotFound:
    return NotFound(
        "document_not_found",
        vi=f"Không tìm thấy tài liệu số {document_id}, hoặc bạn không được xem.",
        en=f"Document {document_id} does not exist or you may not see it.",
    )


async def roles_for(
    ctx: Context, view: MeetingView, document: Document | None
) -> frozenset[MeetingRole]:
    """The meeting roles, plus presenter of the item the document belongs to."""
    roles = set(view.roles)
    if document is not None and document.agenda_item_id is not None:
        item = await ctx.db.get(AgendaItem, document.agenda_item_id)
        if item is not None and item.presenter_id == ctx.user.user_id:
            roles.add(MeetingRole.PRESENTER)
    return frozenset(roles)


def _still_open(document: Document) -> Forbidden | None:
    """A secret document's access ends when revoked or when its time is up."""
    if document.confidentiality != Confidentiality.SECRET.value:
        return None
    if document.revoked_at is not None:
        return Forbidden(
            "document_revoked",
            vi="Quyền xem tài liệu mật này đã bị thu hồi.",
            en="Access to this secret document has been revoked.",
        )
    if document.access_until is not None and document.access_until <= utcnow():
        return Forbidden(
            "document_expired",
            vi="Thời hạn xem tài liệu mật này đã hết.",
            en="The time allowed to read this secret document is over.",
        )
    return None


async def load(ctx: Context, document_id: int, action: DocumentAction) -> DocumentView:
    document = await ctx.db.get(Document, document_id)
    if document is None:
        raise document_not_found(document_id)
    try:
        meeting = await meeting_access.load(ctx, document.meeting_id, MeetingAction.READ)
    except NotFound as exc:
        raise document_not_found(document_id) from exc
    roles = await roles_for(ctx, meeting, document)
    view = DocumentView(document, meeting, roles)
    if not view.organiser:
        if document.withdrawn_at is not None:
            raise document_not_found(document_id)
        if view.secret and not may_document(roles, DocumentAction.READ_SECRET):
            raise document_not_found(document_id)
        closed = _still_open(document)
        if closed is not None:
            raise closed
    if not may_document(roles, action):
        raise refusal(action)
    return view


def refusal(action: DocumentAction) -> Forbidden:
    return Forbidden(
        "document_forbidden",
        vi="Bạn không có quyền thực hiện thao tác này với tài liệu.",
        en="You may not do this to this document.",
        details={"action": action.value},
    )


def visible_to(view: MeetingView, document: Document) -> bool:
    """For lists: the same rules as `load`, without raising."""
    if MeetingRole.ORGANISER in view.roles:
        return True
    if document.withdrawn_at is not None:
        return False
    if document.confidentiality == Confidentiality.SECRET.value:
        return (
            may_document(view.roles, DocumentAction.READ_SECRET) and _still_open(document) is None
        )
    return True
