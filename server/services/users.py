"""People and commune-site accounts: create, edit, disable, reset a password."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from server.errors import Conflict, Invalid, NotFound, not_allowed
from server.permissions import Permission, allowed
from server.schemas import UserIn, UserPatch
from server.services import Context, audit, auth, operation, passwords, units
from server.text import fold
from storage.models import Role, Unit, User


def user_not_found(user_id: int) -> NotFound:
    return NotFound(
        "user_not_found",
        vi=f"Không tìm thấy người dùng số {user_id}.",
        en=f"User {user_id} does not exist.",
    )


async def get(ctx: Context, user_id: int) -> User:
    user = await ctx.db.get(User, user_id)
    if user is None:
        raise user_not_found(user_id)
    return user


async def unit_names(ctx: Context) -> dict[int, str]:
    rows = (await ctx.db.exec(select(Unit.id, Unit.name))).all()
    return {uid: name for uid, name in rows if uid is not None}


@operation("user.list", Permission.USER_READ)
async def list_users(
    ctx: Context, unit_id: int | None = None, q: str | None = None, role: str | None = None
) -> list[User]:
    query = select(User).order_by(col(User.full_name))
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    found = list((await ctx.db.exec(query)).all())
    if role:
        found = [u for u in found if role in u.roles]
    if q:
        needle = fold(q)
        found = [u for u in found if needle in fold(f"{u.full_name} {u.username}")]
    return found


@operation("user.read", Permission.AUTHENTICATED)
async def read_user(ctx: Context, user_id: int) -> User:
    if user_id != ctx.user.user_id and not allowed(ctx.actor, Permission.USER_READ):
        raise not_allowed(Permission.USER_READ.value)
    return await get(ctx, user_id)


async def _check_username_free(ctx: Context, username: str) -> None:
    if (await ctx.db.exec(select(User.id).where(User.username == username))).first():
        raise Conflict(
            "username_taken",
            vi=f"Tên đăng nhập “{username}” đã tồn tại.",
            en=f"The username “{username}” already exists.",
        )


async def _check_unit_usable(ctx: Context, unit_id: int) -> None:
    unit = await units.get(ctx, unit_id)
    if unit.disabled:
        raise Invalid(
            "unit_disabled",
            vi=f"Đơn vị “{unit.name}” đã bị vô hiệu hoá.",
            en=f"The unit “{unit.name}” is disabled.",
        )


@operation("user.create", Permission.USER_MANAGE)
async def create_user(ctx: Context, data: UserIn) -> tuple[User, str]:
    await _check_username_free(ctx, data.username)
    await _check_unit_usable(ctx, data.unit_id)
    password = data.password or passwords.generate()
    passwords.check_strength(password)
    user = User(
        username=data.username,
        full_name=data.full_name,
        unit_id=data.unit_id,
        roles=[r.value for r in data.roles],
        email=data.email,
        title=data.title,
        password_hash=await passwords.hash_password(password),
    )
    ctx.db.add(user)
    await ctx.db.flush()
    audit.record(ctx, "user", user.id, data.model_dump(mode="json", exclude={"password"}))
    return user, password


async def _active_admins(ctx: Context) -> list[User]:
    users = (await ctx.db.exec(select(User).where(col(User.disabled).is_(False)))).all()
    return [u for u in users if Role.ADMIN.value in u.roles]


async def _check_not_last_admin(ctx: Context, user: User, patch: UserPatch) -> None:
    loses_admin = patch.disabled is True or (
        patch.roles is not None and Role.ADMIN not in patch.roles
    )
    if not loses_admin or Role.ADMIN.value not in user.roles or user.disabled:
        return
    if [a.id for a in await _active_admins(ctx)] == [user.id]:
        raise Conflict(
            "last_admin",
            vi="Đây là quản trị viên cuối cùng đang hoạt động; hãy chỉ định người khác trước.",
            en="This is the last active administrator; appoint another one first.",
        )


@operation("user.update", Permission.USER_MANAGE)
async def update_user(ctx: Context, user_id: int, patch: UserPatch) -> User:
    user = await get(ctx, user_id)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if patch.unit_id is not None and patch.unit_id != user.unit_id:
        await _check_unit_usable(ctx, patch.unit_id)
    await _check_not_last_admin(ctx, user, patch)
    for field, value in changes.items():
        if value is not None or field in {"email", "title"}:
            setattr(user, field, value)
    ctx.db.add(user)
    if patch.disabled:
        changes["ended_sessions"] = len(await auth.revoke_all(ctx, user_id))
    audit.record(ctx, "user", user_id, changes)
    return user


@operation("user.reset_password", Permission.USER_MANAGE)
async def reset_password(ctx: Context, user_id: int) -> str:
    """Give the user a new generated password; their sessions end so the old one stops working."""
    user = await get(ctx, user_id)
    password = passwords.generate()
    user.password_hash = await passwords.hash_password(password)
    ctx.db.add(user)
    ended = await auth.revoke_all(ctx, user_id)
    audit.record(ctx, "user", user_id, {"ended_sessions": len(ended)})
    return password


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    unit_name: str
    title: str | None


async def directory(ctx: Context, ids: set[int]) -> dict[int, Person]:
    """Names for the given user ids, in one query (used to render meetings)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = (
        await ctx.db.exec(
            select(User, Unit.name)
            .join(Unit, col(Unit.id) == User.unit_id)
            .where(col(User.id).in_(wanted))
        )
    ).all()
    return {u.id or 0: Person(u.id or 0, u.full_name, name, u.title) for u, name in rows}


async def members(ctx: Context, unit_id: int) -> list[User]:
    """The active people (not site accounts) of a unit."""
    rows = await ctx.db.exec(
        select(User).where(User.unit_id == unit_id, col(User.disabled).is_(False))
    )
    return [u for u in rows.all() if Role.SITE.value not in u.roles]
