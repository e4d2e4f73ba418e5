"""The demo scenario's meeting (UBND huyện Châu Thành, 29/11/2026) as minutes and a notice:
hall, three commune sites, one person online alone, two substitutes, three absent, an open and
a secret vote, conclusions with assignments."""

from __future__ import annotations

from datetime import date, time

from storage.minutes.model import (
    AgendaItem,
    Assignment,
    Attendee,
    ConclusionNotice,
    Heading,
    Minutes,
    NoticeItem,
    Person,
    Presence,
    Signatory,
    Speech,
    Vote,
    VoteOption,
)

CHAIR = "Nguyễn Văn An"
SECRETARY = "Lê Thị Thanh Xuân"
UNIT = "Ủy ban nhân dân huyện Châu Thành"
OPEN_VOTERS = [
    "Phạm Thị Hồng",
    "Trần Thị Bình",
    "Võ Minh Đức",
    "Huỳnh Ngọc Ánh",
    "Lý Văn Mười",
    "Đoàn Văn Hải",
    "Nguyễn Thị Ngọc Hân",
]


def minutes() -> Minutes:
    hall = [
        Attendee("Phạm Thị Hồng", "Phó Chủ tịch UBND huyện"),
        Attendee("Trần Thị Bình", "Trưởng phòng", "Phòng Tài chính - Kế hoạch"),
        Attendee("Võ Minh Đức", "Trưởng phòng", "Phòng Nội vụ"),
        Attendee(
            "Huỳnh Ngọc Ánh",
            "Phó Trưởng phòng",
            "Phòng Giáo dục và Đào tạo",
            substitute_for="Lê Văn Cường, Trưởng phòng Giáo dục và Đào tạo",
        ),
        Attendee("Đặng Quốc Việt", "Chánh Thanh tra huyện"),
        Attendee("Ngô Thị Thu Hương", "Trưởng phòng", "Phòng Tài nguyên và Môi trường"),
    ]
    online = [
        Attendee(
            "Lý Văn Mười",
            "Chủ tịch UBND xã An Hòa",
            presence=Presence.ONLINE,
            site="Điểm cầu UBND xã An Hòa",
        ),
        Attendee(
            "Trương Thị Yến",
            "Công chức Văn phòng - Thống kê xã An Hòa",
            presence=Presence.ONLINE,
            site="Điểm cầu UBND xã An Hòa",
        ),
        Attendee(
            "Đoàn Văn Hải",
            "Chủ tịch UBND xã Tân Phú",
            presence=Presence.ONLINE,
            site="Điểm cầu UBND xã Tân Phú",
        ),
        Attendee(
            "Nguyễn Thị Ngọc Hân",
            "Phó Chủ tịch UBND xã Vĩnh Thành",
            presence=Presence.ONLINE,
            site="Điểm cầu UBND xã Vĩnh Thành",
            substitute_for="Phan Văn Út, Chủ tịch UBND xã Vĩnh Thành",
        ),
        Attendee(
            "Bùi Quang Khải",
            "Giám đốc Ban Quản lý dự án đầu tư xây dựng huyện",
            presence=Presence.ONLINE,
        ),
    ]
    absent = [
        Attendee(
            "Lê Văn Cường",
            "Trưởng phòng",
            "Phòng Giáo dục và Đào tạo",
            presence=Presence.ABSENT,
            absence_reason="đi công tác tại tỉnh",
        ),
        Attendee(
            "Phan Văn Út",
            "Chủ tịch UBND xã Vĩnh Thành",
            presence=Presence.ABSENT,
            absence_reason="ốm",
        ),
        Attendee("Mai Xuân Trường", "Phó Chủ tịch UBND huyện", presence=Presence.ABSENT),
    ]
    vote_open = Vote(
        "Thông qua dự toán thu, chi ngân sách huyện năm 2027",
        [
            VoteOption("Tán thành", 7, list(OPEN_VOTERS)),
            VoteOption("Không tán thành", 1, ["Đặng Quốc Việt"]),
            VoteOption("Không biểu quyết", 1, ["Ngô Thị Thu Hương"]),
        ],
        eligible=10,
        result="Thông qua với 7/10 đại biểu tán thành (70%).",
    )
    vote_secret = Vote(
        "Đề nghị khen thưởng tập thể xuất sắc năm 2026 cho UBND xã An Hòa",
        [VoteOption("Đồng ý", 8), VoteOption("Không đồng ý", 2)],
        secret=True,
        eligible=10,
        result="Thông qua.",
    )
    return Minutes(
        heading=Heading(
            UNIT, number="15", symbol="BB-UBND", place="Châu Thành", issued_on=date(2026, 11, 29)
        ),
        title="Cuộc họp thường kỳ Ủy ban nhân dân huyện tháng 11 năm 2026",
        meeting_date=date(2026, 11, 29),
        starts_at=time(8, 0),
        ends_at=time(11, 30),
        location="Hội trường UBND huyện Châu Thành, số 1 đường Trần Hưng Đạo, thị trấn Châu Thành",
        chair=Person(CHAIR, "Chủ tịch UBND huyện"),
        secretary=Person(SECRETARY, "Chuyên viên Văn phòng HĐND và UBND huyện"),
        attendees=hall + online + absent,
        opening=(
            "Đồng chí Nguyễn Văn An, Chủ tịch UBND huyện, phát biểu khai mạc, nêu mục đích, yêu "
            "cầu của cuộc họp và thống nhất chương trình làm việc gồm 3 nội dung."
        ),
        items=[
            AgendaItem(
                "Dự toán thu, chi ngân sách huyện năm 2027",
                presenter=Person("Trần Thị Bình", "Trưởng phòng Tài chính - Kế hoạch"),
                documents=[
                    "Tờ trình số 245/TTr-TCKH ngày 20/11/2026 về dự toán ngân sách năm 2027",
                    "Báo cáo tình hình thực hiện thu, chi ngân sách 10 tháng năm 2026",
                ],
                proceedings=(
                    "Đồng chí Trưởng phòng Tài chính - Kế hoạch trình bày tóm tắt dự toán: tổng "
                    "thu ngân sách trên địa bàn 412,5 tỷ đồng, tăng 8,3% so với ước thực hiện năm"
                    " 2026; tổng chi ngân sách địa phương 389,2 tỷ đồng."
                ),
                speeches=[
                    Speech(
                        "Võ Minh Đức",
                        "Trưởng phòng Nội vụ",
                        time(8, 42),
                        "biên chế và quỹ lương năm 2027",
                        "Tán thành",
                        "Đề nghị bổ sung kinh phí đào tạo, bồi dưỡng cán bộ, công chức cấp xã.",
                    ),
                    Speech(
                        "Lý Văn Mười",
                        "Chủ tịch UBND xã An Hòa (điểm cầu)",
                        time(8, 55),
                        "vốn đầu tư đường giao thông nông thôn",
                        "Đặt câu hỏi",
                        "Đề nghị làm rõ nguồn vốn đối ứng của xã đối với tuyến đường ấp Hòa Lợi.",
                    ),
                    Speech(
                        "Đặng Quốc Việt",
                        "Chánh Thanh tra huyện",
                        time(9, 10),
                        "dự phòng ngân sách",
                        "Không tán thành",
                        "Mức dự phòng 2% là thấp so với yêu cầu phòng chống thiên tai.",
                    ),
                ],
                votes=[vote_open],
                conclusion=(
                    "Thống nhất thông qua dự toán thu, chi ngân sách huyện năm 2027 để trình Hội "
                    "đồng nhân dân huyện tại kỳ họp thứ mười hai.\nPhòng Tài chính - Kế hoạch "
                    "tiếp thu ý kiến các đại biểu, hoàn chỉnh hồ sơ."
                ),
                assignments=[
                    Assignment(
                        "Hoàn chỉnh hồ sơ dự toán ngân sách năm 2027, trình HĐND huyện",
                        ["Phòng Tài chính - Kế hoạch"],
                        date(2026, 12, 5),
                    ),
                    Assignment(
                        "Rà soát nguồn vốn đối ứng các công trình giao thông nông thôn",
                        ["Phòng Tài chính - Kế hoạch", "UBND các xã"],
                        date(2026, 12, 15),
                    ),
                ],
            ),
            AgendaItem(
                "Xét đề nghị khen thưởng năm 2026",
                presenter=Person("Võ Minh Đức", "Trưởng phòng Nội vụ"),
                documents=["Tờ trình số 112/TTr-NV về khen thưởng tập thể, cá nhân năm 2026"],
                votes=[vote_secret],
                conclusion="Thống nhất đề nghị UBND tỉnh tặng Bằng khen cho UBND xã An Hòa.",
                assignments=[
                    Assignment(
                        "Lập hồ sơ đề nghị khen thưởng gửi Sở Nội vụ",
                        ["Phòng Nội vụ"],
                        date(2026, 12, 10),
                    )
                ],
            ),
            AgendaItem(
                "Tiến độ chuyển đổi số năm 2026",
                presenter=Person(
                    "Bùi Quang Khải", "Giám đốc Ban Quản lý dự án đầu tư xây dựng huyện"
                ),
                documents=["Báo cáo tiến độ triển khai Đề án chuyển đổi số (12 trang)"],
                conclusion=(
                    "Yêu cầu các xã hoàn thành kết nối điểm cầu trực tuyến trước ngày 31/12/2026."
                ),
                assignments=[
                    Assignment(
                        "Hoàn thành kết nối điểm cầu trực tuyến",
                        ["UBND các xã"],
                        date(2026, 12, 31),
                    )
                ],
            ),
        ],
        closing=(
            "Đồng chí Chủ tọa phát biểu bế mạc cuộc họp. Biên bản đã được đọc lại cho các đại "
            "biểu dự họp cùng nghe và thống nhất."
        ),
    )


def notice() -> ConclusionNotice:
    m = minutes()
    return ConclusionNotice(
        heading=Heading(
            UNIT, number="87", symbol="TB-UBND", place="Châu Thành", issued_on=date(2026, 11, 30)
        ),
        title="Kết luận của Chủ tịch UBND huyện tại cuộc họp thường kỳ tháng 11 năm 2026",
        signatory=Signatory("Chánh Văn phòng", "Trần Quốc Tuấn", authority="TL. Chủ tịch"),
        intro=(
            "Ngày 29 tháng 11 năm 2026, đồng chí Nguyễn Văn An, Chủ tịch UBND huyện chủ trì cuộc "
            "họp thường kỳ tháng 11 năm 2026. Sau khi nghe báo cáo và ý kiến của các đại biểu, "
            "Chủ tịch UBND huyện kết luận như sau:"
        ),
        items=[NoticeItem(i.title, i.conclusion, i.assignments) for i in m.items],
        closing="Văn phòng HĐND và UBND huyện thông báo để các cơ quan, đơn vị biết, thực hiện.",
        recipients=[
            "Các phòng, ban, ngành huyện",
            "UBND các xã, thị trấn",
            "CT, các PCT UBND huyện",
            "Lưu: VT, VP",
        ],
    )
