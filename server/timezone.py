"""Times are stored in UTC and shown in Vietnam's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE_NAME = "Asia/Ho_Chi_Minh"
LOCAL = ZoneInfo(LOCAL_ZONE_NAME)


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL)


def show(moment: datetime) -> str:
    """08:00 ngày 05/12/2026 — how Vietnamese administrative texts write a time."""
    at = local(moment)
    return f"{at:%H:%M} ngày {at:%d/%m/%Y}"


def show_en(moment: datetime) -> str:
    return f"{local(moment):%H:%M, %d %b %Y} (UTC+7)"
