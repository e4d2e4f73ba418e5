"""HTTP views of the live meeting: the record of its votes (with names for open votes)."""

from __future__ import annotations

from aiohttp import web

from server.api.base import context, out, path_id
from server.schemas.live import BallotOut, VoteList, VoteOut
from server.services import users
from server.services.live import votes


async def list_votes(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        rows = await votes.list_votes(ctx, path_id(request))
        people = await users.directory(
            ctx,
            {b.cast_by for _, _, bs in rows for b in bs}
            | {
                int(b.voter_key.split(":")[1])
                for _, _, bs in rows
                for b in bs
                if b.voter_key.startswith("user:")
            },
        )
        unit_names = await users.unit_names(ctx)

    def voter_name(key: str) -> str:
        kind, raw = key.split(":", 1)
        if kind == "site":
            return unit_names.get(int(raw), raw)
        person = people.get(int(raw))
        return person.full_name if person else raw

    return out(
        VoteList(
            votes=[
                VoteOut(
                    id=v.id or 0,
                    item_id=v.item_id,
                    question=v.question,
                    options=v.options,
                    secret=v.secret,
                    allow_change=v.allow_change,
                    sites_vote=v.sites_vote,
                    status=v.status,
                    deadline=v.deadline,
                    opened_at=v.opened_at,
                    closed_at=v.closed_at,
                    eligible=v.eligible,
                    cast=cast,
                    results=v.results,
                    ballots=None
                    if v.secret or v.status != votes.CLOSED
                    else [
                        BallotOut(
                            voter=voter_name(b.voter_key),
                            cast_by=people[b.cast_by].full_name if b.cast_by in people else "?",
                            choice=b.choice,
                            cast_at=b.cast_at,
                        )
                        for b in ballots
                    ],
                )
                for v, cast, ballots in rows
            ]
        )
    )
