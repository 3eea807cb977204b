"""The parser's choices for bodies: which media type is sent, how form and multipart objects
become arguments, how differing success responses are typed and read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.loader import load
from generator.model import ir
from generator.parser.build import build
from generator.parser.operations import choose_media, media_kind


@pytest.mark.parametrize(
    "media,kind",
    [
        ("application/json", "json"),
        ("application/merge-patch+json", "json"),
        ("application/json; charset=utf-8", "json"),
        ("*/*", "json"),
        ("application/x-www-form-urlencoded", "form"),
        ("multipart/form-data", "multipart"),
        ("Multipart/Form-Data; boundary=x", "multipart"),
        ("text/plain", "text"),
        ("text/csv", "text"),
        ("application/xml", "text"),
        ("application/atom+xml", "text"),
        ("application/octet-stream", "binary"),
        ("image/png", "binary"),
        ("multipart/mixed", "binary"),
        ("application/pdf", "binary"),
    ],
)
def test_media_kind(media: str, kind: str) -> None:
    assert media_kind(media) == kind


@pytest.mark.parametrize(
    "offered,chosen",
    [
        (
            ["application/xml", "application/x-www-form-urlencoded", "application/json"],
            "application/json",
        ),
        (
            ["multipart/form-data", "application/x-www-form-urlencoded"],
            "application/x-www-form-urlencoded",
        ),
        (["application/octet-stream", "text/plain", "multipart/form-data"], "multipart/form-data"),
        (["image/png", "text/plain"], "text/plain"),
        (["image/png", "image/jpeg"], "image/png"),
        (["application/vnd.a+json", "application/json"], "application/vnd.a+json"),
    ],
)
def test_choose_media_prefers_json_form_multipart_text_binary(
    offered: list[str], chosen: str
) -> None:
    assert choose_media({m: {} for m in offered}) == chosen
    assert choose_media({m: {} for m in reversed(offered)}) in offered


def _api(tmp_path: Path, paths: dict[str, Any], **components: Any) -> ir.Api:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        "components": components,
    }
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return build(load(path, path.name), "t")


def _post(body: dict[str, Any], responses: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "/x/{id}": {
            "post": {
                "operationId": "send",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": body,
                "responses": responses or {"204": {"description": "ok"}},
            }
        }
    }


def test_multipart_object_becomes_arguments_with_file_types(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "required": ["file", "id"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "id": {"type": "integer"},  # clashes with the path parameter
            "more": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "note": {"type": "string", "format": "byte"},  # base64 text, not a file
        },
    }
    body = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": schema,
                "encoding": {"file": {"contentType": "image/png"}},
            },
            "application/octet-stream": {},
        },
    }
    (op,) = _api(tmp_path, _post(body)).operations
    assert op.body is not None and op.body.spread and not op.body.argument
    assert op.body.encoding == "multipart" and op.body.alternatives == ("application/octet-stream",)
    fields = op.located("body")
    assert [(p.name, p.wire_name, p.annotation) for p in fields] == [
        ("file", "file", "File | bytes"),
        ("id_2", "id", "int"),
        ("more", "more", "list[File | bytes] | None"),
        ("note", "note", "str | None"),
    ]
    assert fields[0].content_type == "image/png"
    assert [p.location for p in op.parameters] == ["path", "body", "body", "body", "body"]


def test_optional_form_body_makes_every_field_optional(tmp_path: Path) -> None:
    body = {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["a"],
                    "properties": {
                        "a": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "meta": {"type": "object", "properties": {"k": {"type": "string"}}},
                    },
                },
                "encoding": {"tags": {"style": "pipeDelimited", "explode": False}},
            }
        }
    }
    (op,) = _api(tmp_path, _post(body)).operations
    fields = {p.name: p for p in op.located("body")}
    assert all(not p.required for p in fields.values())
    assert (fields["tags"].style, fields["tags"].explode) == ("pipeDelimited", False)
    assert (fields["a"].style, fields["a"].explode) == ("form", True)
    assert (fields["meta"].style, fields["meta"].explode) == ("deepObject", True)


@pytest.mark.parametrize(
    "media,annotation,encoding",
    [
        ("text/plain", "str", "text"),
        ("application/xml", "str", "text"),
        ("application/octet-stream", "File | bytes", "binary"),
        ("image/png", "File | bytes", "binary"),
    ],
)
def test_text_and_binary_bodies(tmp_path: Path, media: str, annotation: str, encoding: str) -> None:
    body = {"required": True, "content": {media: {"schema": {"type": "string"}}}}
    (op,) = _api(tmp_path, _post(body)).operations
    assert op.body is not None and op.body.argument
    assert (op.body.annotation, op.body.encoding, op.body.content_type) == (
        annotation,
        encoding,
        media,
    )


def _ok(schema: Any = None, media: str = "application/json") -> dict[str, Any]:
    if schema is None:
        return {"description": "ok"}
    return {"description": "ok", "content": {media: {"schema": schema}}}


def test_differing_success_responses_are_a_union_read_by_status(tmp_path: Path) -> None:
    responses = {
        "200": _ok({"type": "array", "items": {"$ref": "#/components/schemas/A"}}),
        "202": _ok({"$ref": "#/components/schemas/B"}),
        "204": _ok(),
        "404": _ok({"$ref": "#/components/schemas/B"}),
    }
    schemas = {
        "A": {"type": "object", "properties": {"a": {"type": "string"}}},
        "B": {"type": "object", "properties": {"b": {"type": "string"}}},
    }
    paths = _post({"content": {}}, responses)
    (op,) = _api(tmp_path, paths, schemas=schemas).operations
    assert op.returns_annotation == "list[A] | B | None"
    assert op.parse_function == "_parse_send"
    assert op.primary is not None and op.primary.status == "200"
    assert [r.status for r in op.by_status] == ["202", "204"]


def test_same_success_types_need_no_parse_function(tmp_path: Path) -> None:
    responses = {"200": _ok({"type": "string"}), "201": _ok({"type": "string"})}
    (op,) = _api(tmp_path, _post({"content": {}}, responses)).operations
    assert (op.returns_annotation, op.parse_function, op.by_status) == ("str", None, ())


def test_json_string_and_text_differ_by_decoding(tmp_path: Path) -> None:
    responses = {"200": _ok({"type": "string"}), "203": _ok({"type": "string"}, "text/plain")}
    (op,) = _api(tmp_path, _post({"content": {}}, responses)).operations
    assert op.returns_annotation == "str" and op.parse_function == "_parse_send"
    assert [(r.status, r.decode) for r in op.by_status] == [("203", "text")]
    assert op.accept == "application/json, text/plain"


def test_text_and_binary_responses(tmp_path: Path) -> None:
    for media, annotation, accept in [
        ("text/csv", "str", "text/csv"),
        ("application/pdf", "bytes", "application/pdf"),
    ]:
        (op,) = _api(tmp_path, _post({"content": {}}, {"200": _ok({}, media)})).operations
        assert (op.returns_annotation, op.accept, op.parse_function) == (annotation, accept, None)


def test_open_id_connect_is_a_bearer_access_token(tmp_path: Path) -> None:
    paths = {
        "/me": {
            "get": {
                "operationId": "me",
                "security": [{"oidc": ["openid"]}],
                "responses": {"204": {"description": "ok"}},
            }
        }
    }
    schemes = {
        "oidc": {
            "type": "openIdConnect",
            "openIdConnectUrl": "https://id.example/.well-known/openid-configuration",
        }
    }
    api = _api(tmp_path, paths, securitySchemes=schemes)
    (scheme,) = api.security
    assert (scheme.kind, scheme.arguments, scheme.env_vars) == (
        "http_bearer",
        ("oidc_access_token",),
        ("T_OIDC_ACCESS_TOKEN",),
    )
    assert "OpenID Connect" in scheme.description and "id.example" in scheme.description
