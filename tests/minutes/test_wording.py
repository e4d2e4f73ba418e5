"""Dates, times and numbers the way Vietnamese administrative documents write them."""

from __future__ import annotations

import unicodedata
from datetime import date, time

from storage.minutes.wording import clock, long_date, nfc, percent, place_and_date, upper


def test_place_and_date_pads_days_and_the_first_two_months() -> None:
    assert place_and_date("Châu Thành", date(2026, 11, 29)) == (
        "Châu Thành, ngày 29 tháng 11 năm 2026"
    )
    assert place_and_date("Châu Thành", date(2027, 1, 5)) == "Châu Thành, ngày 05 tháng 01 năm 2027"
    assert long_date(date(2027, 3, 8)) == "ngày 08 tháng 3 năm 2027"


def test_a_draft_without_a_date_leaves_room_to_write_it() -> None:
    assert place_and_date("Châu Thành", None).startswith("Châu Thành, ngày ")
    assert "tháng" in place_and_date("", None)


def test_times_and_percentages() -> None:
    assert clock(time(8, 5)) == "08 giờ 05 phút"
    assert percent(2, 3) == "66,67%"
    assert percent(7, 10) == "70%"
    assert percent(1, 0) == ""


def test_decomposed_letters_are_composed_and_capitalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Hân")
    assert nfc(decomposed) == "Nguyễn Thị Ngọc Hân"
    assert upper("ủy ban nhân dân huyện châu thành") == "ỦY BAN NHÂN DÂN HUYỆN CHÂU THÀNH"
