"""The organisation tree: a host unit, its member communes/wards and departments, any depth."""

from __future__ import annotations

from sqlmodel import col, select

from server.errors import Conflict, Invalid, NotFound
from server.permissions import Permission
from server.schemas import UnitIn, UnitPatch
from server.services import Context, audit, operation
from storage.models import Unit


def unit_not_found(unit_id: int) -> NotFound:
    return NotFound(
        "unit_not_found",
        vi=f"Không tìm thấy đơn vị số {unit_id}.",
        en=f"Unit {unit_id} does not exist.",
    )


async def get(ctx: Context, unit_id: int) -> Unit:
    unit = await ctx.db.get(Unit, unit_id)
    if unit is None:
        raise unit_not_found(unit_id)
    return unit


async def _check_code_free(ctx: Context, code: str, own_id: int | None = None) -> None:
    other = (await ctx.db.exec(select(Unit).where(Unit.code == code))).first()
    if other is not None and other.id != own_id:
        raise Conflict(
            "unit_code_taken",
            vi=f"Mã đơn vị “{code}” đã được dùng cho “{other.name}”.",
            en=f"The unit code “{code}” is already used by “{other.name}”.",
        )


async def _check_parent(ctx: Context, unit_id: int | None, parent_id: int) -> None:
    """The parent must exist and must not be the unit itself or one of its descendants."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == unit_id:
            raise Invalid(
                "unit_cycle",
                vi="Không thể đặt một đơn vị nằm dưới chính nó hoặc đơn vị cấp dưới của nó.",
                en="A unit cannot be placed under itself or one of its own sub-units.",
            )
        seen.add(current)
        current = (await get(ctx, current)).parent_id


@operation("unit.list", Permission.UNIT_READ)
async def list_units(ctx: Context) -> list[Unit]:
    return list((await ctx.db.exec(select(Unit).order_by(col(Unit.name)))).all())


@operation("unit.create", Permission.UNIT_MANAGE)
async def create_unit(ctx: Context, data: UnitIn) -> Unit:
    await _check_code_free(ctx, data.code)
    if data.parent_id is not None:
        await _check_parent(ctx, None, data.parent_id)
    unit = Unit(name=data.name, kind=data.kind.value, code=data.code, parent_id=data.parent_id)
    ctx.db.add(unit)
    await ctx.db.flush()
    audit.record(ctx, "unit", unit.id, data.model_dump(mode="json"))
    return unit


@operation("unit.update", Permission.UNIT_MANAGE)
async def update_unit(ctx: Context, unit_id: int, patch: UnitPatch) -> Unit:
    unit = await get(ctx, unit_id)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if patch.code is not None:
        await _check_code_free(ctx, patch.code, unit_id)
    if "parent_id" in changes and patch.parent_id is not None:
        await _check_parent(ctx, unit_id, patch.parent_id)
    for field, value in changes.items():
        if value is None and field != "parent_id":
            continue
        setattr(unit, field, value)
    ctx.db.add(unit)
    audit.record(ctx, "unit", unit_id, changes)
    return unit


def descendants(units: list[Unit], root_id: int) -> set[int]:
    """Ids of every unit under `root_id` (not included), at any depth."""
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id or 0)
    found: set[int] = set()
    stack = list(children.get(root_id, []))
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found
