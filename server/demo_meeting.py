"""The scenario's meeting (shared/scenario.md), seeded through the real operations.

Seeding through the services — the secretary creates, invites and publishes; each commune
answers for itself — keeps the demo honest: audit log, notifications and all.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import select

from server.schemas.meetings import AgendaItemIn, AnswerIn, InviteIn, MeetingIn, SiteInvite
from server.services import Context, agenda, auth, invitations, meetings
from server.timezone import LOCAL
from storage.db import Database
from storage.models import Answer, MeetingKind, Unit, UnitKind, User

log = logging.getLogger("ecabinet.seed")

TITLE = "Hội nghị trực tuyến sơ kết công tác cải cách hành chính và chuyển đổi số quý IV năm 2026"
# (title, presenter username, minutes)
AGENDA = [
    ("Khai mạc, thông qua chương trình", "chutich", 10),
    ("Báo cáo kết quả ứng dụng CNTT trong cải cách hành chính", "tp.vanhoa", 25),
    ("Tình hình giải quyết hồ sơ qua Bộ phận Một cửa", "thuky", 20),
    ("Dự thảo Kế hoạch chuyển đổi số năm 2027 — góp ý của các xã", "tp.vanhoa", 45),
    ("Biểu quyết thông qua Kế hoạch", "chutich", 10),
    ("Kết luận hội nghị", "chutich", 15),
]
DECLINING_SITE = ("xa-tan-phu", "Mất điện lưới khu vực, điểm cầu không hoạt động được.")


def next_week_at_eight(now: datetime) -> datetime:
    day = (now.astimezone(LOCAL) + timedelta(days=7)).date()
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=LOCAL)


async def seed_meeting(database: Database, now: datetime) -> int:
    """Create, fill and publish the scenario meeting; communes answer. Returns its id."""
    async with database.session() as db:
        people = {u.username: u for u in (await db.exec(select(User))).all()}
        communes = [
            u for u in (await db.exec(select(Unit))).all() if u.kind == UnitKind.COMMUNE.value
        ]
        departments = [
            u for u in (await db.exec(select(Unit))).all() if u.kind == UnitKind.DEPARTMENT.value
        ]
        secretary = people["thuky"]
        ctx = Context(db=db, actor=auth.actor_of(secretary))
        starts = next_week_at_eight(now)
        meeting = await meetings.create(
            ctx,
            MeetingIn(
                title=TITLE,
                kind=MeetingKind.THEMATIC,
                location="Hội trường UBND huyện Châu Thành",
                online=True,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                chair_id=people["chutich"].id,
                description="Hội nghị trực tuyến với 13 điểm cầu xã, thị trấn.",
            ),
        )
        mid = meeting.id or 0
        for title, presenter, minutes in AGENDA:
            await agenda.add_item(
                ctx,
                mid,
                AgendaItemIn(
                    title=title, presenter_id=people[presenter].id, duration_minutes=minutes
                ),
            )
        await invitations.invite(
            ctx,
            mid,
            InviteIn(
                unit_ids=[d.id or 0 for d in departments if d.code != "vp-hdnd-ubnd"],
                user_ids=[people["ct.vinh-nhuan"].id or 0],
                sites=[SiteInvite(unit_id=c.id or 0) for c in communes],
                sites_vote=True,
            ),
        )
        await meetings.publish(ctx, mid)
    await _answers(database, mid, people, communes)
    log.info("seeded the demo meeting", extra={"meeting_id": mid})
    return mid


def _chairperson(people: dict[str, User], commune: Unit) -> str:
    return next(
        u.full_name
        for u in people.values()
        if u.unit_id == commune.id and (u.title or "").startswith("Chủ tịch")
    )


async def _answers(
    database: Database, mid: int, people: dict[str, User], communes: list[Unit]
) -> None:
    async def answer(username: str, data: AnswerIn) -> None:
        async with database.session() as db:
            await invitations.answer(
                Context(db=db, actor=auth.actor_of(people[username])), mid, data
            )

    for commune in communes:
        if commune.code == DECLINING_SITE[0]:
            await answer(commune.code, AnswerIn(answer=Answer.DECLINED, reason=DECLINING_SITE[1]))
            continue
        sitting = [_chairperson(people, commune)]
        if commune.code == "xa-vinh-nhuan":  # the chairperson sends the deputy (ủy quyền)
            sitting = [people["pct.vinh-nhuan"].full_name]
        await answer(commune.code, AnswerIn(answer=Answer.ATTENDING, attendees=sitting))
    await answer(
        "ct.vinh-nhuan",
        AnswerIn(answer=Answer.DELEGATED, substitute_id=people["pct.vinh-nhuan"].id),
    )
    await answer("tp.vanhoa", AnswerIn(answer=Answer.ATTENDING))
    await answer("tp.taichinh", AnswerIn(answer=Answer.ATTENDING))
