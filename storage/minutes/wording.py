"""How Vietnamese administrative documents write dates, times, counts and recurring phrases."""

from __future__ import annotations

import unicodedata
from datetime import date, time
from zoneinfo import ZoneInfo

# The zone every document shows its times in.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def nfc(text: str) -> str:
    """Composed form: a browser may send "ế" as e + two combining marks; the fonts draw "ế"."""
    return unicodedata.normalize("NFC", text)


def upper(text: str) -> str:
    # str.upper maps every Vietnamese letter correctly (đ→Đ, ư→Ư, ỹ→Ỹ) once composed.
    return nfc(text).upper()


def place_and_date(place: str, day: date | None) -> str:
    """ "Châu Thành, ngày 29 tháng 11 năm 2026", the line under the national motto."""
    when = long_date(day)
    return f"{place}, {when}" if place else when[0].upper() + when[1:]


def long_date(day: date | None) -> str:
    """ "ngày 05 tháng 01 năm 2026": days below 10 and months 1-2 get a leading 0 (Nghị định
    30/2020/NĐ-CP, Phụ lục I) so that nobody can add a digit later. A draft without a date
    leaves room for it to be written in by hand."""
    if day is None:
        return "ngày      tháng      năm"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def clock(at: time) -> str:
    """ "08 giờ 30 phút" as minutes write the start and end of a meeting."""
    return f"{at.hour:02d} giờ {at.minute:02d} phút"


def short_clock(at: time) -> str:
    """ "08:30" for speaking times in lists."""
    return f"{at.hour:02d}:{at.minute:02d}"


def short_date(day: date) -> str:
    """ "31/12/2026" for due dates in tables."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def percent(count: int, of: int) -> str:
    """ "66,67%": Vietnamese writes the decimal comma; empty when the base is unknown."""
    if of <= 0:
        return ""
    value = f"{100 * count / of:.2f}".rstrip("0").rstrip(".")
    return value.replace(".", ",") + "%"


# SpeechRequest.position as the live meeting records it → the word minutes use.
POSITIONS = {
    "for": "Tán thành",
    "against": "Không tán thành",
    "question": "Đặt câu hỏi",
    "": "",
}


def position_words(code: str) -> str:
    """The minutes' word for a speech position code; an unknown code is shown as it is."""
    return POSITIONS.get(code, code)
