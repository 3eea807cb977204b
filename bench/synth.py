"""Synthetic OpenAPI 3.0 specs of any number of operations, for the scaling rows of
``make bench``.

The spec is a set of resources (``/things0001``, ``/things0001/{thing_id}``, ...), each with
up to five operations: list (query parameters: page size, cursor, an enum filter, an array of
strings), create (a request body model), get, update (path parameter and request body) and
delete. Each resource has its own models: the resource (nested object, arrays of a nested model,
an enum, date-time, a free-form map), its create/update body and its page, plus shared
``Error`` and ``PageInfo`` models. Resources are spread over six tags. Everything grows with the
operation count, so the spec is a fair ruler for time per operation.

The output is a pure function of the operation count: same count, same bytes.

Command line: ``python bench/synth.py N [N ...] --out FOLDER`` writes ``FOLDER/synth-N.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Sequence

TAGS = ("Catalog", "Orders", "Billing", "Accounts", "Reports", "Settings")
KINDS = ("list", "create", "get", "update", "delete")
JSON = "application/json"

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _content(schema: Schema) -> Schema:
    return {JSON: {"schema": schema}}


def _error_responses() -> Schema:
    return {
        "404": {"description": "Not found", "content": _content(_ref("Error"))},
        "default": {"description": "Unexpected error", "content": _content(_ref("Error"))},
    }


def resource_schemas(name: str) -> dict[str, Schema]:
    """The models of one resource, named after it (``Thing0001``, ``Thing0001Create``, ...)."""
    return {
        name: {
            "type": "object",
            "description": f"A {name}.",
            "required": ["id", "name", "status"],
            "properties": {
                "id": {"type": "string", "readOnly": True, "example": "abc123"},
                "name": {"type": "string", "description": "Display name.", "example": "Widget"},
                "status": _ref(f"{name}Status"),
                "quantity": {"type": "integer", "format": "int32", "minimum": 0},
                "price": {"type": "number", "format": "double", "nullable": True},
                "labels": {"type": "array", "items": {"type": "string"}},
                "dimensions": _ref(f"{name}Dimensions"),
                "parts": {"type": "array", "items": _ref(f"{name}Part")},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            },
        },
        f"{name}Status": {
            "type": "string",
            "description": f"Lifecycle of a {name}.",
            "enum": ["draft", "active", "suspended", "archived"],
        },
        f"{name}Dimensions": {
            "type": "object",
            "properties": {
                "width": {"type": "number"},
                "height": {"type": "number"},
                "unit": {"type": "string", "enum": ["mm", "cm", "in"]},
            },
        },
        f"{name}Part": {
            "type": "object",
            "required": ["sku"],
            "properties": {
                "sku": {"type": "string"},
                "count": {"type": "integer"},
                "optional": {"type": "boolean", "default": False},
            },
        },
        f"{name}Create": {
            "type": "object",
            "description": f"What a new or changed {name} is made of.",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "status": _ref(f"{name}Status"),
                "quantity": {"type": "integer", "format": "int32"},
                "labels": {"type": "array", "items": {"type": "string"}},
                "dimensions": _ref(f"{name}Dimensions"),
            },
        },
        f"{name}Page": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {"type": "array", "items": _ref(name)},
                "page_info": _ref("PageInfo"),
            },
        },
    }


def _list_operation(name: str, tag: str) -> Schema:
    return {
        "operationId": f"list{name}s",
        "summary": f"List {name}s",
        "tags": [tag],
        "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            {"name": "status", "in": "query", "schema": _ref(f"{name}Status")},
            {
                "name": "labels",
                "in": "query",
                "style": "form",
                "explode": True,
                "schema": {"type": "array", "items": {"type": "string"}},
            },
        ],
        "responses": {
            "200": {"description": "A page", "content": _content(_ref(f"{name}Page"))},
            **_error_responses(),
        },
    }


def _item_operation(kind: str, name: str, tag: str, id_param: Schema) -> Schema:
    operation: Schema = {
        "operationId": f"{kind}{name}",
        "summary": f"{kind.capitalize()} a {name}",
        "tags": [tag],
    }
    if kind != "create":
        operation["parameters"] = [id_param]
    if kind in ("create", "update"):
        operation["requestBody"] = {"required": True, "content": _content(_ref(f"{name}Create"))}
    if kind == "delete":
        success: Schema = {"204": {"description": "Deleted"}}
    else:
        success = {"200": {"description": f"The {name}", "content": _content(_ref(name))}}
    operation["responses"] = {**success, **_error_responses()}
    return operation


def resource_paths(index: int, kinds: Sequence[str]) -> dict[str, Schema]:
    """The path items of resource ``index`` holding the operations ``kinds``."""
    name = f"Thing{index:04d}"
    tag = TAGS[index % len(TAGS)]
    collection = f"/things{index:04d}"
    item = f"{collection}/{{thing_id}}"
    id_param = {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}
    methods = {"list": "get", "create": "post", "get": "get", "update": "put", "delete": "delete"}
    paths: dict[str, Schema] = {}
    for kind in kinds:
        path = collection if kind in ("list", "create") else item
        if kind == "list":
            operation = _list_operation(name, tag)
        else:
            operation = _item_operation(kind, name, tag, id_param)
        paths.setdefault(path, {})[methods[kind]] = operation
    return paths


def shared_schemas() -> dict[str, Schema]:
    return {
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "string"}},
            },
        },
        "PageInfo": {
            "type": "object",
            "properties": {
                "next_cursor": {"type": "string", "nullable": True},
                "total": {"type": "integer"},
            },
        },
    }


def synth_spec(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.0.3 document with exactly ``operations`` operations."""
    if operations < 1:
        raise ValueError("a spec needs at least one operation")
    paths: dict[str, Schema] = {}
    schemas = shared_schemas()
    resources = (operations + len(KINDS) - 1) // len(KINDS)
    for index in range(1, resources + 1):
        kinds = KINDS[: min(len(KINDS), operations - (index - 1) * len(KINDS))]
        paths.update(resource_paths(index, kinds))
        schemas.update(resource_schemas(f"Thing{index:04d}"))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Synthetic API ({operations} operations)",
            "version": "1.0.0",
            "description": "Made by bench/synth.py for make bench.",
        },
        "servers": [{"url": "https://api.example.com/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": tag} for tag in TAGS],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def write_spec(operations: int, folder: Path) -> Path:
    """``folder/synth-N.json``, rewritten only when its bytes would change."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synth-{operations}.json"
    text = json.dumps(synth_spec(operations), indent=2) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/synth.py", description=__doc__.splitlines()[0])
    parser.add_argument("operations", nargs="+", type=int, metavar="N")
    parser.add_argument("--out", type=Path, required=True, help="folder for synth-N.json")
    args = parser.parse_args(argv)
    for count in args.operations:
        print(write_spec(count, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
