"""OpenAPI 3.1 document generated from the route table and the pydantic schemas."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel

from server.api.routes import ROUTES, Route
from server.schemas import ErrorOut

REF = "#/components/schemas/{model}"


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _operation(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": route.summary,
        "tags": [route.tag],
        "operationId": f"{route.handler.__module__.rsplit('.', 1)[-1]}_{route.handler.__name__}",
        "responses": {},
    }
    params = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "integer"}}
        for n in re.findall(r"{(\w+)}", route.path)
    ] + [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
        for n in route.query
    ]
    if params:
        op["parameters"] = params
    if isinstance(route.body, str):
        op["requestBody"] = {
            "required": True,
            "content": {route.body: {"schema": {"type": "string"}}},
        }
    elif route.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(route.body, components)}},
        }
    ok: dict[str, Any] = {"description": "OK"}
    if route.response is not None:
        ok["content"] = {"application/json": {"schema": _ref(route.response, components)}}
    op["responses"][str(route.status)] = ok
    error = {"content": {"application/json": {"schema": _ref(ErrorOut, components)}}}
    for status in sorted({400, *route.errors}):
        op["responses"][str(status)] = {"description": "Error", **error}
    if route.csrf and route.method not in {"GET", "HEAD"}:
        op["parameters"] = [
            *op.get("parameters", []),
            {
                "name": "X-CSRF-Token",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            },
        ]
    return op


@cache
def document() -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "eCabinet API", "version": "0.1.0"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "ecabinet_session"}
            },
        },
        "security": [{"session": []}],
    }
