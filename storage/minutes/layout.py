"""Minutes (biên bản) and conclusion notices (thông báo kết luận) as PDF pages.

`render_minutes(m)` and `render_notice(n)` are plain CPU work (~0.2-0.5 s): call them through
`storage.minutes.aio` from the event loop. The PDF carries an empty signature field over the
chair's signature space, so `signing.sign_pdf` puts the visible signature exactly there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from storage.minutes.fields import SIGNATURE_FIELD, add_signature_field
from storage.minutes.fonts import FontFamily, default_family
from storage.minutes.model import (
    AgendaItem,
    Assignment,
    Attendee,
    ConclusionNotice,
    Minutes,
    NoticeItem,
    Presence,
    Speech,
    Vote,
)
from storage.minutes.page import LINE, AdminPdf
from storage.minutes.wording import clock, long_date, percent, short_clock, short_date

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# The question, the turnout and the table's first rows (mm).
VOTE_START = 3 * LINE + 25
# Sub-points are lettered as the decree letters them: no f, j; đ after d.
LETTERS = ("a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q")


def render_minutes(minutes: Minutes, fonts: FontFamily | None = None) -> bytes:
    pdf = AdminPdf(
        fonts or default_family(), title=f"Biên bản - {minutes.title}", author=minutes.heading.unit
    )
    pdf.heading_block(minutes.heading)
    pdf.title_block("Biên bản", minutes.title)
    numbers = iter(ROMAN)
    _time_and_place(pdf, minutes, next(numbers))
    _participants(pdf, minutes, next(numbers))
    _proceedings(pdf, minutes, next(numbers))
    _ending(pdf, minutes)
    assert minutes.chair_signatory is not None  # set by Minutes.__post_init__
    box = pdf.signature_blocks(minutes.chair_signatory, left=minutes.secretary_signatory)
    return add_signature_field(bytes(pdf.output()), box, SIGNATURE_FIELD)


def render_notice(notice: ConclusionNotice, fonts: FontFamily | None = None) -> bytes:
    pdf = AdminPdf(
        fonts or default_family(), title=f"Thông báo - {notice.title}", author=notice.heading.unit
    )
    pdf.heading_block(notice.heading)
    pdf.title_block("Thông báo", notice.title)
    pdf.paragraphs(notice.intro)
    for number, item in enumerate(notice.items, 1):
        _notice_item(pdf, number, item)
    assignments = [a for item in notice.items for a in item.assignments]
    if assignments:
        _assignment_table(pdf, assignments)
    _closing(pdf, _final(notice.closing))
    box = pdf.signature_blocks(notice.signatory, recipients=notice.recipients)
    return add_signature_field(bytes(pdf.output()), box, SIGNATURE_FIELD)


# --- minutes sections ---------------------------------------------------------------------------


def _time_and_place(pdf: AdminPdf, m: Minutes, number: str) -> None:
    pdf.section(f"{number}. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC")
    pdf.bullet(f"{clock(m.starts_at)}, {long_date(m.meeting_date)}.", label="Thời gian bắt đầu:")
    if m.location:
        pdf.bullet(_sentence(m.location), label="Địa điểm:")
    pdf.bullet(_form(m.attendees), label="Hình thức:")


def _form(attendees: Sequence[Attendee]) -> str:
    sites = {a.site for a in attendees if a.presence is Presence.ONLINE and a.site}
    online = any(a.presence is Presence.ONLINE for a in attendees)
    if sites:
        return f"Trực tiếp tại hội trường kết hợp trực tuyến với {len(sites)} điểm cầu."
    return "Trực tiếp kết hợp trực tuyến." if online else "Trực tiếp tại hội trường."


def _participants(pdf: AdminPdf, m: Minutes, number: str) -> None:
    pdf.section(f"{number}. THÀNH PHẦN THAM DỰ")
    pdf.bullet(f"Đồng chí {_sentence(m.chair.described)}", label="Chủ trì (chủ tọa):")
    pdf.bullet(f"Đồng chí {_sentence(m.secretary.described)}", label="Thư ký:")
    if m.attendees:
        pdf.bullet(_attendance_summary(m.attendees), label="Đại biểu:")
        pdf.ruled_table(
            ("STT", "Họ và tên", "Chức vụ, đơn vị", "Ghi chú"),
            list(_attendance_rows(m.attendees)),
            widths=(11, 45, 70, 39),
            aligns=("CENTER", "LEFT", "LEFT", "LEFT"),
        )


def _attendance_summary(attendees: Sequence[Attendee]) -> str:
    present = [a for a in attendees if a.presence is not Presence.ABSENT]
    hall = sum(a.presence is Presence.HALL for a in attendees)
    online = [a for a in attendees if a.presence is Presence.ONLINE]
    at_sites = sum(bool(a.site) for a in online)
    absent = len(attendees) - len(present)
    subs = sum(bool(a.substitute_for) for a in present)
    parts = [
        f"có mặt {len(present)}/{len(attendees)} đại biểu được triệu tập",
        f"tại hội trường {hall}",
    ]
    if online:
        parts.append(
            f"trực tuyến {len(online)}"
            + (f" (trong đó {at_sites} tại các điểm cầu)" if at_sites else "")
        )
    if subs:
        parts.append(f"dự thay {subs}")
    parts.append(f"vắng mặt {absent}")
    return "; ".join(parts) + "."


def _attendance_rows(attendees: Sequence[Attendee]) -> Iterator[Sequence[str] | str]:
    """Group rows (hall, each site, other online, absent) with the people under them."""
    groups: list[tuple[str, list[Attendee]]] = [
        ("Tại hội trường", [a for a in attendees if a.presence is Presence.HALL])
    ]
    online = [a for a in attendees if a.presence is Presence.ONLINE]
    for site in dict.fromkeys(a.site for a in online if a.site):
        groups.append((f"Trực tuyến tại {site}", [a for a in online if a.site == site]))
    groups.append(("Trực tuyến (không qua điểm cầu)", [a for a in online if not a.site]))
    groups.append(("Vắng mặt", [a for a in attendees if a.presence is Presence.ABSENT]))
    number = 0
    for name, people in groups:
        if not people:
            continue
        yield f"{name} ({len(people)})"
        for person in people:
            number += 1
            yield (str(number), person.name, _joined(person.title, person.unit), _note(person))


def _note(a: Attendee) -> str:
    if a.presence is Presence.ABSENT:
        return f"Lý do: {a.absence_reason}" if a.absence_reason else "Không rõ lý do"
    return f"Dự thay đồng chí {a.substitute_for}" if a.substitute_for else ""


def _proceedings(pdf: AdminPdf, m: Minutes, number: str) -> None:
    pdf.section(f"{number}. NỘI DUNG CUỘC HỌP")
    pdf.paragraphs(m.opening)
    for index, item in enumerate(m.items, 1):
        _agenda_item(pdf, index, item)


def _agenda_item(pdf: AdminPdf, number: int, item: AgendaItem) -> None:
    pdf.section(f"{number}. {item.title}")
    letters = iter(LETTERS)
    if item.presenter or item.documents or item.proceedings:
        pdf.subheading(f"{next(letters)}) Trình bày")
        if item.presenter:
            presenter = f"Đồng chí {_sentence(item.presenter.described)}"
            pdf.paragraph(presenter, label="Người trình bày:")
        if item.documents:
            pdf.paragraph("", label="Tài liệu:")
            for document in item.documents:
                pdf.bullet(_sentence(document))
        pdf.paragraphs(item.proceedings)
    if item.speeches:
        pdf.subheading(f"{next(letters)}) Ý kiến phát biểu")
        for speech in item.speeches:
            _speech(pdf, speech)
    if item.votes:
        pdf.subheading(f"{next(letters)}) Biểu quyết", keep=VOTE_START)
        for vote in item.votes:
            _vote(pdf, vote)
    if item.conclusion or item.assignments:
        pdf.subheading(f"{next(letters)}) Kết luận của chủ tọa")
        pdf.paragraphs(item.conclusion)
        for assignment in item.assignments:
            pdf.bullet(_assignment_text(assignment))


def _speech(pdf: AdminPdf, s: Speech) -> None:
    who = f"Đồng chí {_joined(s.speaker, s.unit)}" + (f" ({short_clock(s.at)})" if s.at else "")
    said = " ".join(
        p
        for p in (
            _sentence(f"Về {s.topic}") if s.topic else "",
            _sentence(f"Ý kiến: {s.position}") if s.position else "",
            _sentence(s.summary) if s.summary else "",
        )
        if p
    )
    pdf.bullet(said, label=who + ":")


def _vote(pdf: AdminPdf, v: Vote) -> None:
    # Question, turnout and table on one page where they fit: a table cut from its question
    # reads as someone else's vote.
    pdf.keep_with_next(VOTE_START)
    kind = "Biểu quyết kín:" if v.secret else "Biểu quyết công khai:"
    voted = f"{v.total}/{v.eligible}" if v.eligible else str(v.total)
    pdf.bullet(f"{_sentence(v.question)} Số đại biểu đã biểu quyết: {voted}.", label=kind)
    if v.secret:
        pdf.ruled_table(
            ("Phương án", "Số phiếu", "Tỷ lệ"),
            [(o.label, str(o.count), percent(o.count, v.eligible)) for o in v.options],
            widths=(95, 35, 35),
            aligns=("LEFT", "CENTER", "CENTER"),
        )
    else:
        pdf.ruled_table(
            ("Phương án", "Số phiếu", "Tỷ lệ", "Đại biểu"),
            [
                (o.label, str(o.count), percent(o.count, v.eligible), ", ".join(o.names))
                for o in v.options
            ],
            widths=(35, 20, 22, 88),
            aligns=("LEFT", "CENTER", "CENTER", "LEFT"),
        )
    if v.result:
        pdf.paragraph(_sentence(v.result), label="Kết quả:")


# --- notice sections ----------------------------------------------------------------------------


def _notice_item(pdf: AdminPdf, number: int, item: NoticeItem) -> None:
    pdf.section(f"{number}. {item.title}")
    pdf.paragraphs(item.conclusion)
    for assignment in item.assignments:
        pdf.bullet(_assignment_text(assignment))


def _assignment_table(pdf: AdminPdf, assignments: Sequence[Assignment]) -> None:
    pdf.section("TỔNG HỢP NHIỆM VỤ ĐƯỢC GIAO")
    pdf.ruled_table(
        ("STT", "Nhiệm vụ", "Đơn vị thực hiện", "Thời hạn"),
        [
            (str(i), a.task, "; ".join(a.units), short_date(a.due) if a.due else "")
            for i, a in enumerate(assignments, 1)
        ],
        widths=(11, 84, 45, 25),
        aligns=("CENTER", "LEFT", "LEFT", "CENTER"),
    )


# --- shared -------------------------------------------------------------------------------------


def _ending(pdf: AdminPdf, m: Minutes) -> None:
    if m.ends_at is None:
        _closing(pdf, _final(m.closing))
    else:
        pdf.paragraphs(m.closing)
        pdf.last_paragraph(f"Cuộc họp kết thúc vào hồi {clock(m.ends_at)} cùng ngày./.")


def _closing(pdf: AdminPdf, text: str) -> None:
    """Free text whose last paragraph stays on the page of the signatures."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:-1]:
        pdf.paragraph(line)
    if lines:
        pdf.last_paragraph(lines[-1])


def _assignment_text(a: Assignment) -> str:
    units = ", ".join(a.units)
    text = f"Giao {units}: {a.task}" if units else a.task
    text = text.rstrip(" .;")
    return text + (f"; thời hạn hoàn thành: {short_date(a.due)}." if a.due else ".")


def _final(text: str) -> str:
    """The last paragraph of a document ends with "./." (Nghị định 30, Phụ lục I)."""
    stripped = text.rstrip()
    if not stripped or stripped.endswith("./."):
        return stripped
    return stripped.rstrip(".") + "./."


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:;" else text + "."


def _joined(*parts: str) -> str:
    return ", ".join(p for p in parts if p)
