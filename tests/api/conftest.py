"""Fixtures for the API tests."""

from __future__ import annotations

import pytest

from tests.api.meeting_helpers import ids, published


@pytest.fixture
async def doc_meeting(login_as) -> dict:
    secretary = await login_as("thuky")
    m = await published(secretary, ["tp.noivu", "tp.vanhoa"], ["xa-vinh-hanh"])
    people = await ids(secretary, "users")
    _, body = await secretary.post(
        f"/api/meetings/{m['id']}/agenda",
        json={
            "title": "Báo cáo ứng dụng CNTT",
            "duration_minutes": 25,
            "presenter_id": people["tp.vanhoa"],
        },
    )
    m["item"] = body["item"]["id"]
    return m
