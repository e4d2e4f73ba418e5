"""Who is what to a meeting, and the checks every meeting operation starts with.

A stranger gets "not found" rather than "forbidden": a confidential meeting must not even be
seen to exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, or_, select

from server.errors import Conflict, Forbidden, NotFound
from server.permissions import MeetingAction, MeetingRole, may
from server.services import Context
from storage.models import (
    Answer,
    Invitation,
    Meeting,
    MeetingAccess,
    MeetingOrganiser,
    MeetingStatus,
)


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    roles: frozenset[MeetingRole]
    invitation: Invitation | None  # the actor's own invitation, if any


def meeting_not_found(meeting_id: int) -> NotFound:
    return NotFound(
        "meeting_not_found",
        vi=f"Không tìm thấy cuộc họp số {meeting_id}, hoặc bạn không được mời.",
        en=f"Meeting {meeting_id} does not exist or you are not invited to it.",
    )


async def roles_in(
    ctx: Context, meeting: Meeting
) -> tuple[frozenset[MeetingRole], Invitation | None]:
    user_id = ctx.user.user_id
    roles: set[MeetingRole] = set()
    organiser = await ctx.db.get(MeetingOrganiser, (meeting.id, user_id))
    if organiser is not None:
        roles.add(MeetingRole.ORGANISER)
    if meeting.status == MeetingStatus.DRAFT.value:
        return frozenset(roles), None  # drafts are for their organisers only
    if meeting.chair_id == user_id:
        roles.add(MeetingRole.CHAIR)
    rows = (
        await ctx.db.exec(
            select(Invitation).where(
                Invitation.meeting_id == meeting.id,
                or_(Invitation.user_id == user_id, col(Invitation.substitute_id) == user_id),
            )
        )
    ).all()
    own = next((r for r in rows if r.user_id == user_id), None)
    if own is not None:
        roles.add(MeetingRole.INVITEE)
    substituting = [r for r in rows if r.substitute_id == user_id and r.answer == Answer.DELEGATED]
    if substituting and meeting.status != MeetingStatus.ARCHIVED.value:
        roles.add(MeetingRole.SUBSTITUTE)  # until the meeting is archived
    if meeting.access == MeetingAccess.OPEN.value:
        roles.add(MeetingRole.OBSERVER)
    return frozenset(roles), own


async def load(ctx: Context, meeting_id: int, action: MeetingAction) -> MeetingView:
    """The meeting if the actor may do `action` to it; 404 if they may not even read it."""
    meeting = await ctx.db.get(Meeting, meeting_id)
    if meeting is None:
        raise meeting_not_found(meeting_id)
    roles, own = await roles_in(ctx, meeting)
    if not may(roles, MeetingAction.READ):
        raise meeting_not_found(meeting_id)
    if not may(roles, action):
        raise refusal(action, roles)
    return MeetingView(meeting, roles, own)


def refusal(action: MeetingAction, roles: frozenset[MeetingRole]) -> Forbidden:
    return Forbidden(
        "meeting_forbidden",
        vi="Bạn không có quyền thực hiện thao tác này với cuộc họp.",
        en="You may not do this to this meeting.",
        details={"action": action.value, "your_roles": sorted(r.value for r in roles)},
    )


STATUS_VI = {
    "draft": "bản nháp",
    "published": "đã phát hành",
    "in_progress": "đang họp",
    "ended": "đã kết thúc",
    "archived": "đã lưu trữ",
    "cancelled": "đã hủy",
}


def require_status(meeting: Meeting, *allowed: MeetingStatus) -> None:
    """Refuse an operation the meeting's state does not allow, saying why."""
    if meeting.status in {s.value for s in allowed}:
        return
    if meeting.status == MeetingStatus.ARCHIVED.value:
        raise Conflict(
            "meeting_archived",
            vi="Cuộc họp đã lưu trữ; không thể thay đổi.",
            en="The meeting is archived and read-only.",
        )
    wanted = ", ".join(STATUS_VI[s.value] for s in allowed)
    raise Conflict(
        "meeting_wrong_status",
        vi=f"Cuộc họp đang ở trạng thái “{STATUS_VI[meeting.status]}”; "
        f"thao tác này chỉ làm được khi cuộc họp {wanted}.",
        en=f"The meeting is {meeting.status}; this can only be done when it is "
        f"{' or '.join(s.value for s in allowed)}.",
        details={"status": meeting.status, "allowed": [s.value for s in allowed]},
    )


async def visible_meeting_ids(ctx: Context) -> set[int]:
    """Every meeting the actor may read (for lists, calendars and search)."""
    user_id = ctx.user.user_id
    organised = set(
        (
            await ctx.db.exec(
                select(MeetingOrganiser.meeting_id).where(MeetingOrganiser.user_id == user_id)
            )
        ).all()
    )
    not_draft = col(Meeting.status) != MeetingStatus.DRAFT.value
    invited = set(
        (
            await ctx.db.exec(
                select(Invitation.meeting_id)
                .join(Meeting, col(Meeting.id) == Invitation.meeting_id)
                .where(not_draft)
                .where(
                    or_(
                        Invitation.user_id == user_id,
                        (col(Invitation.substitute_id) == user_id)
                        & (col(Invitation.answer) == Answer.DELEGATED.value)
                        & (col(Meeting.status) != MeetingStatus.ARCHIVED.value),
                    )
                )
            )
        ).all()
    )
    chaired_or_open = set(
        (
            await ctx.db.exec(
                select(Meeting.id).where(
                    not_draft,
                    or_(Meeting.chair_id == user_id, Meeting.access == MeetingAccess.OPEN.value),
                )
            )
        ).all()
    )
    return {i for i in organised | invited | chaired_or_open if i is not None}
