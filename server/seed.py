"""The demo district (scenario.md): huyện Châu Thành, An Giang, with 13 communes.

Seeded once, into an empty database, on first start. Every demo account shares one password,
printed by scripts/run; the admin can reset any of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import func, select

from server.services import passwords
from server.text import slug
from storage.db import Database
from storage.models import AuditEntry, Role, Unit, UnitKind, User

log = logging.getLogger("ecabinet.seed")

HOST = ("Ủy ban nhân dân huyện Châu Thành", "ubnd-chau-thanh")
OFFICE = "vp-hdnd-ubnd"
MAIL_DOMAIN = "chauthanh.angiang.gov.vn"
DEPARTMENTS = [
    ("Văn phòng HĐND và UBND", OFFICE),
    ("Phòng Nội vụ", "p-noi-vu"),
    ("Phòng Tài chính – Kế hoạch", "p-tai-chinh-ke-hoach"),
    ("Phòng Văn hóa và Thông tin", "p-van-hoa-thong-tin"),
    ("Phòng Tư pháp", "p-tu-phap"),
    ("Phòng Tài nguyên và Môi trường", "p-tai-nguyen-moi-truong"),
]
# (name, kind prefix, chairperson)
COMMUNES = [
    ("An Châu", "Thị trấn", "Nguyễn Văn An"),
    ("Vĩnh Bình", "Thị trấn", "Trần Thị Bích"),
    ("An Hòa", "Xã", "Lê Hoàng Phúc"),
    ("Bình Hòa", "Xã", "Phạm Minh Khôi"),
    ("Bình Thạnh", "Xã", "Huỳnh Văn Lộc"),
    ("Cần Đăng", "Xã", "Võ Thị Mai"),
    ("Hòa Bình Thạnh", "Xã", "Đỗ Thanh Nhàn"),
    ("Tân Phú", "Xã", "Bùi Quang Vinh"),
    ("Vĩnh An", "Xã", "Dương Thị Ngọc"),
    ("Vĩnh Hanh", "Xã", "Ngô Văn Hải"),
    ("Vĩnh Lợi", "Xã", "Đinh Công Thành"),
    ("Vĩnh Nhuận", "Xã", "Châu Văn Tài"),
    ("Vĩnh Thành", "Xã", "Mai Thị Xuân"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    what: str


def commune_code(name: str, prefix: str) -> str:
    return f"{'tt' if prefix == 'Thị trấn' else 'xa'}-{slug(name)}"


# (username, full name, title, unit code, roles)
Account = tuple[str, str, str | None, str, list[Role]]
PEOPLE: list[Account] = [
    ("quantri", "Lê Quốc Bảo", "Quản trị hệ thống", OFFICE, [Role.ADMIN]),
    ("chutich", "Trần Văn Minh", "Chủ tịch UBND huyện", HOST[1], [Role.CHAIR, Role.DELEGATE]),
    (
        "thuky",
        "Nguyễn Thị Thu Hà",
        "Chánh Văn phòng HĐND và UBND",
        OFFICE,
        [Role.SECRETARY, Role.DELEGATE],
    ),
    ("tp.noivu", "Phạm Văn Đức", "Trưởng phòng Nội vụ", "p-noi-vu", [Role.DELEGATE]),
    (
        "tp.taichinh",
        "Võ Thị Lan",
        "Trưởng phòng Tài chính – Kế hoạch",
        "p-tai-chinh-ke-hoach",
        [Role.DELEGATE],
    ),
    (
        "tp.vanhoa",
        "Huỳnh Minh Tâm",
        "Trưởng phòng Văn hóa và Thông tin",
        "p-van-hoa-thong-tin",
        [Role.DELEGATE],
    ),
    ("tp.tuphap", "Đặng Thị Hồng", "Trưởng phòng Tư pháp", "p-tu-phap", [Role.DELEGATE]),
    (
        "tp.tainguyen",
        "Lý Thanh Sơn",
        "Trưởng phòng Tài nguyên và Môi trường",
        "p-tai-nguyen-moi-truong",
        [Role.DELEGATE],
    ),
    (
        "pct.vinh-nhuan",
        "Trương Thị Kim Oanh",
        "Phó Chủ tịch UBND xã Vĩnh Nhuận",
        "xa-vinh-nhuan",
        [Role.DELEGATE],
    ),
]


def _units() -> list[tuple[str, str, UnitKind, str | None]]:
    rows: list[tuple[str, str, UnitKind, str | None]] = [(HOST[0], HOST[1], UnitKind.HOST, None)]
    rows += [(name, code, UnitKind.DEPARTMENT, HOST[1]) for name, code in DEPARTMENTS]
    rows += [
        (f"{prefix} {name}", commune_code(name, prefix), UnitKind.COMMUNE, HOST[1])
        for name, prefix, _ in COMMUNES
    ]
    return rows


def _accounts() -> list[Account]:
    rows = list(PEOPLE)
    for name, prefix, chair in COMMUNES:
        code = commune_code(name, prefix)
        rows.append(
            (
                f"ct.{slug(name)}",
                chair,
                f"Chủ tịch UBND {prefix.lower()} {name}",
                code,
                [Role.DELEGATE],
            )
        )
        rows.append(
            (code, f"Điểm cầu {prefix.lower()} {name}", "Phòng họp trực tuyến", code, [Role.SITE])
        )
    return rows


async def seed_demo(database: Database, password: str = "ecabinet2026") -> bool:
    """Create the demo district if the database has no unit yet. Returns whether it did."""
    async with database.session() as db:
        if (await db.exec(select(func.count()).select_from(Unit))).one():
            return False
        ids: dict[str, int] = {}
        for name, code, kind, parent in _units():
            unit = Unit(
                name=name, code=code, kind=kind.value, parent_id=ids[parent] if parent else None
            )
            db.add(unit)
            await db.flush()
            ids[code] = unit.id or 0
        # One hash for all demo accounts: 40 argon2 hashes would slow the first start for nothing.
        shared_hash = await passwords.hash_password(password)
        for username, full_name, title, code, roles in _accounts():
            db.add(
                User(
                    username=username,
                    full_name=full_name,
                    title=title,
                    unit_id=ids[code],
                    roles=[r.value for r in roles],
                    password_hash=shared_hash,
                    email=f"{username}@{MAIL_DOMAIN}",
                )
            )
        db.add(AuditEntry(action="seed.demo", object_type="unit", details={"units": len(ids)}))
        await db.commit()
    log.info("seeded the demo district", extra={"units": len(ids)})
    return True


def demo_logins() -> list[DemoLogin]:
    """The accounts scripts/run prints: the people, and one commune site as an example."""
    shown = [DemoLogin(u, n, t or "") for u, n, t, _, _ in PEOPLE[:4]]
    shown.append(DemoLogin("xa-vinh-hanh", "Điểm cầu xã Vĩnh Hanh", "Tài khoản điểm cầu xã"))
    return shown
