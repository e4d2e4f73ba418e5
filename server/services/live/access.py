"""Loading a meeting for a live action: the meeting-level roles plus "presenter"."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from server.errors import Conflict
from server.permissions import MeetingAction, MeetingRole, may
from server.services import Context, meeting_access
from server.services.meeting_access import MeetingView
from storage.models import AgendaItem, MeetingLive, MeetingStatus

LIVE_STATUSES = (MeetingStatus.PUBLISHED, MeetingStatus.IN_PROGRESS)


async def state_of(ctx: Context, meeting_id: int) -> MeetingLive:
    live = await ctx.db.get(MeetingLive, meeting_id)
    if live is not None:
        return live
    try:
        # A savepoint: two first joins at the same moment must not undo each other's work.
        async with ctx.db.begin_nested():
            ctx.db.add(MeetingLive(meeting_id=meeting_id))
    except IntegrityError:
        pass  # the other one made it
    found = await ctx.db.get(MeetingLive, meeting_id, populate_existing=True)
    assert found is not None
    return found


async def load(ctx: Context, meeting_id: int, action: MeetingAction) -> MeetingView:
    """Like meeting_access.load, knowing who presents the current agenda item."""
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    roles = set(view.roles)
    live = await ctx.db.get(MeetingLive, meeting_id)
    if live is not None and live.current_item_id is not None:
        item = await ctx.db.get(AgendaItem, live.current_item_id)
        if item is not None and item.presenter_id == ctx.user.user_id:
            roles.add(MeetingRole.PRESENTER)
    view = MeetingView(view.meeting, frozenset(roles), view.invitation)
    if not may(view.roles, action):
        raise meeting_access.refusal(action, view.roles)
    return view


def require_live(view: MeetingView, *, running: bool = False) -> None:
    """Live actions need a published meeting; chairing actions need it started."""
    allowed = (MeetingStatus.IN_PROGRESS,) if running else LIVE_STATUSES
    if view.meeting.status not in {s.value for s in allowed}:
        if running and view.meeting.status == MeetingStatus.PUBLISHED.value:
            raise Conflict(
                "meeting_not_started",
                vi="Cuộc họp chưa bắt đầu; chủ trì cần bấm “Bắt đầu” trước.",
                en="The meeting has not started; the chair must start it first.",
            )
        meeting_access.require_status(view.meeting, *allowed)
