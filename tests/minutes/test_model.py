"""The minutes model: JSON round trip of the secretary's draft, and what it refuses."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from storage.minutes import (
    ConclusionNotice,
    InvalidMinutes,
    Minutes,
    Presence,
    Signatory,
    Vote,
    VoteOption,
    draft_notice,
)
from storage.minutes.model import Attendee, Heading, Person
from tests.minutes import samples


def through_json(data: dict) -> dict:
    result: dict = json.loads(json.dumps(data, ensure_ascii=False))
    return result


def test_minutes_survive_a_json_round_trip() -> None:
    minutes = samples.minutes()
    data = through_json(minutes.to_dict())
    assert data["format"] == 1
    assert data["meeting_date"] == "2026-11-29" and data["starts_at"] == "08:00"
    assert data["attendees"][6]["presence"] == "online"
    assert Minutes.from_dict(data) == minutes


def test_notice_survives_a_json_round_trip() -> None:
    notice = samples.notice()
    data = through_json(notice.to_dict())
    assert data["items"][0]["assignments"][0]["due"] == "2026-12-05"
    assert ConclusionNotice.from_dict(data) == notice


def test_signatories_default_to_chair_and_secretary() -> None:
    minutes = samples.minutes()
    assert minutes.chair_signatory == Signatory("CHỦ TỌA", samples.CHAIR)
    assert minutes.secretary_signatory == Signatory("THƯ KÝ", samples.SECRETARY)


def test_a_secret_vote_never_names_voters() -> None:
    with pytest.raises(InvalidMinutes) as caught:
        Vote("Khen thưởng", [VoteOption("Đồng ý", 1, ["Trần Thị Bình"])], secret=True)
    assert "biểu quyết kín" in caught.value.vi and "secret" in caught.value.en
    # …including when the draft comes back from the browser with names slipped in.
    data = samples.minutes().to_dict()
    data["items"][1]["votes"][0]["options"][0]["names"] = ["Trần Thị Bình"] * 8
    with pytest.raises(InvalidMinutes):
        Minutes.from_dict(data)


def test_open_vote_names_must_match_the_count() -> None:
    with pytest.raises(InvalidMinutes) as caught:
        Vote("Dự toán", [VoteOption("Tán thành", 2, ["Trần Thị Bình"])])
    assert "2 phiếu nhưng có 1 tên" in caught.value.vi
    # Counts without names are allowed (an open vote whose names were not recorded).
    assert Vote("Dự toán", [VoteOption("Tán thành", 2)]).total == 2


def test_a_bad_value_is_refused_with_its_path() -> None:
    data = samples.minutes().to_dict()
    data["items"][0]["votes"][0]["options"][1]["count"] = "một"
    with pytest.raises(InvalidMinutes) as caught:
        Minutes.from_dict(data)
    assert caught.value.code == "minutes_invalid" and caught.value.status == 422
    assert "Minutes.items[0].votes[0].options[1].count" in caught.value.vi
    assert caught.value.vi.endswith("cần một số nguyên.")
    assert caught.value.en.endswith("expected an integer.")


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("starts_at",), "8h", "a time like 08:30"),
        (("meeting_date",), "29/11/2026", "a date like 2026-11-29"),
        (("attendees", 0, "presence"), "remote", "one of: hall, online, absent"),
        (("items",), {}, "a list"),
        (("chair",), "Nguyễn Văn An", "an object"),
        (("items", 1, "votes", 0, "secret"), "yes", "true or false"),
        (("items", 0, "votes", 0, "eligible"), True, "an integer"),
    ],
)
def test_wrong_types_are_refused(path: tuple, value: object, expected: str) -> None:
    data = samples.minutes().to_dict()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidMinutes) as caught:
        Minutes.from_dict(data)
    assert expected in caught.value.en


def test_missing_keys_take_defaults_and_unknown_keys_are_ignored() -> None:
    data = {
        "heading": {"unit": samples.UNIT, "from_a_newer_browser": 1},
        "title": "Cuộc họp giao ban",
        "meeting_date": "2027-01-05",
        "starts_at": "14:00",
        "chair": {"name": samples.CHAIR},
        "secretary": {"name": samples.SECRETARY},
    }
    minutes = Minutes.from_dict(data)
    assert minutes.heading == Heading(samples.UNIT)
    assert minutes.items == [] and minutes.ends_at is None
    del data["chair"]
    with pytest.raises(InvalidMinutes) as caught:
        Minutes.from_dict(data)
    assert "Minutes.chair" in caught.value.en and "missing" in caught.value.en


def test_a_draft_from_a_newer_format_is_refused() -> None:
    data = samples.minutes().to_dict()
    data["format"] = 2
    with pytest.raises(InvalidMinutes) as caught:
        Minutes.from_dict(data)
    assert "format 2" in caught.value.en


def test_only_the_absent_have_a_reason_for_absence() -> None:
    with pytest.raises(InvalidMinutes):
        Attendee("Võ Minh Đức", presence=Presence.HALL, absence_reason="ốm")


def test_heading_reference_leaves_room_for_the_number_in_a_draft() -> None:
    assert Heading(samples.UNIT, number="15").reference == "15/BB-UBND"
    assert Heading(samples.UNIT).reference.strip().startswith("/BB-UBND")


def test_errors_survive_pickling_for_process_pools() -> None:
    import pickle

    error = InvalidMinutes(path="x", vi="sai", en="wrong")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is InvalidMinutes and again.vi == error.vi and again.details == error.details


def test_a_notice_is_drafted_from_the_minutes() -> None:
    minutes = samples.minutes()
    notice = draft_notice(minutes, number="87", issued_on=date(2026, 11, 30))
    assert notice.heading.reference == "87/TB-UBND"
    assert notice.title == (
        "Kết luận của Chủ tịch UBND huyện tại cuộc họp thường kỳ Ủy ban nhân dân huyện "
        "tháng 11 năm 2026"
    )
    assert notice.intro.startswith("Ngày 29 tháng 11 năm 2026, đồng chí Nguyễn Văn An")
    assert [i.title for i in notice.items] == [i.title for i in minutes.items]
    assert notice.recipients == [
        "Phòng Tài chính - Kế hoạch",
        "UBND các xã",
        "Phòng Nội vụ",
        "Lưu: VT",
    ]
    assert notice.signatory == Signatory("Chủ tịch UBND huyện", samples.CHAIR)


def test_times_are_written_as_wall_clock_minutes() -> None:
    minutes = Minutes(
        Heading(samples.UNIT),
        "Họp",
        date(2026, 1, 5),
        time(7, 30, 59),
        Person(samples.CHAIR),
        Person(samples.SECRETARY),
    )
    assert minutes.to_dict()["starts_at"] == "07:30"
