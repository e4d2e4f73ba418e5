"""Votes (biểu quyết): one ballot per eligible voter, enforced by the database.

An open vote writes a ballot per voter (voter, choice). A secret vote writes only that the
voter took part (for the one-ballot rule) and adds one to its choice's counter, in the same
transaction: the database holds no link between a voter and a choice, so none can be rebuilt.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select, update

from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.permissions import MeetingAction, MeetingRole, Permission
from server.schemas.live import VoteOpenIn
from server.services import Context, audit, invitations, operation
from server.services.live import access
from server.services.live.events import emit_to_all
from server.services.meeting_access import MeetingView
from storage.models import (
    Answer,
    Ballot,
    Invitation,
    InviteeKind,
    Vote,
    VoteParticipation,
    VoteTally,
)
from storage.types import utcnow

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class Voter:
    key: str  # user:<member id> or site:<unit id>: one ballot per key
    name_user_id: int  # whose name the ballot is in


def _eligible_keys(rows: list[Invitation], vote: Vote, chair_id: int | None) -> set[str]:
    keys = {f"user:{r.user_id}" for r in rows if r.kind == InviteeKind.PERSON.value and r.voting}
    if vote.sites_vote:
        keys |= {f"site:{r.unit_id}" for r in rows if r.kind == InviteeKind.SITE.value}
    if chair_id:
        keys.add(f"user:{chair_id}")
    return keys


def voter_for(view: MeetingView, rows: list[Invitation], vote: Vote, user_id: int) -> Voter:
    """Who the actor votes as: themselves, the member they substitute for, or their commune."""
    own = view.invitation
    if own is not None and own.kind == InviteeKind.SITE.value:
        if vote.sites_vote:
            return Voter(f"site:{own.unit_id}", user_id)
    elif own is not None and own.voting and own.answer != Answer.DELEGATED.value:
        return Voter(f"user:{user_id}", user_id)
    for inv in rows:
        if inv.substitute_id == user_id and inv.answer == Answer.DELEGATED.value and inv.voting:
            return Voter(f"user:{inv.user_id}", inv.user_id)  # the substitute votes for the member
    if MeetingRole.CHAIR in view.roles and own is None:
        return Voter(f"user:{user_id}", user_id)
    raise Forbidden(
        "not_eligible",
        vi="Bạn không có quyền biểu quyết trong lượt này.",
        en="You are not eligible to vote in this vote.",
    )


async def _vote(ctx: Context, meeting_id: int, vote_id: int) -> Vote:
    vote = await ctx.db.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting_id:
        raise NotFound("vote_not_found", vi="Không tìm thấy lượt biểu quyết.", en="No such vote.")
    return vote


async def cast_count(ctx: Context, vote: Vote) -> int:
    table = VoteParticipation if vote.secret else Ballot
    query = select(func.count()).select_from(table).where(table.vote_id == vote.id)
    return int((await ctx.db.exec(query)).one())


async def open_vote(ctx: Context, meeting_id: int) -> Vote | None:
    query = select(Vote).where(Vote.meeting_id == meeting_id, Vote.status == OPEN)
    return (await ctx.db.exec(query)).first()


@operation("live.open_vote", Permission.AUTHENTICATED)
async def open_(ctx: Context, meeting_id: int, data: VoteOpenIn) -> Vote:
    view = await access.load(ctx, meeting_id, MeetingAction.CHAIR)
    access.require_live(view, running=True)
    if await open_vote(ctx, meeting_id) is not None:
        raise Conflict(
            "vote_already_open",
            vi="Đang có một lượt biểu quyết chưa kết thúc.",
            en="Another vote is still open.",
        )
    if data.secret and data.allow_change:
        raise Invalid(
            "secret_vote_final",
            vi="Biểu quyết kín không cho phép sửa phiếu.",
            en="A secret ballot cannot be changed once cast.",
        )
    live = await access.state_of(ctx, meeting_id)
    vote = Vote(
        meeting_id=meeting_id,
        item_id=live.current_item_id,
        question=data.question,
        options=data.options,
        secret=data.secret,
        allow_change=data.allow_change,
        sites_vote=data.sites_vote,
        deadline=data.deadline,
        opened_by=ctx.user.user_id,
    )
    rows = await invitations.all_of(ctx, meeting_id)
    vote.eligible = len(_eligible_keys(rows, vote, view.meeting.chair_id))
    ctx.db.add(vote)
    await ctx.db.flush()
    if vote.secret:
        for option in vote.options:
            ctx.db.add(VoteTally(vote_id=vote.id or 0, choice=option, count=0))
    audit.record(ctx, "vote", vote.id, data.model_dump(mode="json"))
    emit_to_all(ctx, meeting_id, "vote.opened", summary(vote, 0))
    return vote


@operation("live.cast_vote", Permission.AUTHENTICATED)
async def cast(ctx: Context, meeting_id: int, vote_id: int, choice: str) -> int:
    view = await access.load(ctx, meeting_id, MeetingAction.VOTE)
    vote = await _vote(ctx, meeting_id, vote_id)
    if vote.status != OPEN or (vote.deadline is not None and vote.deadline <= utcnow()):
        raise Conflict("vote_closed", vi="Lượt biểu quyết đã kết thúc.", en="This vote is closed.")
    if choice not in vote.options:
        raise Invalid(
            "bad_choice",
            vi="Lựa chọn không có trong phiếu.",
            en="That choice is not on the ballot.",
        )
    voter = voter_for(view, await invitations.all_of(ctx, meeting_id), vote, ctx.user.user_id)
    try:
        await (
            _cast_secret(ctx, vote, voter, choice)
            if vote.secret
            else _cast_open(ctx, vote, voter, choice)
        )
    except IntegrityError as exc:
        await ctx.db.rollback()
        raise already_voted() from exc
    count = await cast_count(ctx, vote)
    emit_to_all(
        ctx,
        meeting_id,
        "vote.count",
        {"vote_id": vote.id, "cast": count, "eligible": vote.eligible},
    )
    return count


def already_voted() -> Conflict:
    return Conflict(
        "already_voted",
        vi="Phiếu của bạn đã được ghi nhận; mỗi người chỉ bỏ một phiếu.",
        en="Your ballot is already counted; everyone votes once.",
    )


async def _cast_open(ctx: Context, vote: Vote, voter: Voter, choice: str) -> None:
    existing = (
        await ctx.db.exec(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter_key == voter.key)
        )
    ).first()
    if existing is not None:
        if not vote.allow_change:
            raise already_voted()
        existing.choice, existing.cast_by, existing.cast_at = choice, ctx.user.user_id, utcnow()
        ctx.db.add(existing)
    else:
        ctx.db.add(
            Ballot(
                vote_id=vote.id or 0, voter_key=voter.key, cast_by=ctx.user.user_id, choice=choice
            )
        )
    await ctx.db.flush()  # the unique index refuses a second ballot from another connection
    audit.record(ctx, "vote", vote.id, {"voter": voter.key, "choice": choice})


async def _cast_secret(ctx: Context, vote: Vote, voter: Voter, choice: str) -> None:
    ctx.db.add(VoteParticipation(vote_id=vote.id or 0, voter_key=voter.key))
    await ctx.db.flush()  # the primary key refuses a second participation
    await ctx.db.exec(
        update(VoteTally)
        .where(col(VoteTally.vote_id) == vote.id, col(VoteTally.choice) == choice)
        .values(count=VoteTally.count + 1)
    )
    audit.record(ctx, "vote", vote.id, {"voter": voter.key})  # who took part, never the choice


async def results_of(ctx: Context, vote: Vote) -> dict[str, int]:
    if vote.secret:
        rows = (await ctx.db.exec(select(VoteTally).where(VoteTally.vote_id == vote.id))).all()
        counted = {r.choice: r.count for r in rows}
    else:
        ballots = (await ctx.db.exec(select(Ballot.choice).where(Ballot.vote_id == vote.id))).all()
        counted = dict(Counter(ballots))
    return {option: counted.get(option, 0) for option in vote.options}


async def _close(ctx: Context, vote: Vote) -> None:
    vote.status, vote.closed_at = CLOSED, utcnow()
    vote.results = await results_of(ctx, vote)
    ctx.db.add(vote)
    emit_to_all(ctx, vote.meeting_id, "vote.closed", summary(vote, sum(vote.results.values())))


@operation("live.close_vote", Permission.AUTHENTICATED)
async def close(ctx: Context, meeting_id: int, vote_id: int) -> Vote:
    view = await access.load(ctx, meeting_id, MeetingAction.CHAIR)
    access.require_live(view)
    vote = await _vote(ctx, meeting_id, vote_id)
    claimed = await ctx.db.exec(
        update(Vote).where(col(Vote.id) == vote_id, col(Vote.status) == OPEN).values(status=CLOSED)
    )
    if not claimed.rowcount:
        raise Conflict("vote_closed", vi="Lượt biểu quyết đã kết thúc.", en="This vote is closed.")
    await ctx.db.refresh(vote)
    await _close(ctx, vote)
    audit.record(ctx, "vote", vote_id, {"results": vote.results})
    return vote


async def close_overdue(ctx: Context) -> list[int]:
    """Close votes whose deadline passed (each once, whichever process sees it first)."""
    due = (
        await ctx.db.exec(select(Vote).where(Vote.status == OPEN, col(Vote.deadline) <= utcnow()))
    ).all()
    closed = []
    for vote in due:
        claimed = await ctx.db.exec(
            update(Vote)
            .where(col(Vote.id) == vote.id, col(Vote.status) == OPEN)
            .values(status=CLOSED)
        )
        if claimed.rowcount:
            await ctx.db.refresh(vote)
            await _close(ctx, vote)
            closed.append(vote.id or 0)
    await ctx.db.commit()
    await ctx.flush_events()
    return closed


def summary(vote: Vote, cast: int) -> dict[str, object]:
    return {
        "id": vote.id,
        "item_id": vote.item_id,
        "question": vote.question,
        "options": vote.options,
        "secret": vote.secret,
        "allow_change": vote.allow_change,
        "sites_vote": vote.sites_vote,
        "status": vote.status,
        "deadline": vote.deadline.isoformat() if vote.deadline else None,
        "opened_at": vote.opened_at.isoformat(),
        "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
        "eligible": vote.eligible,
        "cast": cast,
        "results": vote.results,
    }


@operation("live.votes", Permission.AUTHENTICATED)
async def list_votes(ctx: Context, meeting_id: int) -> list[tuple[Vote, int, list[Ballot]]]:
    """Every vote of the meeting; names of open votes' ballots once closed (for export)."""
    await access.load(ctx, meeting_id, MeetingAction.READ)
    votes = (
        await ctx.db.exec(select(Vote).where(Vote.meeting_id == meeting_id).order_by(col(Vote.id)))
    ).all()
    out = []
    for vote in votes:
        ballots: list[Ballot] = []
        if not vote.secret and vote.status == CLOSED:
            ballots = list(
                (
                    await ctx.db.exec(
                        select(Ballot)
                        .where(Ballot.vote_id == vote.id)
                        .order_by(col(Ballot.cast_at))
                    )
                ).all()
            )
        out.append((vote, await cast_count(ctx, vote), ballots))
    return out


