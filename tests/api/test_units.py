"""The organisation tree: any depth, admin-only changes, no cycles."""

from __future__ import annotations

from tests.conftest import Api, error_code


async def _unit_id(api: Api, code: str) -> int:
    _, body = await api.get("/api/units")
    return next(u["id"] for u in body["units"] if u["code"] == code)


async def test_demo_district_has_13_communes_and_departments(login_as) -> None:
    api = await login_as("xa-vinh-hanh")  # any account may read the tree
    status, body = await api.get("/api/units")
    assert status == 200
    by_kind: dict[str, list[str]] = {}
    for unit in body["units"]:
        by_kind.setdefault(unit["kind"], []).append(unit["name"])
    assert by_kind["host"] == ["Ủy ban nhân dân huyện Châu Thành"]
    assert len(by_kind["commune"]) == 13
    assert "Xã Vĩnh Hanh" in by_kind["commune"] and "Thị trấn An Châu" in by_kind["commune"]
    assert "Phòng Tài chính – Kế hoạch" in by_kind["department"]


async def test_tree_of_any_depth(admin: Api) -> None:
    """A ward under five levels under a province: nothing assumes two levels."""
    status, body = await admin.post(
        "/api/units", json={"name": "UBND tỉnh An Giang", "kind": "host", "code": "ubnd-an-giang"}
    )
    assert status == 201, body
    parent = body["unit"]["id"]
    for depth in range(6):
        status, body = await admin.post(
            "/api/units",
            json={
                "name": f"Cấp {depth}",
                "kind": "other",
                "code": f"cap-{depth}",
                "parent_id": parent,
            },
        )
        assert status == 201, body
        parent = body["unit"]["id"]
    status, body = await admin.post(
        "/api/units",
        json={"name": "Phường Mỹ Bình", "kind": "ward", "code": "p-my-binh", "parent_id": parent},
    )
    assert status == 201 and body["unit"]["parent_id"] == parent


async def test_province_with_a_hundred_communes(admin: Api) -> None:
    _, body = await admin.post(
        "/api/units", json={"name": "UBND tỉnh", "kind": "host", "code": "tinh"}
    )
    province = body["unit"]["id"]
    for i in range(100):
        status, _ = await admin.post(
            "/api/units",
            json={
                "name": f"Xã số {i}",
                "kind": "commune",
                "code": f"xa-so-{i}",
                "parent_id": province,
            },
        )
        assert status == 201
    _, body = await admin.get("/api/units")
    assert sum(1 for u in body["units"] if u["parent_id"] == province) == 100


async def test_edit_rename_move_and_disable(admin: Api) -> None:
    uid = await _unit_id(admin, "xa-tan-phu")
    host = await _unit_id(admin, "ubnd-chau-thanh")
    office = await _unit_id(admin, "vp-hdnd-ubnd")
    status, body = await admin.patch(
        f"/api/units/{uid}", json={"name": "Xã Tân Phú (mới)", "parent_id": office}
    )
    assert status == 200 and body["unit"]["name"] == "Xã Tân Phú (mới)"
    assert body["unit"]["parent_id"] == office
    status, body = await admin.patch(
        f"/api/units/{uid}", json={"disabled": True, "parent_id": host}
    )
    assert status == 200 and body["unit"]["disabled"] is True
    _, audit = await admin.get("/api/audit?object_type=unit")
    assert [e["action"] for e in audit["entries"][:2]] == ["unit.update", "unit.update"]
    assert audit["entries"][0]["details"] == {"disabled": True, "parent_id": host}


async def test_cycles_are_refused(admin: Api) -> None:
    host = await _unit_id(admin, "ubnd-chau-thanh")
    commune = await _unit_id(admin, "xa-vinh-hanh")
    status, body = await admin.patch(f"/api/units/{host}", json={"parent_id": commune})
    assert status == 422 and error_code(body) == "unit_cycle"
    status, body = await admin.patch(f"/api/units/{host}", json={"parent_id": host})
    assert status == 422 and error_code(body) == "unit_cycle"


async def test_duplicate_code_and_missing_parent(admin: Api) -> None:
    status, body = await admin.post(
        "/api/units", json={"name": "Trùng", "kind": "commune", "code": "xa-vinh-hanh"}
    )
    assert status == 409 and error_code(body) == "unit_code_taken"
    assert "Xã Vĩnh Hanh" in body["error"]["message"]
    status, body = await admin.post(
        "/api/units",
        json={"name": "Mồ côi", "kind": "commune", "code": "mo-coi", "parent_id": 9999},
    )
    assert status == 404 and error_code(body) == "unit_not_found"
    status, body = await admin.patch("/api/units/9999", json={"name": "x"})
    assert status == 404 and error_code(body) == "unit_not_found"


async def test_bad_unit_input(admin: Api) -> None:
    status, body = await admin.post(
        "/api/units", json={"name": "", "kind": "castle", "code": "Có Dấu"}
    )
    assert status == 422 and error_code(body) == "invalid_input"
    fields = {f["field"] for f in body["error"]["details"]["fields"]}
    assert fields == {"name", "kind", "code"}
    status, body = await admin.post(
        "/api/units", json={"name": "X", "kind": "commune", "code": "x-y", "extra": 1}
    )
    assert status == 422 and error_code(body) == "invalid_input"
