"""Malformed requests get the JSON error shape, never a 500 or a stack trace."""

from __future__ import annotations

import re

import pytest
from yarl import URL

from server.api.routes import ROUTES
from tests.conftest import Api, error_code


async def test_malformed_json(admin: Api) -> None:
    status, body = await admin.post(
        "/api/units", data=b'{"name": "x", ', headers={"Content-Type": "application/json"}
    )
    assert status == 400 and error_code(body) == "bad_json"
    status, body = await admin.post(
        "/api/units", data=b"\xff\xfe", headers={"Content-Type": "application/json"}
    )
    assert status == 400 and error_code(body) == "bad_json"


async def test_json_of_the_wrong_shape(admin: Api) -> None:
    for payload in (b"[]", b'"text"', b"null", b"42"):
        status, body = await admin.post(
            "/api/units", data=payload, headers={"Content-Type": "application/json"}
        )
        assert status == 422 and error_code(body) == "invalid_input", payload


async def test_form_instead_of_json(admin: Api) -> None:
    status, body = await admin.post("/api/units", data={"name": "x"})
    assert status == 415 and error_code(body) == "unsupported_media_type"


async def test_oversized_body(admin: Api) -> None:
    huge = b'{"name": "' + b"a" * 1_100_000 + b'"}'
    status, body = await admin.post(
        "/api/units", data=huge, headers={"Content-Type": "application/json"}
    )
    assert status == 413 and error_code(body) == "too_large"


async def test_unknown_route_and_method(admin: Api) -> None:
    status, body = await admin.get("/api/nothing-here")
    assert status == 404 and error_code(body) == "not_found"
    status, body = await admin.call("DELETE", "/api/units")
    assert status == 405 and error_code(body) == "method_not_allowed"


async def test_non_integer_ids(admin: Api) -> None:
    status, body = await admin.patch("/api/units/abc", json={"name": "x"})
    assert status == 400 and error_code(body) == "bad_parameter"
    status, body = await admin.get("/api/users?unit_id=abc")
    assert status == 400 and error_code(body) == "bad_parameter"


# A valid body for each schema, so that only the missing object can be wrong.
VALID = {
    "UnitPatch": {"name": "x"},
    "UserPatch": {"title": "x"},
    "MeetingPatch": {"title": "x"},
    "PostponeIn": {
        "starts_at": "2030-01-01T08:00:00+07:00",
        "ends_at": "2030-01-01T09:00:00+07:00",
        "reason": "x",
    },
    "ReasonIn": {"reason": "x"},
    "AgendaItemIn": {"title": "x"},
    "AgendaItemPatch": {"title": "x"},
    "AgendaOrderIn": {"items": []},
    "InviteIn": {},
    "AnswerIn": {"answer": "attending"},
    "DocumentPatch": {"title": "x"},
    "NoteIn": {"page": 1, "text": "x"},
    "NoteText": {"text": "x"},
    "RoundIn": {"deadline": "2030-01-01T08:00:00+07:00"},
    "CommentIn": {"page": 1, "text": "x"},
    "TaskCreate": {"title": "x", "due_on": "2030-01-01", "assignee_unit_id": 1},
    "TaskPatch": {"status": "done"},
    "MinutesContent": {"content": {}},
    "SignIn": {"password": "x"},
}


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if "{id}" in r.path], ids=lambda r: f"{r.method} {r.path}"
)
async def test_missing_objects_are_404(admin: Api, route) -> None:
    body = VALID[route.body.__name__] if route.body and not isinstance(route.body, str) else None
    path = re.sub(r"{\w+}", "424242", route.path)
    status, answer = await admin.call(route.method, path, json=body)
    assert status == 404, answer
    assert error_code(answer).endswith("_not_found")


async def test_health_and_metrics(admin: Api, anon: Api) -> None:
    status, body = await anon.get("/healthz")
    assert status == 200 and body == {"status": "ok", "database": "ok"}
    resp = await anon.client.get("/metrics")
    text = await resp.text()
    assert resp.status == 200
    assert 'ecabinet_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "ecabinet_http_request_seconds_bucket" in text


async def test_web_client_paths_serve_the_page_or_a_hint(anon: Api) -> None:
    resp = await anon.client.get("/admin/users")
    assert resp.status in {200, 503}
    assert "eCabinet" in await resp.text()
    for path in (
        "/assets/../../pyproject.toml",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/assets/..%2f..%2fpyproject.toml",
    ):
        resp = await anon.client.get(URL(path, encoded=True))
        assert "[project]" not in await resp.text(), path


async def test_validation_problems_in_vietnamese_and_english(admin: Api) -> None:
    bad = {"name": "", "kind": "castle", "code": "x-y", "extra": 1}
    status, vi = await admin.post("/api/units", json=bad)
    assert status == 422
    problems = {f["field"]: f["problem"] for f in vi["error"]["details"]["fields"]}
    assert problems["name"] == "quá ngắn (tối thiểu 1 ký tự)"
    assert problems["kind"].startswith("phải là một trong:")
    assert problems["extra"] == "không được phép có trường này"
    assert "name: quá ngắn" in vi["error"]["message"]
    _, en = await admin.post("/api/units", json=bad, headers={"Accept-Language": "en"})
    problems = {f["field"]: f["problem"] for f in en["error"]["details"]["fields"]}
    assert problems["name"] == "String should have at least 1 character"
