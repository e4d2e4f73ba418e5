"""The demo meeting's materials (scenario.md), made on first start: PDFs drawn with fpdf2 and
a DOCX with Vietnamese text that goes through the real LibreOffice conversion."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from xml.sax.saxutils import escape

from fpdf import FPDF
from sqlmodel import col, select

from server.schemas.documents import RoundIn
from server.services import Context, auth
from server.services.documents import opinions, upload
from server.services.documents.resources import DocumentResources
from storage.db import Database
from storage.models import AgendaItem, Confidentiality, Meeting, User
from storage.pdf.fonts import DEJAVU_SANS
from storage.pdf.ingest import ingest

log = logging.getLogger("ecabinet.seed")

FIGURES = [
    "Bộ phận Một cửa tiếp nhận 97.630 hồ sơ trong năm (617 hồ sơ kỳ trước chuyển sang).",
    "Trả kết quả trước hạn 25.838 hồ sơ, đúng hạn 71.655 hồ sơ; 137 hồ sơ đang giải quyết.",
    "82.934 hồ sơ được tiếp nhận và trả kết quả qua dịch vụ bưu chính công ích.",
    "Hơn 700 hộp thư điện tử công vụ được cấp cho cán bộ, công chức.",
    "13/13 xã, thị trấn có điểm cầu hội nghị truyền hình trực tuyến.",
    "Dịch vụ công trực tuyến mức độ 3 và 4; chữ ký số cho lãnh đạo và văn thư tất cả các đơn vị.",
    "Đường dây nóng tiếp nhận phản ánh, kiến nghị của người dân hoạt động thường xuyên.",
]


def _pdf(title: str, pages: list[list[str]]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", fname=str(DEJAVU_SANS))
    pdf.set_title(title)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("dejavu", size=9)
        pdf.cell(0, 5, "ỦY BAN NHÂN DÂN HUYỆN CHÂU THÀNH", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", size=15)
        pdf.multi_cell(
            0, 9, title.upper() if number == 1 else title, align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(4)
        pdf.set_font("dejavu", size=12)
        for line in lines:
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.set_y(-15)
        pdf.set_font("dejavu", size=9)
        pdf.cell(0, 5, f"Trang {number}/{len(pages)}", align="C")
    return bytes(pdf.output())


def _docx(paragraphs: list[str | None]) -> bytes:
    """A minimal Word document; None is a page break."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        if p is None
        else f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
        for p in paragraphs
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>{body}'
            "</w:body></w:document>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return out.getvalue()


def report_docx() -> bytes:
    """The IT report of agenda item 2: twelve pages, one topic each."""
    topics = [
        "Tổng quan",
        "Hạ tầng kỹ thuật",
        "Dịch vụ công trực tuyến",
        "Bộ phận Một cửa",
        "Chữ ký số",
        "Thư điện tử công vụ",
        "Hội nghị truyền hình",
        "An toàn thông tin",
        "Nhân lực công nghệ thông tin",
        "Khó khăn, vướng mắc",
        "Kiến nghị",
        "Phương hướng năm 2027",
    ]
    paragraphs: list[str | None] = []
    for number, topic in enumerate(topics, start=1):
        if paragraphs:
            paragraphs.append(None)
        paragraphs.append(
            f"BÁO CÁO KẾT QUẢ ỨNG DỤNG CNTT TRONG CẢI CÁCH HÀNH CHÍNH — PHẦN {number}"
        )
        paragraphs.append(f"{number}. {topic}")
        paragraphs.extend(FIGURES[(number - 1) % len(FIGURES) :][:3])
    return _docx(paragraphs)


def materials() -> list[tuple[int, str, str, bytes, Confidentiality]]:
    """(agenda item number, title, file name, bytes, confidentiality)."""
    programme = _pdf(
        "Chương trình hội nghị",
        [
            [
                "08:00 – Khai mạc, thông qua chương trình (Chủ tịch UBND huyện)",
                "08:10 – Báo cáo kết quả ứng dụng CNTT trong cải cách hành chính",
                "08:35 – Tình hình giải quyết hồ sơ qua Bộ phận Một cửa",
                "08:55 – Dự thảo Kế hoạch chuyển đổi số năm 2027 — góp ý của các xã",
                "09:40 – Biểu quyết thông qua Kế hoạch",
                "09:50 – Kết luận hội nghị",
            ]
        ],
    )
    table = _pdf("Bảng số liệu giải quyết hồ sơ qua Bộ phận Một cửa", [FIGURES[:3], FIGURES[3:]])
    plan = _pdf(
        "Dự thảo Kế hoạch chuyển đổi số năm 2027",
        [
            [
                "I. MỤC ĐÍCH, YÊU CẦU",
                "Đẩy mạnh chuyển đổi số trong hoạt động của các cơ quan, đơn vị.",
            ],
            [
                "II. NHIỆM VỤ",
                "1. Hoàn thiện hạ tầng số tại 13 xã, thị trấn.",
                "2. Dịch vụ công trực tuyến toàn trình.",
            ],
            ["III. KINH PHÍ", "Dự kiến từ ngân sách huyện và nguồn xã hội hóa."],
            [
                "IV. TỔ CHỨC THỰC HIỆN",
                "Phòng Văn hóa và Thông tin chủ trì, phối hợp các xã, thị trấn.",
            ],
        ],
    )
    return [
        (
            1,
            "Chương trình hội nghị",
            "Chương trình hội nghị.pdf",
            programme,
            Confidentiality.NORMAL,
        ),
        (
            2,
            "Báo cáo kết quả ứng dụng CNTT trong cải cách hành chính",
            "Báo cáo CNTT 2026.docx",
            report_docx(),
            Confidentiality.NORMAL,
        ),
        (
            3,
            "Bảng số liệu Bộ phận Một cửa",
            "Số liệu Một cửa.pdf",
            table,
            Confidentiality.RESTRICTED,
        ),
        (
            4,
            "Dự thảo Kế hoạch chuyển đổi số năm 2027",
            "Dự thảo Kế hoạch CĐS 2027.pdf",
            plan,
            Confidentiality.SECRET,
        ),
    ]


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def seed_materials(database: Database, resources: DocumentResources, meeting_id: int) -> None:
    """Upload the materials as the secretary would; open the draft plan for comments."""
    async with database.session() as db:
        secretary = (await db.exec(select(User).where(User.username == "thuky"))).one()
        meeting = await db.get(Meeting, meeting_id)
        items = (
            await db.exec(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(col(AgendaItem.position))
            )
        ).all()
        ctx = Context(db=db, actor=auth.actor_of(secretary), documents=resources)
        for number, title, name, data, level in materials():
            ingested = await ingest(resources.store, resources.engine, _once(data))
            meta = upload.NewDocument(title, items[number - 1].id, level, None)
            document = await upload.create(ctx, meeting_id, meta, ingested, name)
            if level == Confidentiality.SECRET and meeting is not None:
                deadline = RoundIn(deadline=meeting.starts_at - timedelta(days=2)).deadline
                await opinions.open_round(ctx, document.id or 0, deadline)
    log.info("seeded the demo materials", extra={"meeting_id": meeting_id})