async def my_ballot(ctx: Context, view: MeetingView, vote: Vote) -> str | None:
    """What the actor chose in an open vote (None if not voted, or if the vote is secret)."""
    try:
        voter = voter_for(
            view, await invitations.all_of(ctx, vote.meeting_id), vote, ctx.user.user_id
        )
    except Forbidden:
        return None
    if vote.secret:
        taken = await ctx.db.get(VoteParticipation, (vote.id, voter.key))
        return "secret" if taken else None
    ballot = (
        await ctx.db.exec(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter_key == voter.key)
        )
    ).first()
    return ballot.choice if ballot else None


async def closed_votes(ctx: Context, meeting_id: int) -> list[tuple[Vote, list[Ballot]]]:
    """The meeting's closed votes with their open ballots (none for secret votes): the minutes."""
    found = (
        await ctx.db.exec(
            select(Vote)
            .where(Vote.meeting_id == meeting_id, Vote.status == CLOSED)
            .order_by(col(Vote.id))
        )
    ).all()
    out = []
    for vote in found:
        ballots = (
            []
            if vote.secret
            else list(
                (
                    await ctx.db.exec(
                        select(Ballot)
                        .where(Ballot.vote_id == vote.id)
                        .order_by(col(Ballot.cast_at))
                    )
                ).all()
            )
        )
        out.append((vote, ballots))
    return out
