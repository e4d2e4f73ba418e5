"""The permission matrix: every route × every role, allowed or refused (as OpenSlides does)."""

from __future__ import annotations

import pytest

from tests.conftest import error_code

ROLES = {
    "admin": "quantri",
    "secretary": "thuky",
    "chair": "chutich",
    "delegate": "tp.noivu",
    "site": "xa-vinh-hanh",
}

# (method, path, body, roles allowed). Bodies are valid, so "allowed" means a 2xx answer.
CASES = [
    ("GET", "/api/units", None, {"admin", "secretary", "chair", "delegate", "site"}),
    ("POST", "/api/units", {"name": "Xã Thử", "kind": "commune", "code": "xa-thu"}, {"admin"}),
    ("PATCH", "/api/units/1", {"name": "Ủy ban nhân dân huyện Châu Thành"}, {"admin"}),
    ("GET", "/api/users", None, {"admin", "secretary", "chair"}),
    ("GET", "/api/users/1", None, {"admin", "secretary", "chair"}),
    (
        "POST",
        "/api/users",
        {"username": "thu.nghiem", "full_name": "Thử", "unit_id": 1, "roles": ["delegate"]},
        {"admin"},
    ),
    ("PATCH", "/api/users/2", {"title": "Chủ tịch UBND huyện"}, {"admin"}),
    ("POST", "/api/users/4/reset-password", None, {"admin"}),
    ("GET", "/api/audit", None, {"admin"}),
]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), CASES, ids=[f"{m} {p}" for m, p, _, _ in CASES]
)
async def test_matrix(login_as, anon, role, method, path, body, allowed) -> None:
    api = await login_as(ROLES[role])
    status, answer = await api.call(method, path, json=body)
    if role in allowed:
        assert 200 <= status < 300, answer
    else:
        assert status == 403 and error_code(answer) == "forbidden"
    status, answer = await anon.call(method, path, json=body)
    assert status == 401 and error_code(answer) == "not_authenticated"
