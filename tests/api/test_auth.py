"""Logging in and out, sessions, CSRF and throttling, through the real HTTP server."""

from __future__ import annotations

import asyncio

from tests.conftest import DEMO_PASSWORD, Api, error_code


async def test_login_sets_httponly_samesite_cookie(anon: Api) -> None:
    resp = await anon.client.post(
        "/api/auth/login", json={"username": "thuky", "password": DEMO_PASSWORD}
    )
    body = await resp.json()
    assert resp.status == 200
    assert body["user"]["username"] == "thuky"
    assert body["user"]["full_name"] == "Nguyễn Thị Thu Hà"
    assert set(body["user"]["roles"]) == {"secretary", "delegate"}
    cookie = resp.cookies["ecabinet_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert "password_hash" not in body["user"]


async def test_username_is_case_insensitive(anon: Api) -> None:
    body = await anon.login("ThuKy")
    assert body["user"]["username"] == "thuky"


async def test_wrong_password_and_unknown_user_look_the_same(anon: Api) -> None:
    s1, b1 = await anon.post("/api/auth/login", json={"username": "thuky", "password": "nope"})
    s2, b2 = await anon.post("/api/auth/login", json={"username": "nobody", "password": "nope"})
    assert (s1, error_code(b1)) == (s2, error_code(b2)) == (401, "bad_credentials")


async def test_session_reports_user_and_csrf(login_as) -> None:
    api = await login_as("chutich")
    status, body = await api.get("/api/auth/session")
    assert status == 200
    assert body["user"]["username"] == "chutich"
    assert body["csrf_token"] == api.csrf


async def test_no_session_is_401_in_json(anon: Api) -> None:
    status, body = await anon.get("/api/auth/session")
    assert status == 401 and error_code(body) == "not_authenticated"
    status, body = await anon.get("/api/units")
    assert status == 401 and error_code(body) == "not_authenticated"


async def test_messages_follow_accept_language(anon: Api) -> None:
    _, vi = await anon.get("/api/units")
    _, en = await anon.get("/api/units", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "đăng nhập" in vi["error"]["message"]
    assert "not logged in" in en["error"]["message"]


async def test_state_change_without_csrf_is_refused_and_changes_nothing(admin: Api) -> None:
    before = await admin.get("/api/units")
    admin_csrf, admin.csrf = admin.csrf, None
    status, body = await admin.post(
        "/api/units", json={"name": "Xã Mới", "kind": "commune", "code": "xa-moi"}
    )
    assert status == 403 and error_code(body) == "csrf_failed"
    status, body = await admin.post(
        "/api/units",
        json={"name": "Xã Mới", "kind": "commune", "code": "xa-moi"},
        headers={"X-CSRF-Token": "forged"},
    )
    assert status == 403 and error_code(body) == "csrf_failed"
    admin.csrf = admin_csrf
    assert await admin.get("/api/units") == before


async def test_login_from_foreign_origin_is_refused(anon: Api) -> None:
    status, body = await anon.post(
        "/api/auth/login",
        json={"username": "thuky", "password": DEMO_PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert status == 403 and error_code(body) == "bad_origin"


async def test_logout_revokes_the_session_server_side(login_as) -> None:
    api = await login_as("thuky")
    stolen = api.client.session.cookie_jar.filter_cookies(api.client.make_url("/"))
    status, _ = await api.post("/api/auth/logout")
    assert status == 204
    # Replaying the old cookie must not work: the session is revoked in the database.
    replay = await api.client.get(
        "/api/auth/session", cookies={"ecabinet_session": stolen["ecabinet_session"].value}
    )
    assert replay.status == 401


async def test_logout_everywhere_ends_other_devices(login_as) -> None:
    laptop = await login_as("thuky")
    tablet = await login_as("thuky")
    assert (await tablet.get("/api/auth/session"))[0] == 200
    status, _ = await laptop.post("/api/auth/logout-all")
    assert status == 204
    assert (await tablet.get("/api/auth/session"))[0] == 401
    assert (await laptop.get("/api/auth/session"))[0] == 401


async def test_change_password_keeps_this_session_and_ends_others(login_as, new_api) -> None:
    laptop = await login_as("tp.noivu")
    tablet = await login_as("tp.noivu")
    status, body = await laptop.post(
        "/api/me/password",
        json={"current_password": "wrong", "new_password": "mat-khau-moi-2026"},
    )
    assert status == 401 and error_code(body) == "bad_current_password"
    status, body = await laptop.post(
        "/api/me/password", json={"current_password": DEMO_PASSWORD, "new_password": "short"}
    )
    assert status == 422 and error_code(body) == "password_too_short"
    status, _ = await laptop.post(
        "/api/me/password",
        json={"current_password": DEMO_PASSWORD, "new_password": "mat-khau-moi-2026"},
    )
    assert status == 204
    assert (await laptop.get("/api/auth/session"))[0] == 200
    assert (await tablet.get("/api/auth/session"))[0] == 401
    fresh = await new_api()
    await fresh.login("tp.noivu", "mat-khau-moi-2026")


async def test_repeated_failures_are_throttled_then_recover(server, new_api) -> None:
    attacker = await new_api()
    for _ in range(5):
        status, _ = await attacker.post(
            "/api/auth/login", json={"username": "chutich", "password": "guess"}
        )
        assert status == 401
    resp = await attacker.client.post(
        "/api/auth/login", json={"username": "chutich", "password": DEMO_PASSWORD}
    )
    body = await resp.json()
    # Even the right password waits: otherwise the lock would tell a guesser when they hit it.
    assert resp.status == 429 and error_code(body) == "login_throttled"
    assert int(resp.headers["Retry-After"]) >= 1
    # Another account is not affected.
    other = await new_api()
    await other.login("thuky")
    metrics = await (await other.client.get("/metrics")).text()
    assert 'ecabinet_logins_total{outcome="bad_credentials"} 5.0' in metrics
    assert 'ecabinet_logins_total{outcome="login_throttled"} 1.0' in metrics


async def test_failed_logins_are_audited(admin: Api, new_api) -> None:
    api = await new_api()
    await api.post("/api/auth/login", json={"username": "thuky", "password": "x"})
    status, body = await admin.get("/api/audit?object_type=user")
    assert status == 200
    failed = [e for e in body["entries"] if e["action"] == "auth.login_failed"]
    assert failed and failed[0]["details"]["username"] == "thuky"
    assert failed[0]["ip"] == "127.0.0.1"


async def test_disabled_user_cannot_log_in(admin: Api, new_api) -> None:
    _, users = await admin.get("/api/users?q=tp.tuphap")
    uid = users["users"][0]["id"]
    victim = await new_api()
    await victim.login("tp.tuphap")
    status, _ = await admin.patch(f"/api/users/{uid}", json={"disabled": True})
    assert status == 200
    assert (await victim.get("/api/auth/session"))[0] == 401
    status, body = await (await new_api()).post(
        "/api/auth/login", json={"username": "tp.tuphap", "password": DEMO_PASSWORD}
    )
    assert status == 401 and error_code(body) == "bad_credentials"


async def test_concurrent_logins_each_get_a_session(new_api) -> None:
    apis = [await new_api() for _ in range(5)]
    await asyncio.gather(*(a.login("xa-vinh-hanh") for a in apis))
    assert len({a.csrf for a in apis}) == 5
