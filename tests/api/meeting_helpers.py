"""Small builders for meeting tests, in the scenario's words."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Api

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Hội nghị trực tuyến sơ kết công tác cải cách hành chính và chuyển đổi số quý IV năm 2026"


def at(days: int, hour: int = 8, minute: int = 0) -> datetime:
    base = datetime.now(VN).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days)


async def ids(api: Api, kind: str) -> dict[str, int]:
    """username -> id (kind=users) or unit code -> id (kind=units), as the secretary sees them."""
    if kind == "units":
        _, body = await api.get("/api/units")
        return {u["code"]: u["id"] for u in body["units"]}
    _, body = await api.get("/api/users")
    return {u["username"]: u["id"] for u in body["users"]}


async def draft(api: Api, **overrides: Any) -> dict[str, Any]:
    people = await ids(api, "users")
    body = {
        "title": TITLE,
        "kind": "thematic",
        "access": "restricted",
        "online": True,
        "location": "Hội trường UBND huyện",
        "starts_at": at(7).isoformat(),
        "ends_at": at(7, 11).isoformat(),
        "chair_id": people["chutich"],
    }
    body.update(overrides)
    status, answer = await api.post("/api/meetings", json=body)
    assert status == 201, answer
    return answer["meeting"]


async def invite(api: Api, meeting_id: int, **payload: Any) -> dict[str, Any]:
    status, answer = await api.post(f"/api/meetings/{meeting_id}/invitations", json=payload)
    assert status == 200, answer
    return answer


async def published(
    api: Api, usernames: list[str], site_codes: list[str] = (), **overrides: Any
) -> dict[str, Any]:
    meeting = await draft(api, **overrides)
    people = await ids(api, "users")
    units = await ids(api, "units")
    await invite(
        api,
        meeting["id"],
        user_ids=[people[u] for u in usernames],
        sites=[{"unit_id": units[c]} for c in site_codes],
    )
    status, answer = await api.post(f"/api/meetings/{meeting['id']}/publish")
    assert status == 200, answer
    return answer["meeting"]
