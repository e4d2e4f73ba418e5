"""Bulk import of users from CSV: all rows or none, with a per-row report."""

from __future__ import annotations

from tests.conftest import Api, error_code

HEADER = "username,full_name,unit_code,roles,email,title,password\n"


async def _import(api: Api, text: str | bytes) -> tuple[int, dict]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return await api.post("/api/users/import", data=data, headers={"Content-Type": "text/csv"})


async def test_import_vietnamese_names_with_bom(admin: Api, new_api) -> None:
    csv = (
        "\ufeff"
        + HEADER
        + "pct.an-hoa,Nguyễn Thị Hồng Nhung,xa-an-hoa,delegate,nhung@anhoa.gov.vn,Phó Chủ tịch,\n"
        + "cv.vanhoa,Trịnh Đức Ưng,p-van-hoa-thong-tin,delegate;secretary,,Chuyên viên,mat-khau-8\n"
    )
    status, body = await _import(admin, csv)
    assert status == 200, body
    assert body["created"] == 2
    generated = {u["username"]: u["password"] for u in body["users"]}
    assert generated["cv.vanhoa"] is None  # set in the file: not echoed back
    _, listing = await admin.get("/api/users?q=cv.vanhoa")
    user = listing["users"][0]
    assert user["full_name"] == "Trịnh Đức Ưng"
    assert user["roles"] == ["delegate", "secretary"]
    assert user["unit_name"] == "Phòng Văn hóa và Thông tin"
    fresh = await new_api()
    await fresh.login("pct.an-hoa", generated["pct.an-hoa"])


async def test_one_bad_row_imports_nothing_and_reports_each_row(admin: Api) -> None:
    csv = (
        HEADER
        + "ok.user,Người Tốt,xa-an-hoa,delegate,,,\n"  # line 2: fine
        + "thuky,Trùng Tên,xa-an-hoa,delegate,,,\n"  # line 3: username taken
        + "bad.unit,Sai Đơn Vị,khong-co,delegate,,,\n"  # line 4: unknown unit
        + "bad.role,Sai Vai Trò,xa-an-hoa,emperor,,,\n"  # line 5: unknown role
        + "ok.user,Trùng Trong Tệp,xa-an-hoa,delegate,,,\n"  # line 6: duplicate in file
        + "short.pw,Mật Khẩu Ngắn,xa-an-hoa,delegate,,,123\n"  # line 7: password too short
    )
    status, body = await _import(admin, csv)
    assert status == 422 and error_code(body) == "import_invalid"
    rows = {r["row"]: r["errors"] for r in body["error"]["details"]["rows"]}
    assert sorted(rows) == [3, 4, 5, 6, 7]
    assert "thuky" in rows[3][0]
    assert "khong-co" in rows[4][0]
    assert "5 dòng có lỗi" in body["error"]["message"]
    _, listing = await admin.get("/api/users?q=ok.user")
    assert listing["users"] == []


async def test_report_in_english(admin: Api) -> None:
    status, body = await admin.post(
        "/api/users/import",
        data=(HEADER + "bad.unit,X Y,none,delegate,,,\n").encode(),
        headers={"Content-Type": "text/csv", "Accept-Language": "en"},
    )
    assert status == 422
    assert body["error"]["details"]["rows"][0]["errors"] == ["Unit code “none” does not exist."]


async def test_not_utf8_missing_columns_and_empty(admin: Api) -> None:
    status, body = await _import(
        admin, (HEADER + "a.b.c,Hòa,xa-an-hoa,delegate,,,\n").encode("latin-1")
    )
    assert status == 422 and "UTF-8" in body["error"]["message"]
    status, body = await _import(admin, "username,full_name\nabc,Tên\n")
    assert status == 422 and "unit_code" in body["error"]["message"]
    status, body = await _import(admin, HEADER)
    assert status == 422 and error_code(body) == "import_invalid"


async def test_wrong_content_type_and_too_large(admin: Api) -> None:
    status, body = await admin.post("/api/users/import", json={"rows": []})
    assert status == 415 and error_code(body) == "unsupported_media_type"
    big = HEADER + ("x" * 1000 + "\n") * 2100
    status, body = await _import(admin, big)
    assert status == 413 and error_code(body) == "too_large"


async def test_only_admin_imports(login_as) -> None:
    secretary = await login_as("thuky")
    status, body = await _import(secretary, HEADER + "a.b.c,Tên,xa-an-hoa,delegate,,,\n")
    assert status == 403 and error_code(body) == "forbidden"
