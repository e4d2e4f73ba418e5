"""/api/openapi.json describes every route the app serves, and nothing it does not."""

from __future__ import annotations

import re

from tests.conftest import Api

API_PREFIXES = ("/api/", "/healthz", "/metrics")


async def test_every_route_is_documented(server, anon: Api) -> None:
    status, doc = await anon.get("/api/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    served = set()
    for route in server.app.router.routes():
        info = route.get_info()
        path = info.get("formatter") or info.get("path") or ""
        if route.method != "HEAD" and path.startswith(API_PREFIXES):
            served.add((route.method, path))
    assert served == documented


async def test_schemas_resolve(anon: Api) -> None:
    _, doc = await anon.get("/api/openapi.json")
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', str(doc).replace("'", '"')))
    assert refs and refs <= set(doc["components"]["schemas"])
    login = doc["paths"]["/api/auth/login"]["post"]
    assert {"200", "401", "429"} <= set(login["responses"])
    create = doc["paths"]["/api/units"]["post"]
    assert any(p["name"] == "X-CSRF-Token" for p in create["parameters"])
