"""What minutes and a conclusion notice say, in the words of the people who write them.

Plain dataclasses: the lead fills them from the recorded meeting, the secretary edits them in
the browser (`to_dict` / `from_dict` carry them as JSON), `layout` prints them. Times are the
local wall-clock times (Vietnam) that the document shows; nothing here knows about time zones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Any, Self

from storage.minutes import codec
from storage.minutes.errors import InvalidMinutes

# Bumped when a stored draft would no longer read back the same.
FORMAT = 1


@dataclass
class Heading:
    """The top of an administrative document: who issues it, its number, where and when."""

    unit: str  # cơ quan ban hành: "Ủy ban nhân dân huyện Châu Thành" (printed in capitals)
    parent_unit: str = ""  # cơ quan chủ quản, the line above; empty for a People's Committee
    number: str = ""  # "15"; empty in a draft: the clerk (văn thư) numbers it when issued
    symbol: str = "BB-UBND"  # ký hiệu: "BB-UBND", "TB-UBND"
    place: str = ""  # địa danh: "Châu Thành"
    issued_on: date | None = None

    @property
    def reference(self) -> str:
        """Số và ký hiệu: "15/BB-UBND"; a draft keeps room for the number to be written in."""
        return f"{self.number or '       '}/{self.symbol}"


@dataclass
class Person:
    name: str
    title: str = ""  # chức vụ: "Phó Chủ tịch UBND huyện"
    unit: str = ""  # cơ quan, đơn vị: "Phòng Tài chính - Kế hoạch"

    @property
    def described(self) -> str:
        """ "Trần Thị Bình, Trưởng phòng, Phòng Tài chính - Kế hoạch" without empty parts."""
        return ", ".join(p for p in (self.name, self.title, self.unit) if p)


class Presence(StrEnum):
    HALL = "hall"  # có mặt tại hội trường
    ONLINE = "online"  # dự trực tuyến (at a commune site, or alone)
    ABSENT = "absent"  # vắng mặt


@dataclass
class Attendee:
    """One invited person and how they took part; substitutes are attendees too."""

    name: str
    title: str = ""
    unit: str = ""
    presence: Presence = Presence.HALL
    site: str = ""  # điểm cầu when online through one: "Điểm cầu UBND xã An Hòa"
    substitute_for: str = ""  # dự thay: whom they replace, "Lê Văn Cường, Trưởng phòng Nội vụ"
    absence_reason: str = ""  # lý do vắng

    def __post_init__(self) -> None:
        if self.presence is not Presence.ABSENT and self.absence_reason:
            raise InvalidMinutes(
                path=f"attendee {self.name}",
                vi="chỉ người vắng mặt mới có lý do vắng",
                en="only an absent person has a reason for absence",
            )


@dataclass
class Speech:
    """Ý kiến phát biểu, as the speaker queue recorded it and the secretary summed it up."""

    speaker: str
    unit: str = ""  # chức vụ, đơn vị
    at: time | None = None
    topic: str = ""  # nội dung đăng ký
    position: str = ""  # "Tán thành", "Không tán thành", "Đặt câu hỏi"… (see wording)
    summary: str = ""  # tóm tắt ý kiến, written by the secretary


@dataclass
class VoteOption:
    label: str  # "Tán thành", "Không tán thành", "Không biểu quyết"
    count: int
    names: list[str] = field(default_factory=list)  # open votes only


@dataclass
class Vote:
    question: str
    options: list[VoteOption]
    secret: bool = False  # biểu quyết kín: counts only, never names
    eligible: int = 0  # số đại biểu có quyền biểu quyết; 0 when unknown
    result: str = ""  # "Thông qua", written by the secretary or the service

    def __post_init__(self) -> None:
        for option in self.options:
            self._check(option)

    def _check(self, option: VoteOption) -> None:
        where = f"vote «{self.question}», option «{option.label}»"
        if option.count < 0:
            raise InvalidMinutes(path=where, vi="số phiếu âm", en="negative count")
        if self.secret and option.names:
            # The ballot store keeps no voter-choice link; minutes must not invent one.
            raise InvalidMinutes(
                path=where,
                vi="biểu quyết kín không được ghi tên người biểu quyết",
                en="a secret vote must not name its voters",
            )
        if option.names and len(option.names) != option.count:
            raise InvalidMinutes(
                path=where,
                vi=f"{option.count} phiếu nhưng có {len(option.names)} tên",
                en=f"{option.count} votes but {len(option.names)} names",
            )

    @property
    def total(self) -> int:
        return sum(o.count for o in self.options)


@dataclass
class Assignment:
    """Giao việc: what a conclusion asks of whom and by when; becomes a follow-up task."""

    task: str
    units: list[str] = field(default_factory=list)  # đơn vị, cá nhân thực hiện; first leads
    due: date | None = None


@dataclass
class AgendaItem:
    title: str
    presenter: Person | None = None  # người trình bày
    documents: list[str] = field(default_factory=list)  # tài liệu (titles)
    proceedings: str = ""  # diễn biến, free text by the secretary
    speeches: list[Speech] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    conclusion: str = ""  # kết luận of the chair, typed during the meeting
    assignments: list[Assignment] = field(default_factory=list)


@dataclass
class Signatory:
    """One signature block: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / space / "Nguyễn Văn An"."""

    title: str  # "CHỦ TỌA", "THƯ KÝ", "CHỦ TỊCH", "CHÁNH VĂN PHÒNG"
    name: str
    authority: str = ""  # thẩm quyền ký: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL. CHỦ TỊCH"


@dataclass
class Minutes:
    """Biên bản cuộc họp."""

    heading: Heading
    title: str  # trích yếu: "Cuộc họp thường kỳ Ủy ban nhân dân huyện tháng 11 năm 2026"
    meeting_date: date
    starts_at: time
    chair: Person
    secretary: Person
    ends_at: time | None = None
    location: str = ""
    attendees: list[Attendee] = field(default_factory=list)
    opening: str = ""  # free text: purpose, the chair's opening words
    items: list[AgendaItem] = field(default_factory=list)
    closing: str = ""  # free text: the chair's closing remarks, the minutes read back
    chair_signatory: Signatory | None = None  # default: "CHỦ TỌA" + the chair's name
    secretary_signatory: Signatory | None = None  # default: "THƯ KÝ" + the secretary's name

    def __post_init__(self) -> None:
        if self.chair_signatory is None:
            self.chair_signatory = Signatory("CHỦ TỌA", self.chair.name)
        if self.secretary_signatory is None:
            self.secretary_signatory = Signatory("THƯ KÝ", self.secretary.name)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, **codec.encode(self)}

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        _check_format(data)
        return codec.decode(cls, data)


@dataclass
class NoticeItem:
    title: str  # the agenda item concluded on
    conclusion: str  # what the chair concluded, in paragraphs
    assignments: list[Assignment] = field(default_factory=list)


@dataclass
class ConclusionNotice:
    """Thông báo kết luận: the chair's conclusions sent to the units that must act on them."""

    heading: Heading
    title: str  # "Kết luận của Chủ tịch UBND huyện tại cuộc họp thường kỳ tháng 11 năm 2026"
    signatory: Signatory
    intro: str = ""  # who chaired what, when, who attended
    items: list[NoticeItem] = field(default_factory=list)
    closing: str = ""  # "… thông báo để các cơ quan, đơn vị biết, thực hiện./."
    recipients: list[str] = field(default_factory=list)  # Nơi nhận: "Như trên", "Lưu: VT"

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, **codec.encode(self)}

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        _check_format(data)
        return codec.decode(cls, data)


def _check_format(data: Any) -> None:
    found = data.get("format", FORMAT) if isinstance(data, dict) else FORMAT
    if found != FORMAT:
        raise InvalidMinutes(
            path="format",
            vi=f"bản nháp định dạng {found} không đọc được (hỗ trợ {FORMAT})",
            en=f"draft format {found} cannot be read (this version reads {FORMAT})",
        )
