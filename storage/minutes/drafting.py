"""A first draft of the conclusion notice from the minutes: the secretary edits it from there.

The notice repeats the chair's conclusions item by item, with what each unit must do and by
when; the units become its "Nơi nhận".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

from storage.minutes.model import ConclusionNotice, Minutes, NoticeItem, Signatory
from storage.minutes.wording import long_date


def draft_notice(
    minutes: Minutes,
    *,
    number: str = "",
    issued_on: date | None = None,
    signatory: Signatory | None = None,
    recipients: Sequence[str] | None = None,
) -> ConclusionNotice:
    chair = minutes.chair
    chair_title = chair.title or "chủ tọa"
    items = [
        NoticeItem(item.title, item.conclusion, list(item.assignments))
        for item in minutes.items
        if item.conclusion or item.assignments
    ]
    return ConclusionNotice(
        heading=dataclasses.replace(
            minutes.heading,
            number=number,
            symbol=_notice_symbol(minutes.heading.symbol),
            issued_on=issued_on,
        ),
        title=f"Kết luận của {chair_title} tại {_lower_first(minutes.title)}",
        signatory=signatory or Signatory(chair.title or "Chủ tọa", chair.name),
        intro=(
            f"{long_date(minutes.meeting_date).capitalize()}, đồng chí {chair.name}, "
            f"{chair_title} chủ trì {_lower_first(minutes.title)}. Sau khi nghe báo cáo và ý kiến "
            f"của các đại biểu dự họp, {chair_title} kết luận như sau:"
        ),
        items=items,
        closing="Đề nghị các cơ quan, đơn vị có liên quan biết, thực hiện.",
        recipients=list(recipients) if recipients is not None else _recipients(items),
    )


def _notice_symbol(minutes_symbol: str) -> str:
    """ "BB-UBND" → "TB-UBND": same issuing unit, document type thông báo."""
    _, _, unit = minutes_symbol.partition("-")
    return f"TB-{unit}" if unit else "TB"


def _recipients(items: Sequence[NoticeItem]) -> list[str]:
    units = dict.fromkeys(u for item in items for a in item.assignments for u in a.units)
    return [*units, "Lưu: VT"]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
