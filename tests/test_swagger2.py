"""Swagger 2.0 input (generator/parser/swagger2.py): validation, conversion, pointer mapping.

Fixtures are in tests/fixtures/swagger2/: one small spec per conversion rule (the exact
converted document is asserted), a petstore-like spec, ``library.yaml`` that clientgen builds
end to end, and ``bad/`` specs whose located diagnostics are asserted. A property test converts
random small 2.0 specs and checks the result is valid OpenAPI 3.0.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV30SpecValidator

from generator.diagnostics import Pointer, SpecError, format_pointer
from generator.loader import SpecDocument, is_swagger2, load
from generator.parser import swagger2
from generator.parser.build import build
from generator.validate import validate

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "swagger2"
SPECS = sorted(FIXTURES.glob("*.yaml"))


def fixture(name: str) -> SpecDocument:
    return load(FIXTURES / name, f"swagger2/{name}")


def converted(name: str) -> dict[str, Any]:
    return swagger2.convert(fixture(name).data)[0]


def errors_30(document: dict[str, Any]) -> list[str]:
    return [str(e) for e in OpenAPIV30SpecValidator(document).iter_errors()]


def pointers(node: Any, prefix: Pointer = ()) -> Iterator[Pointer]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from pointers(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from pointers(value, prefix + (index,))


def containers(node: Any) -> Iterator[Any]:
    if isinstance(node, (dict, list)):
        yield node
        for value in node.values() if isinstance(node, dict) else node:
            yield from containers(value)


def exists(data: Any, pointer: Pointer) -> bool:
    for part in pointer:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


# -- every fixture -----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_fixture_is_valid_2_0_and_converts_to_valid_3_0(spec: Path) -> None:
    doc = load(spec)
    assert is_swagger2(doc.data)
    assert swagger2.validate_v2(doc) == []
    before = copy.deepcopy(doc.data)
    result, back = swagger2.convert(doc.data)
    assert doc.data == before, "convert must not modify its input"
    assert result["openapi"] == "3.0.3"
    assert errors_30(result) == []
    assert swagger2.convert(doc.data)[0] == result, "convert must be deterministic"
    shared = {id(c) for c in containers(doc.data)} & {id(c) for c in containers(result)}
    assert not shared, "the result must share no dict or list with the input"
    for pointer in pointers(result):
        assert exists(doc.data, back(pointer)), pointer


# -- one rule per fixture: the exact converted document ----------------------------------------


def test_servers() -> None:
    assert converted("servers.yaml") == {
        "openapi": "3.0.3",
        "info": {"title": "Servers", "version": "1"},
        "servers": [
            {"url": "https://api.example.com:8443/base"},
            {"url": "http://api.example.com:8443/base"},
        ],
        "paths": {
            "/ping": {"get": {"responses": {"204": {"description": "pong"}}}},
            "/stream": {
                "get": {
                    "servers": [{"url": "wss://api.example.com:8443/base"}],
                    "responses": {"204": {"description": "streamed"}},
                }
            },
        },
    }


@pytest.mark.parametrize(
    "fields, servers",
    [
        ({"host": "h.example.com"}, [{"url": "https://h.example.com"}]),
        ({"host": "h.example.com", "basePath": "/"}, [{"url": "https://h.example.com"}]),
        ({"host": "h.example.com", "schemes": ["http"]}, [{"url": "http://h.example.com"}]),
        ({"basePath": "/v1"}, [{"url": "/v1"}]),
        ({"basePath": "/v1", "schemes": ["https"]}, [{"url": "/v1"}]),
        ({}, None),
    ],
)
def test_servers_defaults(fields: dict[str, Any], servers: list[dict[str, str]] | None) -> None:
    data = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, **fields, "paths": {}}
    result, _ = swagger2.convert(data)
    assert result.get("servers") == servers
    assert errors_30(result) == []


def test_body_parameter_becomes_request_body() -> None:
    assert converted("body.yaml") == {
        "openapi": "3.0.3",
        "info": {"title": "Bodies", "version": "1"},
        "paths": {
            "/items/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "put": {
                    "operationId": "replaceItem",
                    "parameters": [
                        {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}
                    ],
                    "requestBody": {
                        "description": "The new item",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}},
                            "application/merge-patch+json": {
                                "schema": {"$ref": "#/components/schemas/Item"}
                            },
                        },
                        "required": True,
                        "x-body-name": "item",
                        "x-origin": "user",
                    },
                    "responses": {"204": {"description": "replaced"}},
                },
                "post": {
                    "operationId": "postShared",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"type": "object"}}},
                        "x-body-name": "shared",
                    },
                    "responses": {"204": {"description": "posted"}},
                },
            }
        },
        "components": {
            "schemas": {"Item": {"type": "object", "properties": {"name": {"type": "string"}}}}
        },
    }


def test_form_data_becomes_form_request_body() -> None:
    paths = converted("form.yaml")["paths"]
    assert paths == {
        "/search": {
            "post": {
                "operationId": "search",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "lang": {"type": "string", "enum": ["en", "fr"]},
                                    "words": {
                                        "description": "Words to look for",
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                    "ids": {"type": "array", "items": {"type": "integer"}},
                                },
                                "required": ["words"],
                            },
                            "encoding": {
                                "words": {"style": "form", "explode": True},
                                "ids": {"style": "form", "explode": False},
                            },
                        }
                    },
                    "required": True,
                },
                "responses": {"200": {"description": "found"}},
            }
        },
        "/upload": {
            "post": {
                "operationId": "upload",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {
                                        "type": "string",
                                        "format": "binary",
                                        "x-max-size": "1MB",
                                    },
                                    "note": {"type": "string"},
                                },
                                "required": ["file"],
                            }
                        }
                    },
                    "required": True,
                },
                "responses": {"204": {"description": "stored"}},
            }
        },
    }


def test_form_media_type_without_consumes() -> None:
    def form(*params: dict[str, Any]) -> dict[str, Any]:
        op = {"parameters": list(params), "responses": {"204": {"description": "ok"}}}
        data = {
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/f": {"post": op}},
        }
        result, _ = swagger2.convert(data)
        assert errors_30(result) == []
        return result["paths"]["/f"]["post"]["requestBody"]["content"]  # type: ignore[no-any-return]

    text = {"name": "a", "in": "formData", "type": "string"}
    upload = {"name": "f", "in": "formData", "type": "file"}
    assert list(form(text)) == ["application/x-www-form-urlencoded"]
    assert list(form(text, upload)) == ["multipart/form-data"]


def test_form_parameters_by_reference_and_from_the_path_item() -> None:
    data: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/f": {
                "parameters": [{"name": "a", "in": "formData", "type": "string"}],
                "post": {
                    "consumes": ["multipart/form-data", "application/x-www-form-urlencoded"],
                    "parameters": [
                        {"name": "q", "in": "query", "type": "string"},
                        {"$ref": "#/parameters/B"},
                    ],
                    "responses": {"204": {"description": "ok"}},
                },
            }
        },
        "parameters": {"B": {"name": "b", "in": "formData", "type": "integer", "required": True}},
    }
    result, back = swagger2.convert(data)
    assert errors_30(result) == []
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["b"],
    }
    post = result["paths"]["/f"]["post"]
    assert post["requestBody"] == {
        "content": {
            "multipart/form-data": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        },
        "required": True,
    }
    assert "parameters" not in result["paths"]["/f"]
    assert post["parameters"] == [{"name": "q", "in": "query", "schema": {"type": "string"}}]
    assert result["components"] == {"parameters": {}}
    content = ("paths", "/f", "post", "requestBody", "content", "multipart/form-data")
    assert back(content + ("schema", "properties", "a")) == ("paths", "/f", "parameters", 0)
    assert back(content + ("schema", "properties", "b", "type")) == ("parameters", "B", "type")
    assert back(("paths", "/f", "post", "requestBody")) == ("paths", "/f", "parameters", 0)
    assert back(("paths", "/f", "post", "requestBody", "content")) == (
        "paths",
        "/f",
        "post",
        "consumes",
    )


def test_parameters() -> None:
    result = converted("parameters.yaml")
    assert result["paths"]["/things/{keys}"]["get"]["parameters"] == [
        {
            "name": "keys",
            "in": "path",
            "required": True,
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "simple",
            "explode": False,
        },
        {
            "name": "ssv",
            "in": "query",
            "schema": {
                "type": "array",
                "items": {"type": "integer", "format": "int32", "minimum": 0},
                "minItems": 1,
            },
            "style": "spaceDelimited",
            "explode": False,
        },
        {
            "name": "multi",
            "in": "query",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        },
        {"name": "flag", "in": "query", "allowEmptyValue": True, "schema": {"type": "boolean"}},
        {
            "name": "since",
            "in": "query",
            "x-example": "2020-01-01T00:00:00Z",
            "schema": {"type": "string", "format": "date-time", "nullable": True},
        },
        {
            "name": "X-Trace",
            "in": "header",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "simple",
            "explode": False,
        },
        {"$ref": "#/components/parameters/page"},
    ]
    assert result["components"] == {
        "parameters": {
            "page": {
                "name": "page",
                "in": "query",
                "schema": {
                    "type": "integer",
                    "default": 1,
                    "minimum": 1,
                    "exclusiveMinimum": False,
                    "multipleOf": 1,
                },
            }
        }
    }


@pytest.mark.parametrize(
    "location, fmt, style, explode",
    [
        ("query", None, "form", False),
        ("query", "csv", "form", False),
        ("query", "ssv", "spaceDelimited", False),
        ("query", "pipes", "pipeDelimited", False),
        ("query", "multi", "form", True),
        ("path", None, "simple", False),
        ("header", "csv", "simple", False),
    ],
)
def test_collection_formats(location: str, fmt: str | None, style: str, explode: bool) -> None:
    param: dict[str, Any] = {"name": "p", "in": location, "type": "array"}
    param["items"] = {"type": "string"}
    if location == "path":
        param["required"] = True
    if fmt:
        param["collectionFormat"] = fmt
    op = {"parameters": [param], "responses": {"204": {"description": "ok"}}}
    data = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/{p}": {"get": op}},
    }
    result, _ = swagger2.convert(data)
    converted_param = result["paths"]["/{p}"]["get"]["parameters"][0]
    assert (converted_param["style"], converted_param["explode"]) == (style, explode)


def test_responses() -> None:
    result = converted("responses.yaml")
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    report = {"type": "object", "properties": {"rows": {"type": "integer"}}}
    assert result["paths"] == {
        "/report": {
            "get": {
                "operationId": "getReport",
                "responses": {
                    "200": {
                        "description": "the report",
                        "content": {
                            "application/json": {"schema": report, "example": {"rows": 3}},
                            "text/csv": {"schema": report, "example": "rows\n3\n"},
                        },
                        "headers": {
                            "X-Total": {
                                "description": "total rows",
                                "schema": {"type": "integer"},
                            },
                            "X-Tags": {"schema": {"type": "array", "items": {"type": "string"}}},
                        },
                        "x-cache": 60,
                    },
                    # the shared response, copied: this operation produces other media types
                    "404": {
                        "description": "a problem",
                        "content": {
                            "application/json": {"schema": problem_ref},
                            "text/csv": {"schema": problem_ref},
                        },
                    },
                },
            }
        },
        "/file": {
            "get": {
                "operationId": "download",
                "responses": {
                    "200": {
                        "description": "the file",
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    "default": {
                        "description": "a problem",
                        "content": {"application/octet-stream": {"schema": problem_ref}},
                    },
                },
            }
        },
        "/empty": {
            "delete": {
                "operationId": "remove",
                "responses": {
                    "204": {"description": "gone"},
                    "default": {"$ref": "#/components/responses/Problem"},
                },
            }
        },
    }
    assert result["components"]["responses"] == {
        "Problem": {
            "description": "a problem",
            "content": {"application/json": {"schema": problem_ref}},
        }
    }


def test_schemas() -> None:
    assert converted("schemas.yaml")["components"] == {
        "schemas": {
            "Pet": {
                "type": "object",
                "discriminator": {
                    "propertyName": "petType",
                    "mapping": {"cat": "#/components/schemas/Cat"},
                },
                "required": ["petType"],
                "properties": {
                    "petType": {"type": "string"},
                    "owner": {
                        "allOf": [{"$ref": "#/components/schemas/Owner"}],
                        "nullable": True,
                    },
                    "nickname": {"type": "string", "nullable": True},
                    "age": {"type": "integer", "nullable": True},
                    "code": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "pair": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "attributes": {
                        "type": "object",
                        "additionalProperties": {
                            "$ref": "#/components/schemas/Owner/properties/name"
                        },
                    },
                    "id": {"type": "string", "readOnly": True, "xml": {"attribute": True}},
                },
                "x-links": {"owner": {"$ref": "#/components/schemas/Owner"}},
            },
            "Cat": {
                "x-discriminator-value": "cat",
                "allOf": [
                    {"$ref": "#/components/schemas/Pet"},
                    {
                        "type": "object",
                        "properties": {"lives": {"type": "integer", "default": 9}},
                    },
                ],
            },
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}]},
            "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Nothing": {"nullable": True, "enum": [None]},
        }
    }


def test_security_schemes() -> None:
    result = converted("security.yaml")
    authorize = "https://auth.example.com/authorize"
    token = "https://auth.example.com/token"
    assert result["components"] == {
        "securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"},
            "key": {
                "type": "apiKey",
                "name": "X-Api-Key",
                "in": "header",
                "description": "the key",
                "x-vault": "keys/api",
            },
            "implicit": {
                "type": "oauth2",
                "flows": {
                    "implicit": {"authorizationUrl": authorize, "scopes": {"read": "read things"}}
                },
            },
            "password": {
                "type": "oauth2",
                "flows": {"password": {"tokenUrl": token, "scopes": {}}},
            },
            "app": {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": token, "scopes": {}}},
            },
            "code": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": authorize,
                        "tokenUrl": token,
                        "scopes": {"read": "read things", "write": "write things"},
                    }
                },
            },
        }
    }
    assert result["security"] == [{"key": []}]
    assert result["paths"]["/me"]["get"]["security"] == [
        {"basic": []},
        {"key": []},
        {"code": ["read"]},
    ]


def test_petstore() -> None:
    result = converted("petstore.yaml")
    assert result["servers"] == [
        {"url": "https://petstore.example.com/v2"},
        {"url": "http://petstore.example.com/v2"},
    ]
    assert result["x-clientgen-retries"] == {"attempts": 2}
    paths = result["paths"]
    assert paths["/pet"]["post"]["requestBody"] == {
        "description": "Pet object that needs to be added to the store",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
            "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}},
        },
        "required": True,
        "x-body-name": "pet",
    }
    assert paths["/pet"]["post"]["responses"]["405"] == {
        "$ref": "#/components/responses/InvalidInput"
    }
    find = paths["/pet/findByStatus"]["get"]
    assert find["x-clientgen-method"] == "find_by_status"
    assert find["parameters"][2] == {"$ref": "#/components/parameters/limit"}
    assert find["responses"]["200"]["content"]["application/json"]["example"] == [
        {"id": 1, "name": "doggie", "photoUrls": []}
    ]
    # a body parameter defined once at the top level is inlined where it is used
    assert paths["/store/order"]["post"]["requestBody"]["x-body-name"] == "order"
    assert "OrderBody" not in result["components"]["parameters"]
    assert list(result["components"]) == ["schemas", "parameters", "responses", "securitySchemes"]
    pet = result["components"]["schemas"]["Pet"]["properties"]
    assert pet["category"] == {
        "allOf": [{"$ref": "#/components/schemas/Category"}],
        "nullable": True,
    }
    assert "x-nullable" not in pet["nickname"]


# -- pointers back to the user's file ----------------------------------------------------------

PET_OP = ("paths", "/pet", "post")
FORM_OP = ("paths", "/pet/{petId}", "post")
FORM_CONTENT = FORM_OP + ("requestBody", "content", "application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    "new, old, line_text",
    [
        (
            ("components", "schemas", "Pet", "properties", "name", "example"),
            ("definitions", "Pet", "properties", "name", "example"),
            "example: doggie",
        ),
        (
            ("components", "schemas", "Pet", "properties", "category", "allOf", 0, "$ref"),
            ("definitions", "Pet", "properties", "category", "$ref"),
            '$ref: "#/definitions/Category"',
        ),
        (
            ("components", "schemas", "Pet", "properties", "nickname", "nullable"),
            ("definitions", "Pet", "properties", "nickname", "x-nullable"),
            "x-nullable: true",
        ),
        (PET_OP + ("requestBody",), PET_OP + ("parameters", 0), "- in: body"),
        (PET_OP + ("requestBody", "required"), PET_OP + ("parameters", 0, "required"), "required"),
        (PET_OP + ("requestBody", "x-body-name"), PET_OP + ("parameters", 0, "name"), "name: pet"),
        (PET_OP + ("requestBody", "content"), PET_OP + ("consumes",), "- application/json"),
        (
            PET_OP + ("requestBody", "content", "application/xml", "schema", "$ref"),
            PET_OP + ("parameters", 0, "schema", "$ref"),
            '$ref: "#/definitions/Pet"',
        ),
        (
            ("paths", "/store/order", "post", "requestBody", "content", "application/json"),
            ("parameters", "OrderBody", "schema"),
            '$ref: "#/definitions/Order"',
        ),
        (
            ("paths", "/pet/findByStatus", "get", "parameters", 1, "style"),
            ("paths", "/pet/findByStatus", "get", "parameters", 1, "collectionFormat"),
            "collectionFormat: pipes",
        ),
        (
            ("paths", "/pet/findByStatus", "get", "parameters", 0, "schema", "items", "default"),
            ("paths", "/pet/findByStatus", "get", "parameters", 0, "items", "default"),
            "default: available",
        ),
        (
            (
                "paths",
                "/pet/findByStatus",
                "get",
                "responses",
                "200",
                "content",
                "application/json",
                "example",
            ),
            (
                "paths",
                "/pet/findByStatus",
                "get",
                "responses",
                "200",
                "examples",
                "application/json",
            ),
            "- id: 1",
        ),
        (
            (
                "paths",
                "/pet/findByStatus",
                "get",
                "responses",
                "200",
                "headers",
                "X-Rate-Limit",
                "schema",
                "format",
            ),
            (
                "paths",
                "/pet/findByStatus",
                "get",
                "responses",
                "200",
                "headers",
                "X-Rate-Limit",
                "format",
            ),
            "format: int32",
        ),
        (FORM_CONTENT, FORM_OP + ("parameters", 0), "- name: name"),
        (
            FORM_CONTENT + ("schema", "properties", "status", "type"),
            FORM_OP + ("parameters", 1, "type"),
            "type: string",
        ),
        (
            FORM_CONTENT + ("schema", "required", 0),
            FORM_OP + ("parameters", 1, "required"),
            "required: true",
        ),
        (
            (
                "paths",
                "/pet/{petId}/uploadImage",
                "post",
                "requestBody",
                "content",
                "multipart/form-data",
                "schema",
                "properties",
                "file",
                "format",
            ),
            ("paths", "/pet/{petId}/uploadImage", "post", "parameters", 2, "type"),
            "type: file",
        ),
        (
            (
                "paths",
                "/store/inventory",
                "get",
                "responses",
                "default",
                "content",
                "text/plain",
                "schema",
            ),
            ("responses", "NotFound", "schema"),
            '$ref: "#/definitions/ErrorModel"',
        ),
        (
            ("components", "securitySchemes", "petstore_auth", "flows", "implicit", "scopes"),
            ("securityDefinitions", "petstore_auth", "scopes"),
            '"write:pets"',
        ),
        (
            ("components", "securitySchemes", "basic", "scheme"),
            ("securityDefinitions", "basic", "type"),
            "type: basic",
        ),
        (
            ("components", "parameters", "limit", "schema", "maximum"),
            ("parameters", "limit", "maximum"),
            "maximum: 100",
        ),
        (("servers", 0, "url"), ("host",), "host: petstore"),
        (("openapi",), ("swagger",), 'swagger: "2.0"'),
        (("paths", "/pet", "post", "security", 0), PET_OP + ("security", 0), "petstore_auth"),
        # a pointer below what the original has stops at the closest existing node
        (
            ("components", "schemas", "Pet", "properties", "name", "nonexistent", 3),
            ("definitions", "Pet", "properties", "name"),
            "type: string",  # a mapping is located at its first entry
        ),
        (("paths", "/pet", "post", "parameters", "9"), PET_OP + ("parameters",), "- in: body"),
    ],
)
def test_pointer_maps_back(new: Pointer, old: Pointer, line_text: str) -> None:
    doc = fixture("petstore.yaml")
    _, back = swagger2.convert(doc.data)
    assert back(new) == old
    line, _ = swagger2.upgrade(doc).locate(new)
    assert line_text in doc.text.splitlines()[line - 1]


def test_indices_map_back_when_body_parameters_are_removed() -> None:
    doc = fixture("body.yaml")
    result, back = swagger2.convert(doc.data)
    put = ("paths", "/items/{id}", "put")
    assert result["paths"]["/items/{id}"]["put"]["parameters"][0]["name"] == "dryRun"
    assert back(put + ("parameters", 0, "schema", "type")) == put + ("parameters", 1, "type")
    # the path item's body parameter, used by the operation that has none
    post_body = ("paths", "/items/{id}", "post", "requestBody")
    assert back(post_body) == ("paths", "/items/{id}", "parameters", 1)
    assert back(post_body + ("content", "application/json", "schema", "type")) == (
        "paths",
        "/items/{id}",
        "parameters",
        1,
        "schema",
        "type",
    )


def test_converted_document_diagnostics_use_original_pointers() -> None:
    doc = fixture("petstore.yaml")
    upgraded = swagger2.upgrade(doc)
    new = ("components", "schemas", "Pet", "properties", "nickname", "nullable")
    diagnostic = upgraded.diagnostic(new, "boom")
    old = ("definitions", "Pet", "properties", "nickname", "x-nullable")
    assert diagnostic == doc.diagnostic(old, "boom")
    assert diagnostic.pointer == format_pointer(old)
    assert (upgraded.path, upgraded.display, upgraded.text) == (doc.path, doc.display, doc.text)


# -- through the rest of the pipeline ----------------------------------------------------------


def test_library_validates_and_builds() -> None:
    doc = swagger2.upgrade(fixture("library.yaml"))
    assert validate(doc) == []
    api = build(doc, "library")
    assert api.base_url == "https://library.example.com/api"
    assert [op.operation_id for op in api.operations] == [
        "listBooks",
        "createBook",
        "getBook",
        "deleteBook",
    ]
    by_id = {op.operation_id: op for op in api.operations}
    create = by_id["createBook"]
    assert create.body is not None and create.body.required
    assert create.body.content_type == "application/json"
    tags = next(p for p in by_id["listBooks"].parameters if p.wire_name == "tags")
    assert (tags.style, tags.explode) == ("form", True)
    assert {m.name for m in api.models} >= {"Book", "NewBook", "Error"}


def test_later_stages_report_in_the_2_0_file(tmp_path: Path) -> None:
    text = (FIXTURES / "library.yaml").read_text()
    text = text.replace("operationId: getBook", "operationId: listBooks")
    text = text.replace("- basic: []", "- nope: []")
    spec = tmp_path / "library.yaml"
    spec.write_text(text)
    original = load(spec)
    assert swagger2.validate_v2(original) == []
    problems = validate(swagger2.upgrade(original))
    lines = text.splitlines()
    found = {(d.pointer, lines[d.line - 1].strip()) for d in problems}
    assert found == {
        ("#/paths/~1books~1{bookId}/get/operationId", "operationId: listBooks"),
        ("#/paths/~1books~1{bookId}/delete/security/0", "- nope: []"),
    }


def test_form_and_file_parameters_become_body_fields() -> None:
    """2.0 ``formData`` parameters (form and multipart, ``type: file``) build into body fields
    (they were reported as unsupported where the 2.0 file says "consumes" before)."""
    api = build(swagger2.upgrade(fixture("petstore.yaml")), "petstore")
    ops = {op.operation_id: op for op in api.operations}
    form = ops["updatePetWithForm"]
    assert form.body is not None and (form.body.encoding, form.body.spread) == ("form", True)
    assert [(p.name, p.annotation) for p in form.located("body")] == [
        ("name", "str | None"),
        ("status", "str"),  # a required formData parameter makes the body required
    ]
    upload = ops["uploadFile"]
    assert upload.body is not None and upload.body.encoding == "multipart"
    assert [(p.name, p.annotation) for p in upload.located("body")] == [
        ("additional_metadata", "str | None"),
        ("file", "File | bytes | None"),
    ]


# -- broken 2.0 specs ------------------------------------------------------------------------


def diagnostics(name: str) -> list[tuple[int, int, str, str]]:
    doc = load(FIXTURES / "bad" / name)
    return [(d.line, d.column, d.message, d.pointer) for d in swagger2.validate_v2(doc)]


def test_structure_errors_are_located() -> None:
    assert diagnostics("structure.yaml") == [
        (10, 5, "path 'pets' must start with '/'", "#/paths/pets"),
        (
            15,
            54,
            "'strin' is not one of ['string', 'number', 'boolean', 'integer', 'array']",
            "#/paths/~1pets~1{id}/get/parameters/0/type",
        ),
        (16, 11, "'schema' is a required property", "#/paths/~1pets~1{id}/get/parameters/1"),
        (
            19,
            15,
            "'qurey' is not one of ['body', 'header', 'formData', 'query', 'path']",
            "#/paths/~1pets~1{id}/get/parameters/2/in",
        ),
        (24, 19, "unexpected key 'colour'", "#/paths/~1pets~1{id}/get/parameters/3/colour"),
        (25, 17, "1 is not of type 'string'", "#/paths/~1pets~1{id}/get/parameters/4/$ref"),
        (
            27,
            9,
            "responses must declare at least one status code or 'default'",
            "#/paths/~1pets~1{id}/get/responses",
        ),
        (
            33,
            19,
            "'objec' is not one of ['array', 'boolean', 'integer', 'null', 'number', 'object', "
            "'string']",
            "#/paths/~1pets~1{id}/post/responses/200/schema/type",
        ),
        (37, 20, "3 is not of type 'string'", "#/definitions/Pet/discriminator"),
        (
            41,
            11,
            "'accesCode' is not one of ['implicit', 'password', 'application', 'accessCode']",
            "#/securityDefinitions/oauth/flow",
        ),
        (44, 5, "'tokenUrl' is a required property", "#/securityDefinitions/code"),
        (50, 9, "'cookie' is not one of ['header', 'query']", "#/securityDefinitions/key/in"),
    ]


def test_reference_errors_are_located() -> None:
    missing = "unresolvable reference '#/parameters/missing'"
    external = (
        "reference to another file is not supported in this place: 'other.yaml#/definitions/X'"
    )
    assert diagnostics("references.yaml") == [
        (10, 17, missing, "#/paths/~1a/get/parameters/0/$ref"),
        (15, 19, external, "#/paths/~1a/get/responses/200/schema/$ref"),
        (17, 17, "unresolvable reference '#/responses/Nope'", "#/paths/~1a/get/responses/404/$ref"),
        (23, 15, "unresolvable reference '#/definitions/B'", "#/definitions/A/properties/b/$ref"),
        (
            27,
            11,
            "reference 'A' is not a JSON reference: write '#/definitions/A'",
            "#/definitions/C/$ref",
        ),
    ]


def test_unsupported_constructs_are_located() -> None:
    where = "#/paths/~1a~1{ids}"
    assert diagnostics("unsupported.yaml") == [
        (
            14,
            27,
            "collectionFormat 'pipes' is not supported: OpenAPI 3 has no style for 'pipes' in a "
            "path parameter",
            where + "/parameters/0/collectionFormat",
        ),
        (17, 11, "'items' is required when 'type' is 'array'", where + "/post/parameters/0"),
        (
            24,
            29,
            "collectionFormat 'tsv' is not supported: OpenAPI 3 has no style for tab-separated "
            "values",
            where + "/post/parameters/1/collectionFormat",
        ),
        (
            29,
            13,
            "arrays of arrays in a parameter are not supported: OpenAPI 3 cannot express the "
            "inner collectionFormat",
            where + "/post/parameters/2/items",
        ),
        (34, 11, "an operation can have only one body parameter", where + "/post/parameters/4"),
        (
            37,
            11,
            "an operation cannot have both a body parameter and formData parameters",
            where + "/post/parameters/5",
        ),
        (43, 11, "a path item $ref is not supported", "#/paths/~1b/$ref"),
        (
            47,
            17,
            "'#/definitions/Thing' is not a parameter",
            "#/paths/~1c/get/parameters/0/$ref",
        ),
        (50, 17, "'#/definitions/Thing' is not a response", "#/paths/~1c/get/responses/200/$ref"),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            'swagger: 2.0\ninfo: {title: t, version: "1"}\npaths: {}\n',
            (1, 10, "'swagger' must be the string '2.0', got the number 2.0", "#/swagger"),
        ),
        (
            'swagger: "1.2"\ninfo: {title: t, version: "1"}\npaths: {}\n',
            (
                1,
                10,
                "unsupported Swagger version '1.2': use 2.0, or OpenAPI 3.0.x/3.1.x "
                "(an 'openapi' field)",
                "#/swagger",
            ),
        ),
        (
            'swagger: "2.0"\ninfo: {title: t}\npaths: {}\n',
            (2, 7, "'version' is a required property", "#/info"),
        ),
        ("- swagger\n", (1, 1, "not a Swagger document: the top level must be a mapping", "#")),
    ],
)
def test_small_broken_documents(
    tmp_path: Path, text: str, expected: tuple[int, int, str, str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    found = [(d.line, d.column, d.message, d.pointer) for d in swagger2.validate_v2(load(spec))]
    assert found == [expected]


def test_is_swagger2() -> None:
    assert is_swagger2({"swagger": "2.0"})
    assert is_swagger2({"swagger": 2.0})
    assert not is_swagger2({"openapi": "3.0.3"})
    assert not is_swagger2({"openapi": "3.0.3", "swagger": "2.0"})
    assert not is_swagger2(["swagger"])


# -- property: random small 2.0 specs convert to valid 3.0 -----------------------------------

NAMES = ["Alpha", "Beta", "Gamma"]
PRIMITIVES = [
    {"type": "string"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "enum": ["a", "b"]},
    {"type": "integer", "format": "int64", "minimum": 0},
    {"type": "number"},
    {"type": "boolean", "default": False},
]


@st.composite
def schemas(draw: st.DrawFn, names: list[str], depth: int = 0) -> dict[str, Any]:
    kinds = ["primitive", "array"] + (["ref"] if names else []) + (["object"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    schema: dict[str, Any]
    if kind == "primitive":
        schema = dict(draw(st.sampled_from(PRIMITIVES)))
    elif kind == "ref":
        schema = {"$ref": f"#/definitions/{draw(st.sampled_from(names))}"}
    elif kind == "array":
        schema = {"type": "array", "items": draw(schemas(names, depth + 1))}
    else:
        props = draw(
            st.dictionaries(
                st.sampled_from(["id", "name", "tags", "owner", "size"]),
                schemas(names, depth + 1),
                min_size=1,
                max_size=3,
            )
        )
        schema = {"type": "object", "properties": props}
        if draw(st.booleans()):
            schema["required"] = sorted(props)[:1]
    if draw(st.integers(0, 4)) == 0:
        schema["x-nullable"] = True
    return schema


@st.composite
def objects(draw: st.DrawFn, names: list[str]) -> dict[str, Any]:
    schema = draw(schemas(names, 1))
    if schema.get("type") != "object":
        schema = {"type": "object", "properties": {"value": schema}}
    return schema


@st.composite
def simple_parameters(draw: st.DrawFn, location: str) -> dict[str, Any]:
    name = draw(st.sampled_from(["limit", "q", "sort", "X-Id"]))
    param: dict[str, Any] = {"name": name, "in": location}
    if draw(st.booleans()):
        formats = ["csv", "ssv", "pipes", "multi"] if location == "query" else ["csv"]
        param.update(type="array", items=dict(draw(st.sampled_from(PRIMITIVES))))
        if draw(st.booleans()):
            param["collectionFormat"] = draw(st.sampled_from(formats))
    else:
        param.update(draw(st.sampled_from(PRIMITIVES)))
    if draw(st.booleans()):
        param["required"] = True
    return param


@st.composite
def swagger_specs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    definitions = {name: draw(objects(names)) for name in names}
    media = st.lists(
        st.sampled_from(["application/json", "application/xml", "text/plain"]),
        max_size=2,
        unique=True,
    )
    spec: dict[str, Any] = {"swagger": "2.0", "info": {"title": "Random", "version": "1"}}
    if draw(st.booleans()):
        spec["host"] = "api.example.com"
    if draw(st.booleans()):
        spec["basePath"] = "/v1"
    schemes = draw(st.lists(st.sampled_from(["http", "https"]), max_size=2, unique=True))
    if schemes:
        spec["schemes"] = schemes
    for key in ("consumes", "produces"):
        value = draw(media)
        if value:
            spec[key] = value
    paths: dict[str, Any] = {}
    for index in range(draw(st.integers(1, 3))):
        with_id = draw(st.booleans())
        path = f"/r{index}" + ("/{id}" if with_id else "")
        item: dict[str, Any] = {}
        if with_id:
            item["parameters"] = [{"name": "id", "in": "path", "required": True, "type": "string"}]
        methods = draw(
            st.lists(
                st.sampled_from(["get", "post", "put", "delete"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        for method in methods:
            params = draw(
                st.lists(simple_parameters("query"), max_size=3, unique_by=lambda p: p["name"])
            )
            if draw(st.booleans()):
                params.append(draw(simple_parameters("header")) | {"name": "X-Request"})
            if method in ("post", "put"):
                body = draw(st.sampled_from(["body", "form", "none"]))
                if body == "body":
                    params.append(
                        {
                            "name": "payload",
                            "in": "body",
                            "required": draw(st.booleans()),
                            "schema": draw(schemas(names)),
                        }
                    )
                elif body == "form":
                    params.append({"name": "field", "in": "formData", "type": "string"})
                    if draw(st.booleans()):
                        params.append({"name": "upload", "in": "formData", "type": "file"})
            op: dict[str, Any] = {"operationId": f"{method}R{index}", "responses": {}}
            if params:
                op["parameters"] = params
            if draw(st.booleans()):
                op["produces"] = draw(media)
            op["responses"]["200"] = {"description": "ok", "schema": draw(schemas(names))}
            if draw(st.booleans()):
                op["responses"]["default"] = {"description": "error"}
            item[method] = op
        paths[path] = item
    spec["paths"] = paths
    spec["definitions"] = definitions
    if draw(st.booleans()):
        spec["securityDefinitions"] = {
            "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "oauth": {
                "type": "oauth2",
                "flow": draw(
                    st.sampled_from(["implicit", "password", "application", "accessCode"])
                ),
                "authorizationUrl": "https://auth.example.com/a",
                "tokenUrl": "https://auth.example.com/t",
            },
        }
        if spec["securityDefinitions"]["oauth"]["flow"] in ("password", "application"):
            del spec["securityDefinitions"]["oauth"]["authorizationUrl"]
        if spec["securityDefinitions"]["oauth"]["flow"] == "implicit":
            del spec["securityDefinitions"]["oauth"]["tokenUrl"]
        spec["security"] = [{"key": []}]
    return spec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(swagger_specs())
def test_random_specs_convert_to_valid_openapi_3_0(spec: dict[str, Any]) -> None:
    text = yaml.safe_dump(spec, sort_keys=False)
    doc = SpecDocument(Path("random.yaml"), "random.yaml", text, yaml.safe_load(text))
    assert [d.render() for d in swagger2.validate_v2(doc)] == []
    result, back = swagger2.convert(doc.data)
    assert errors_30(result) == []
    assert [d.render() for d in validate(swagger2.upgrade(doc))] == []
    for pointer in pointers(result):
        assert exists(doc.data, back(pointer))
    for name in spec["definitions"]:
        assert back(("components", "schemas", name, "x")) == ("definitions", name)
