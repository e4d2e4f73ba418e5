"""Users: admin manages, organisers read, nobody sees password hashes."""

from __future__ import annotations

from tests.conftest import Api, error_code


async def _unit_id(api: Api, code: str) -> int:
    _, body = await api.get("/api/units")
    return next(u["id"] for u in body["units"] if u["code"] == code)


async def _user_id(api: Api, username: str) -> int:
    _, body = await api.get(f"/api/users?q={username}")
    return next(u["id"] for u in body["users"] if u["username"] == username)


async def test_demo_accounts(admin: Api) -> None:
    status, body = await admin.get("/api/users")
    assert status == 200
    users = {u["username"]: u for u in body["users"]}
    sites = [u for u in users.values() if u["roles"] == ["site"]]
    assert len(sites) == 13
    assert users["xa-vinh-hanh"]["unit_name"] == "Xã Vĩnh Hanh"
    assert users["chutich"]["roles"] == ["chair", "delegate"]
    assert all("password" not in k for u in users.values() for k in u)


async def test_filters_fold_diacritics(admin: Api) -> None:
    _, body = await admin.get("/api/users?q=vinh hanh")
    names = {u["username"] for u in body["users"]}
    assert {"xa-vinh-hanh"} <= names
    _, body = await admin.get("/api/users?q=Nguyễn Thị Thu")
    assert [u["username"] for u in body["users"]] == ["thuky"]
    _, body = await admin.get("/api/users?role=chair")
    assert [u["username"] for u in body["users"]] == ["chutich"]
    unit = await _unit_id(admin, "xa-vinh-nhuan")
    _, body = await admin.get(f"/api/users?unit_id={unit}")
    assert {u["username"] for u in body["users"]} == {
        "ct.vinh-nhuan",
        "pct.vinh-nhuan",
        "xa-vinh-nhuan",
    }


async def test_create_user_returns_a_password_that_works(admin: Api, new_api) -> None:
    unit = await _unit_id(admin, "p-tu-phap")
    status, body = await admin.post(
        "/api/users",
        json={
            "username": "CV.TuPhap",
            "full_name": "Hồ Thị Ánh",
            "unit_id": unit,
            "roles": ["delegate"],
            "email": "anh@chauthanh.gov.vn",
            "title": "Chuyên viên",
        },
    )
    assert status == 201, body
    assert body["user"]["username"] == "cv.tuphap"
    assert body["user"]["unit_name"] == "Phòng Tư pháp"
    assert len(body["password"]) >= 12
    fresh = await new_api()
    await fresh.login("cv.tuphap", body["password"])


async def test_create_user_refusals(admin: Api) -> None:
    unit = await _unit_id(admin, "p-tu-phap")
    base = {"full_name": "A", "unit_id": unit, "roles": ["delegate"]}
    status, body = await admin.post("/api/users", json={**base, "username": "thuky"})
    assert status == 409 and error_code(body) == "username_taken"
    status, body = await admin.post("/api/users", json={**base, "username": "xx1", "unit_id": 999})
    assert status == 404 and error_code(body) == "unit_not_found"
    status, body = await admin.post(
        "/api/users", json={**base, "username": "xx2", "roles": ["site", "chair"]}
    )
    assert status == 422 and error_code(body) == "invalid_input"
    status, body = await admin.post(
        "/api/users", json={**base, "username": "xx3", "roles": ["king"]}
    )
    assert status == 422
    status, body = await admin.post("/api/users", json={**base, "username": "xx4", "email": "no"})
    assert status == 422
    _, listing = await admin.get("/api/users?q=xx")
    assert listing["users"] == []


async def test_edit_user_and_audit(admin: Api) -> None:
    uid = await _user_id(admin, "tp.vanhoa")
    status, body = await admin.patch(
        f"/api/users/{uid}",
        json={"title": "Phó Chủ tịch UBND huyện", "roles": ["chair", "delegate"]},
    )
    assert status == 200
    assert body["user"]["roles"] == ["chair", "delegate"]
    _, audit = await admin.get("/api/audit?object_type=user")
    entry = audit["entries"][0]
    assert entry["action"] == "user.update" and entry["object_id"] == str(uid)
    assert entry["actor_id"] == admin.user["id"]


async def test_the_last_admin_cannot_be_disabled(admin: Api) -> None:
    me = admin.user["id"]
    status, body = await admin.patch(f"/api/users/{me}", json={"disabled": True})
    assert status == 409 and error_code(body) == "last_admin"
    status, body = await admin.patch(f"/api/users/{me}", json={"roles": ["delegate"]})
    assert status == 409 and error_code(body) == "last_admin"


async def test_reset_password(admin: Api, login_as, new_api) -> None:
    victim = await login_as("ct.vinh-hanh")
    uid = await _user_id(admin, "ct.vinh-hanh")
    status, body = await admin.post(f"/api/users/{uid}/reset-password")
    assert status == 200
    assert (await victim.get("/api/auth/session"))[0] == 401
    fresh = await new_api()
    await fresh.login("ct.vinh-hanh", body["password"])


async def test_read_self_but_not_others_without_directory_right(login_as) -> None:
    site = await login_as("xa-vinh-hanh")
    me = site.user["id"]
    assert (await site.get(f"/api/users/{me}"))[0] == 200
    status, body = await site.get(f"/api/users/{me + 1}")
    assert status == 403 and error_code(body) == "forbidden"
    status, body = await site.get("/api/users")
    assert status == 403
