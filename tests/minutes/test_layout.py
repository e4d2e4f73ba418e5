"""Minutes and notices as PDF: read back with pypdf, as a person (or an archive search) would."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from storage.minutes import Pkcs12Signer, render_minutes, render_notice, sign_pdf
from storage.minutes.fields import SIGNATURE_FIELD
from storage.minutes.fonts import DEJAVU_SERIF
from storage.minutes.model import AgendaItem, Heading, Signatory, Vote, VoteOption
from tests.minutes import samples
from tests.minutes.conftest import flat_text, lines_of, text_of

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"


def test_minutes_carry_the_national_motto_header_exactly(minutes_pdf: bytes) -> None:
    lines = lines_of(minutes_pdf)
    assert lines[:4] == ["ỦY BAN NHÂN DÂN", "HUYỆN CHÂU THÀNH", MOTTO, MOTTO_LINE]
    assert "Số: 15/BB-UBND Châu Thành, ngày 29 tháng 11 năm 2026" in lines
    title = lines.index("BIÊN BẢN")
    assert lines[title + 1] == "Cuộc họp thường kỳ Ủy ban nhân dân huyện tháng 11 năm 2026"


def test_minutes_keep_vietnamese_names_intact(minutes_pdf: bytes) -> None:
    text = text_of(minutes_pdf)
    minutes = samples.minutes()
    for name in [minutes.chair.name, minutes.secretary.name, *(a.name for a in minutes.attendees)]:
        assert name in text, name
    assert "Đồng chí Nguyễn Văn An, Chủ tịch UBND huyện." in text
    assert text.endswith("CHỦ TỌA\nNguyễn Văn An\nTHƯ KÝ\nLê Thị Thanh Xuân")


def test_minutes_show_attendance_by_place_with_substitutes_and_reasons(minutes_pdf: bytes) -> None:
    text = flat_text(minutes_pdf)
    assert "có mặt 11/14 đại biểu được triệu tập; tại hội trường 6; trực tuyến 5" in text
    for group in (
        "Tại hội trường (6)",
        "Trực tuyến tại Điểm cầu UBND xã An Hòa (2)",
        "Trực tuyến tại Điểm cầu UBND xã Tân Phú (1)",
        "Trực tuyến (không qua điểm cầu) (1)",
        "Vắng mặt (3)",
    ):
        assert group in text, group
    assert "Lý do: đi công tác tại tỉnh" in text and "Không rõ lý do" in text
    assert "Dự thay đồng chí Lê Văn Cường" in text


def test_minutes_show_speeches_votes_and_conclusions(minutes_pdf: bytes) -> None:
    text = flat_text(minutes_pdf)
    assert "Đồng chí Võ Minh Đức, Trưởng phòng Nội vụ (08:42):" in text
    assert "Ý kiến: Không tán thành." in text
    assert "Biểu quyết công khai: Thông qua dự toán thu, chi ngân sách huyện năm 2027." in text
    assert "Số đại biểu đã biểu quyết: 9/10." in text
    assert "Tán thành 7 70% Phạm Thị Hồng, Trần Thị Bình" in text
    assert "Kết quả: Thông qua với 7/10 đại biểu tán thành (70%)." in text
    assert "thời hạn hoàn thành: 05/12/2026." in text
    assert "Cuộc họp kết thúc vào hồi 11 giờ 30 phút cùng ngày./." in text


def test_a_secret_vote_is_printed_with_counts_only() -> None:
    secret = Vote(
        "Khen thưởng UBND xã An Hòa",
        [VoteOption("Đồng ý", 8), VoteOption("Không đồng ý", 2)],
        secret=True,
        eligible=10,
    )
    minutes = replace(
        samples.minutes(), attendees=[], items=[AgendaItem("Khen thưởng", votes=[secret])]
    )
    lines = lines_of(render_minutes(minutes))
    header = lines.index("Phương án Số phiếu Tỷ lệ")
    assert lines[header + 1 : header + 3] == ["Đồng ý 8 80%", "Không đồng ý 2 20%"]
    assert "Biểu quyết kín: Khen thưởng UBND xã An Hòa." in " ".join(lines)


def test_notice_has_its_header_items_table_and_recipients(notice_pdf: bytes) -> None:
    lines = lines_of(notice_pdf)
    assert lines[2:4] == [MOTTO, MOTTO_LINE]
    assert "Số: 87/TB-UBND Châu Thành, ngày 30 tháng 11 năm 2026" in lines
    assert "THÔNG BÁO" in lines
    text = "\n".join(lines)
    assert "TỔNG HỢP NHIỆM VỤ ĐƯỢC GIAO" in text
    assert "4 Hoàn thành kết nối điểm cầu trực tuyến UBND các xã 31/12/2026" in text
    assert "Nơi nhận:\n- Các phòng, ban, ngành huyện;" in text
    assert "- Lưu: VT, VP." in text
    assert "TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG" in text and "Trần Quốc Tuấn" in text
    assert "để các cơ quan, đơn vị biết, thực hiện./." in flat_text(notice_pdf)


def test_the_signature_field_lies_over_the_chairs_signature_space(minutes_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(minutes_pdf))
    fields = reader.get_fields() or {}
    assert set(fields) == {SIGNATURE_FIELD} and fields[SIGNATURE_FIELD].get("/V") is None
    last = reader.pages[-1]
    (widget,) = [a.get_object() for a in last.get("/Annots", [])]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    # Right half of the page, clear of the 20 mm margins, tall enough to sign in.
    assert 297 < x1 < x2 < 595 - 42 and 56 < y1 < y2 < 842 - 56 and y2 - y1 > 70


def test_a_draft_leaves_number_and_date_blank() -> None:
    minutes = replace(samples.minutes(), heading=Heading(samples.UNIT, place="Châu Thành"))
    text = text_of(render_minutes(minutes))
    assert "Số: /BB-UBND Châu Thành, ngày tháng năm" in text


def test_decomposed_input_prints_as_composed_letters() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Hân")
    minutes = replace(samples.minutes(), chair=replace(samples.minutes().chair, name=nfd))
    assert "Nguyễn Thị Ngọc Hân" in text_of(render_minutes(minutes))


def test_long_minutes_flow_over_numbered_pages() -> None:
    items = [AgendaItem(f"Nội dung số {i}", conclusion="Thống nhất. " * 40) for i in range(1, 16)]
    minutes = replace(samples.minutes(), items=items)
    reader = PdfReader(io.BytesIO(render_minutes(minutes)))
    assert len(reader.pages) >= 4
    for number, page in enumerate(reader.pages[1:], 2):
        assert page.extract_text().splitlines()[0].strip() == str(number)
    # The signatures are never alone on the last page: the closing sentence comes with them.
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "Cuộc họp kết thúc vào hồi" in last and "CHỦ TỌA" in last


def test_the_dejavu_fallback_renders_the_same_words() -> None:
    text = text_of(render_notice(samples.notice(), fonts=DEJAVU_SERIF))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in text


def test_pages_render_to_png_for_people_to_look_at(
    signed_minutes: bytes, chair: Pkcs12Signer, artifacts: Path
) -> None:
    # The demo signs with the chair's certificate, so the notice is the chair's too.
    by_chair = Signatory("Chủ tịch", samples.CHAIR, authority="TM. Ủy ban nhân dân")
    notice = render_notice(replace(samples.notice(), signatory=by_chair))
    signed_notice = sign_pdf(
        notice, chair, reason="Ký thông báo", location="Châu Thành", signer_name=samples.CHAIR
    )
    assert shutil.which("pdftoppm"), "poppler-utils is needed"
    folder = artifacts / "minutes"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    for name, pdf in (("bien-ban", signed_minutes), ("thong-bao", signed_notice)):
        source = folder / f"{name}.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(source), str(folder / name)],
            check=True,
            timeout=60,
        )
        source.unlink()
    pages = sorted(p.name for p in folder.glob("*.png"))
    assert pages == [
        *(f"bien-ban-{i}.png" for i in range(1, 5)),
        "thong-bao-1.png",
        "thong-bao-2.png",
    ]
    assert all((folder / p).stat().st_size > 5_000 for p in pages)
