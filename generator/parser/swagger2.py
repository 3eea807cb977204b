"""Swagger 2.0 input: validate a 2.0 document (located), then convert it to OpenAPI 3.0.3.

The rest of the pipeline only knows OpenAPI 3. A Swagger 2.0 document is checked here against
its own meta-schema (every problem located in the user's file), then converted by ``convert``,
a pure function that also returns a map from any pointer in the converted document back to the
closest pointer of the original. ``upgrade`` wraps the result in a ``SpecDocument`` whose
``locate``/``diagnostic`` use that map, so problems found by the later stages (validate, build)
are still reported at a line of the 2.0 file, with a 2.0 pointer.

Conversion, in short: host/basePath/schemes -> servers; definitions, parameters, responses,
securityDefinitions -> components; a body parameter or the formData parameters -> requestBody
(media types from consumes); response schemas -> content (media types from produces); simple
parameter fields -> schema, collectionFormat -> style/explode; x-nullable -> nullable; a
discriminator property name -> {propertyName}; every local $ref rewritten. Vendor extensions
stay where they were.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..schema_errors import most_specific
from ..validate import walk_refs
from ..diagnostics import Diagnostic, Pointer
from ..loader import SpecDocument
from ..metaschemas import meta_schema

# jsonschema is imported when a Swagger 2.0 document is validated: every spec is loaded through
# this module, most are OpenAPI 3.
if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

OPENAPI_VERSION = "3.0.3"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
DEFAULT_MEDIA_TYPE = "application/json"
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

# Fields of a non-body parameter, header or items object that describe its value: they become
# the (items) schema of the OpenAPI 3 object.
SCHEMA_FIELDS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
)
# Values that are data, not spec structure: copied as they are, never searched for $ref.
DATA_KEYS = frozenset({"default", "enum", "example", "examples", "x-example", "x-examples"})

# (in, collectionFormat) -> (style, explode). A format missing here has no OpenAPI 3
# equivalent for that location (validate_v2 rejects it).
STYLES: dict[tuple[str, str], tuple[str, bool]] = {
    ("query", "csv"): ("form", False),
    ("query", "ssv"): ("spaceDelimited", False),
    ("query", "pipes"): ("pipeDelimited", False),
    ("query", "multi"): ("form", True),
    ("path", "csv"): ("simple", False),
    ("header", "csv"): ("simple", False),
    ("formData", "csv"): ("form", False),
    ("formData", "ssv"): ("spaceDelimited", False),
    ("formData", "pipes"): ("pipeDelimited", False),
    ("formData", "multi"): ("form", True),
}

_COMPONENT_SOURCES = frozenset({"definitions", "parameters", "responses", "securityDefinitions"})

OAUTH_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}


# -- validation ------------------------------------------------------------------------------


@functools.cache
def _validator() -> Any:
    """openapi-spec-validator's Swagger 2.0 meta-schema (``schema_v2``) in Python jsonschema."""
    from jsonschema import Draft4Validator

    return Draft4Validator(meta_schema("swagger-2.0"))


def validate_v2(doc: SpecDocument) -> list[Diagnostic]:
    """Every problem of a Swagger 2.0 document, located; empty means ``convert`` may run.

    Levels, as in ``validate``: the meta-schema first, then local references, then what the
    conversion cannot express faithfully.
    """
    data = doc.data
    if not isinstance(data, dict):
        return [doc.diagnostic((), "not a Swagger document: the top level must be a mapping")]
    version = data.get("swagger")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        return [
            doc.diagnostic(
                ("swagger",),
                f"'swagger' must be the string '2.0', got the number {version!r}",
            )
        ]
    if isinstance(version, str) and version != "2.0":
        return [
            doc.diagnostic(
                ("swagger",),
                f"unsupported Swagger version {version!r}: use 2.0, or OpenAPI 3.0.x/3.1.x "
                "(an 'openapi' field)",
            )
        ]
    for level in (_structure, _references, _rules):
        problems = sorted(set(level(doc)))
        if problems:
            return problems
    return []


def _structure(doc: SpecDocument) -> Iterator[Diagnostic]:
    for error in _validator().iter_errors(doc.data):
        for pointer, message in _explain(error):
            yield doc.diagnostic(pointer, message)


def _explain(error: ValidationError) -> Iterator[tuple[Pointer, str]]:
    """The most specific error(s) of one meta-schema error, with a readable message."""
    leaf = most_specific(error, {"$ref": "#/definitions/jsonReference"})
    if isinstance(leaf, tuple):
        yield leaf
        return
    where: Pointer = tuple(leaf.absolute_path)
    if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
        extra = _unexpected_keys(leaf)
        if where == ("paths",):
            for key in extra:
                yield where + (key,), f"path {key!r} must start with '/'"
            return
        if extra:
            for key in extra:
                yield where + (key,), f"unexpected key {key!r}"
            return
    if where[-1:] == ("responses",) and leaf.validator in ("not", "minProperties"):
        yield where, "responses must declare at least one status code or 'default'"
        return
    if where[-1:] == ("required",) and leaf.validator == "enum" and leaf.validator_value == [True]:
        yield where, "a path parameter must have 'required: true'"
        return
    message = str(leaf.message)
    yield where, message if len(message) <= 200 else message[:197] + "..."


def _unexpected_keys(error: ValidationError) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = schema.get("properties") or {}
    patterns = list(schema.get("patternProperties") or {})
    return [
        str(key)
        for key in error.instance
        if key not in known and not any(re.search(p, str(key)) for p in patterns)
    ]


def _references(doc: SpecDocument) -> Iterator[Diagnostic]:
    """Every local ``$ref`` must point at something (other files were bundled in before)."""
    for pointer, ref in walk_refs(doc.data, (), _is_data_v2):
        where = pointer + ("$ref",)
        if not isinstance(ref, str):
            yield doc.diagnostic(where, "$ref must be a string")
        elif ref in _dict(doc.data.get("definitions")):
            # the Swagger 1.2 shorthand some 2.0 documents still use
            yield doc.diagnostic(
                where, f"reference {ref!r} is not a JSON reference: write '#/definitions/{ref}'"
            )
        elif not ref.startswith("#"):
            yield doc.diagnostic(
                where, f"reference to another file is not supported in this place: {ref!r}"
            )
        elif _resolve(doc.data, ref) is None:
            yield doc.diagnostic(where, f"unresolvable reference {ref!r}")


def _is_data_v2(key: str, value: Any, pointer: Pointer) -> bool:
    return key in DATA_KEYS


def _rules(doc: SpecDocument) -> Iterator[Diagnostic]:
    """What the meta-schema allows but the conversion cannot express (or 2.0 forbids in prose)."""
    data: dict[str, Any] = doc.data
    for name, parameter in _items(data.get("parameters")):
        yield from _parameter_rules(doc, ("parameters", name), parameter)
    for path, item in _items(data.get("paths")):
        if not isinstance(item, dict) or path.startswith("x-"):
            continue
        if "$ref" in item:
            yield doc.diagnostic(("paths", path, "$ref"), "a path item $ref is not supported")
        for index, parameter in enumerate(_list(item.get("parameters"))):
            yield from _parameter_rules(doc, ("paths", path, "parameters", index), parameter)
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            where: Pointer = ("paths", path, method)
            for index, parameter in enumerate(_list(op.get("parameters"))):
                yield from _parameter_rules(doc, where + ("parameters", index), parameter)
            for status, response in _items(op.get("responses")):
                ref = response.get("$ref") if isinstance(response, dict) else None
                target = _resolve(data, ref) if isinstance(ref, str) else None
                if isinstance(ref, str) and not (
                    isinstance(target, dict) and "description" in target
                ):
                    yield doc.diagnostic(
                        where + ("responses", status, "$ref"), f"{ref!r} is not a response"
                    )
            params = _effective_parameters(data, item, op, where)
            bodies = [p for p in params if p.node.get("in") == "body"]
            forms = [p for p in params if p.node.get("in") == "formData"]
            for extra in bodies[1:]:
                yield doc.diagnostic(extra.site, "an operation can have only one body parameter")
            if bodies and forms:
                yield doc.diagnostic(
                    forms[0].site,
                    "an operation cannot have both a body parameter and formData parameters",
                )


def _parameter_rules(doc: SpecDocument, where: Pointer, parameter: Any) -> Iterator[Diagnostic]:
    if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
        target = _resolve(doc.data, parameter["$ref"])
        if not (isinstance(target, dict) and "in" in target and "name" in target):
            yield doc.diagnostic(where + ("$ref",), f"{parameter['$ref']!r} is not a parameter")
        return
    if not isinstance(parameter, dict):
        return
    location = str(parameter.get("in"))
    if location == "body" or parameter.get("type") != "array":
        return
    if not isinstance(parameter.get("items"), dict):
        yield doc.diagnostic(where, "'items' is required when 'type' is 'array'")
        return
    fmt = str(parameter.get("collectionFormat", "csv"))
    if (location, fmt) not in STYLES:
        what = "tab-separated values" if fmt == "tsv" else f"{fmt!r} in a {location} parameter"
        yield doc.diagnostic(
            where + ("collectionFormat",),
            f"collectionFormat {fmt!r} is not supported: OpenAPI 3 has no style for {what}",
        )
    if parameter["items"].get("type") == "array":
        yield doc.diagnostic(
            where + ("items",),
            "arrays of arrays in a parameter are not supported: OpenAPI 3 cannot express "
            "the inner collectionFormat",
        )


# -- conversion ------------------------------------------------------------------------------


def convert(data: dict[str, Any]) -> tuple[dict[str, Any], Callable[[Pointer], Pointer]]:
    """An OpenAPI 3.0.3 document equivalent to the (valid) Swagger 2.0 ``data``, and a function
    mapping a pointer of that document to the closest existing pointer of ``data``.

    ``data`` is not modified and shares nothing with the result.
    """
    converter = _Converter(data)
    result = converter.document()
    return result, converter.back_function(result)


def upgrade(doc: SpecDocument) -> SpecDocument:
    """``doc`` (a valid Swagger 2.0 document) as OpenAPI 3.0.3, still located in its file."""
    data, back = convert(doc.data)
    return ConvertedDocument(doc, data, back)


class ConvertedDocument(SpecDocument):
    """A converted document: same file, path, text; its data is the OpenAPI 3 version and every
    pointer given to ``locate``/``diagnostic`` is mapped back to the original document."""

    def __init__(
        self, original: SpecDocument, data: Any, back: Callable[[Pointer], Pointer]
    ) -> None:
        super().__init__(original.path, original.display, original.text, data, original.sources)
        self.original = original
        self.back = back

    def origin(self, pointer: Pointer) -> tuple[SpecDocument, Pointer]:
        return self.original.origin(self.back(pointer))

    def duplicate_keys(self) -> list[Diagnostic]:
        return self.original.duplicate_keys()


@dataclass(frozen=True)
class _Param:
    """A parameter an operation has: its resolved object, where it is listed (``site``: the
    path item's or operation's list entry) and where it is defined (``origin``: the same, or
    ``#/parameters/NAME`` for a reference)."""

    node: dict[str, Any]
    site: Pointer
    origin: Pointer
    level: str  # "path" or "operation"
    is_ref: bool


def _effective_parameters(
    data: dict[str, Any], item: dict[str, Any], op: dict[str, Any], where: Pointer
) -> list[_Param]:
    """Path-level then operation-level parameters; an operation's one overrides the path
    item's one with the same name and location (and its body parameter the path item's)."""
    merged: dict[tuple[str, str], _Param] = {}
    for level, source, base in (("path", item, where[:-1]), ("operation", op, where)):
        for index, raw in enumerate(_list(source.get("parameters"))):
            site = base + ("parameters", index)
            node, origin, is_ref = raw, site, False
            if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
                target = _resolve(data, raw["$ref"])
                if not isinstance(target, dict):
                    continue
                node, origin, is_ref = target, _ref_pointer(raw["$ref"]), True
            if not isinstance(node, dict):
                continue
            if level == "operation" and node.get("in") == "body":
                # There is one body: the operation's replaces the path item's, whatever its name.
                for key in [k for k, p in merged.items() if p.level == "path" and k[0] == "body"]:
                    del merged[key]
            merged[(str(node.get("in")), str(node.get("name")))] = _Param(
                node, site, origin, level, is_ref
            )
    return list(merged.values())


class _Converter:
    def __init__(self, data: dict[str, Any]) -> None:
        self.src = data
        self.backward: dict[Pointer, Pointer] = {}
        self.forward: dict[Pointer, Pointer] = {}
        self.pending: list[dict[str, Any]] = []  # converted nodes whose $ref is still 2.0
        self.consumes = _media(data.get("consumes"))
        self.produces = _media(data.get("produces"))

    # -- bookkeeping ---------------------------------------------------------------------------

    def record(self, new: Pointer, old: Pointer, forward: bool = True) -> None:
        self.backward[new] = old
        if forward:
            self.forward.setdefault(old, new)

    def verbatim(self, value: Any) -> Any:
        """A deep copy, with every ``$ref`` found in it queued for rewriting."""
        if isinstance(value, dict):
            out = {
                k: copy.deepcopy(v) if k in DATA_KEYS else self.verbatim(v)
                for k, v in value.items()
            }
            if isinstance(out.get("$ref"), str):
                self.pending.append(out)
            return out
        if isinstance(value, list):
            return [self.verbatim(v) for v in value]
        return value

    def reference(self, node: dict[str, Any]) -> dict[str, Any]:
        out = self.verbatim(node)
        assert isinstance(out, dict)
        return out

    def rewrite(self, ref: str) -> str:
        if not ref.startswith("#/"):
            return ref
        parts = _ref_pointer(ref)
        for length in range(len(parts), 1, -1):
            hit = self.forward.get(parts[:length])
            if hit is not None:
                return _format_ref(hit + parts[length:])
        for old, new in (
            ("definitions", ("components", "schemas")),
            ("parameters", ("components", "parameters")),
            ("responses", ("components", "responses")),
        ):
            if parts[:1] == (old,):
                return _format_ref(new + parts[1:])
        return ref

    def back_function(self, result: dict[str, Any]) -> Callable[[Pointer], Pointer]:
        backward = self.backward
        src = self.src

        def back(pointer: Pointer) -> Pointer:
            pointer = _normalize(result, pointer)
            for length in range(len(pointer), -1, -1):
                hit = backward.get(pointer[:length])
                if hit is not None:
                    return _existing(src, hit + pointer[length:])
            return ()

        return back

    # -- document ------------------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        src = self.src
        self.record((), ())
        self.record(("openapi",), ("swagger",))
        # Components first: the canonical place of a definition is recorded before any copy.
        components = self.components() if _COMPONENT_SOURCES & set(src) else None
        servers = self.servers(_list(src.get("schemes")))
        out: dict[str, Any] = {}
        for key, value in src.items():
            if key == "swagger":
                out["openapi"] = OPENAPI_VERSION
            elif key in ("host", "basePath", "schemes"):
                if servers and "servers" not in out:
                    out["servers"] = servers
                    anchor: Pointer = ("host",) if "host" in src else (key,)
                    self.record(("servers",), anchor, forward=False)
            elif key in ("consumes", "produces"):
                continue
            elif key == "paths":
                out["paths"] = self.paths(value)
            elif key in _COMPONENT_SOURCES:
                if components is not None and "components" not in out:
                    out["components"] = components
            else:
                out[key] = self.verbatim(value)
                self.record((key,), (key,))
        self.discriminator_mappings(out)
        for node in self.pending:
            node["$ref"] = self.rewrite(node["$ref"])
        return out

    def servers(self, schemes: list[Any]) -> list[dict[str, Any]]:
        host = self.src.get("host")
        base = str(self.src.get("basePath") or "")
        if not isinstance(host, str) or not host:
            return [{"url": base}] if base else []
        path = base.rstrip("/")
        return [{"url": f"{scheme}://{host}{path}"} for scheme in schemes or ["https"]]

    def components(self) -> dict[str, Any]:
        src = self.src
        out: dict[str, Any] = {}
        self.record(("components",), ("definitions",) if "definitions" in src else (), False)
        if isinstance(src.get("definitions"), dict):
            self.record(("components", "schemas"), ("definitions",))
            out["schemas"] = {
                name: self.schema(schema, ("definitions", name), ("components", "schemas", name))
                for name, schema in src["definitions"].items()
            }
        if isinstance(src.get("parameters"), dict):
            self.record(("components", "parameters"), ("parameters",))
            params: dict[str, Any] = {}
            for name, param in src["parameters"].items():
                if isinstance(param, dict) and param.get("in") in ("body", "formData"):
                    continue  # inlined as (part of) a requestBody where used
                new: Pointer = ("components", "parameters", name)
                params[name] = self.parameter(param, ("parameters", name), new)
            out["parameters"] = params
        if isinstance(src.get("responses"), dict):
            self.record(("components", "responses"), ("responses",))
            out["responses"] = {
                name: self.response(
                    response, ("responses", name), ("components", "responses", name), None
                )
                for name, response in src["responses"].items()
            }
        if isinstance(src.get("securityDefinitions"), dict):
            self.record(("components", "securitySchemes"), ("securityDefinitions",))
            out["securitySchemes"] = {
                name: self.security_scheme(scheme, name)
                for name, scheme in src["securityDefinitions"].items()
            }
        return out

    def security_scheme(self, scheme: Any, name: str) -> Any:
        old: Pointer = ("securityDefinitions", name)
        new: Pointer = ("components", "securitySchemes", name)
        self.record(new, old)
        if not isinstance(scheme, dict):
            return self.verbatim(scheme)
        kind = scheme.get("type")
        out: dict[str, Any] = {}
        for key, value in scheme.items():
            if key == "type":
                if kind == "basic":
                    out["type"] = "http"
                    out["scheme"] = "basic"
                    self.record(new + ("scheme",), old + ("type",))
                else:
                    out["type"] = value
            elif kind == "oauth2" and key in ("flow", "authorizationUrl", "tokenUrl", "scopes"):
                if key == "flow":
                    flow_name = OAUTH_FLOWS.get(str(value), str(value))
                    flow: dict[str, Any] = {}
                    for field in ("authorizationUrl", "tokenUrl"):
                        if field in scheme:
                            flow[field] = scheme[field]
                    flow["scopes"] = copy.deepcopy(scheme.get("scopes") or {})
                    out["flows"] = {flow_name: flow}
                    self.record(new + ("flows",), old + ("flow",))
                    self.record(new + ("flows", flow_name), old)
            else:
                out[key] = self.verbatim(value)
        return out

    # -- paths and operations ------------------------------------------------------------------

    def paths(self, paths: Any) -> Any:
        if not isinstance(paths, dict):
            return self.verbatim(paths)
        self.record(("paths",), ("paths",))
        out: dict[str, Any] = {}
        for path, item in paths.items():
            where: Pointer = ("paths", path)
            self.record(where, where)
            if str(path).startswith("x-") or not isinstance(item, dict):
                out[path] = self.verbatim(item)
                continue
            converted: dict[str, Any] = {}
            for key, value in item.items():
                if key == "parameters":
                    kept = self.parameter_list(
                        _list(value), where, where, lambda p: p.get("in") in ("body", "formData")
                    )
                    if kept:
                        converted["parameters"] = kept
                elif key in HTTP_METHODS and isinstance(value, dict):
                    converted[key] = self.operation(item, key, where + (key,))
                else:
                    converted[key] = self.verbatim(value)
            out[path] = converted
        return out

    def parameter_list(
        self,
        params: list[Any],
        old: Pointer,
        new: Pointer,
        skip: Callable[[dict[str, Any]], bool],
    ) -> list[Any]:
        """The non-body parameters of a list (refs kept as refs), recorded index by index."""
        out: list[Any] = []
        for index, raw in enumerate(params):
            node = raw
            if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
                node = _resolve(self.src, raw["$ref"])
            if isinstance(node, dict) and skip(node):
                continue
            site = old + ("parameters", index)
            target = new + ("parameters", len(out))
            if isinstance(raw, dict) and "$ref" in raw:
                self.record(target, site)
                out.append(self.reference(raw))
            else:
                out.append(self.parameter(raw, site, target))
        if out:
            self.record(new + ("parameters",), old + ("parameters",))
        return out

    def operation(self, item: dict[str, Any], method: str, where: Pointer) -> dict[str, Any]:
        op: dict[str, Any] = item[method]
        self.record(where, where)
        consumes = _media(op["consumes"]) if "consumes" in op else self.consumes
        produces = _media(op["produces"]) if "produces" in op else self.produces
        consumes_at = where + ("consumes",) if "consumes" in op else ("consumes",)
        params = _effective_parameters(self.src, item, op, where)
        body = next((p for p in params if p.node.get("in") == "body"), None)
        form = [p for p in params if p.node.get("in") == "formData"]
        request: dict[str, Any] | None = None
        if body is not None:
            request = self.body(body, consumes or [DEFAULT_MEDIA_TYPE], consumes_at, where)
        elif form:
            request = self.form(form, consumes, consumes_at, where)

        out: dict[str, Any] = {}
        for key, value in op.items():
            if key in ("consumes", "produces"):
                continue
            if key == "parameters":
                kept = self.parameter_list(
                    _list(value), where, where, lambda p: p.get("in") in ("body", "formData")
                )
                if kept:
                    out["parameters"] = kept
                if request is not None:
                    out["requestBody"] = request
                    request = None
            elif key == "responses":
                if request is not None:
                    out["requestBody"] = request
                    request = None
                out["responses"] = self.responses(value, where, produces)
            elif key == "schemes":
                servers = self.servers(_list(value))
                if servers and servers != self.servers(_list(self.src.get("schemes"))):
                    out["servers"] = servers
                    self.record(where + ("servers",), where + ("schemes",))
            else:
                out[key] = self.verbatim(value)
        if request is not None:
            out["requestBody"] = request
        return out

    def body(
        self, param: _Param, consumes: list[str], consumes_at: Pointer, where: Pointer
    ) -> dict[str, Any]:
        new = where + ("requestBody",)
        node, origin = param.node, param.origin
        self.record(new, param.site)
        out: dict[str, Any] = {}
        if "description" in node:
            out["description"] = node["description"]
            self.record(new + ("description",), origin + ("description",))
        content: dict[str, Any] = {}
        for media in consumes:
            at = new + ("content", media)
            content[media] = {
                "schema": self.schema(node.get("schema"), origin + ("schema",), at + ("schema",))
            }
            self.record(at, origin + ("schema",), forward=False)
        out["content"] = content
        self.record(new + ("content",), consumes_at if _has(self.src, consumes_at) else param.site)
        if "required" in node:
            out["required"] = node["required"]
            self.record(new + ("required",), origin + ("required",))
        out["x-body-name"] = node.get("name")
        self.record(new + ("x-body-name",), origin + ("name",))
        for key, value in node.items():
            if key.startswith("x-"):
                out[key] = self.verbatim(value)
                self.record(new + (key,), origin + (key,))
        return out

    def form(
        self, params: list[_Param], consumes: list[str], consumes_at: Pointer, where: Pointer
    ) -> dict[str, Any]:
        new = where + ("requestBody",)
        first = params[0]
        self.record(new, first.site)
        has_file = any(p.node.get("type") == "file" for p in params)
        media_types = [
            m for m in consumes if m.split(";")[0].strip() in (FORM_URLENCODED, MULTIPART)
        ]
        if has_file and not any(m.startswith(MULTIPART) for m in media_types):
            media_types = [MULTIPART]
        media_types = media_types or [FORM_URLENCODED]
        content: dict[str, Any] = {}
        for media in media_types:
            at = new + ("content", media)
            self.record(at, first.site, forward=False)
            self.record(at + ("schema",), first.site, forward=False)
            properties: dict[str, Any] = {}
            encoding: dict[str, Any] = {}
            for param in params:
                name = str(param.node.get("name"))
                properties[name] = self.simple_schema(
                    param.node,
                    param.origin,
                    at + ("schema", "properties", name),
                    extra=("description",),
                    extensions=True,
                )
                if param.node.get("type") == "array":
                    fmt = str(param.node.get("collectionFormat", "csv"))
                    style, explode = STYLES.get(("formData", fmt), ("form", False))
                    encoding[name] = {"style": style, "explode": explode}
                    self.record(at + ("encoding", name), param.origin + ("collectionFormat",))
            schema: dict[str, Any] = {"type": "object", "properties": properties}
            required = [p for p in params if p.node.get("required") is True]
            if required:
                schema["required"] = [str(p.node.get("name")) for p in required]
                for index, param in enumerate(required):
                    self.record(at + ("schema", "required", index), param.origin + ("required",))
            content[media] = {"schema": schema}
            if encoding:
                content[media]["encoding"] = encoding
        self.record(new + ("content",), consumes_at if _has(self.src, consumes_at) else first.site)
        out: dict[str, Any] = {"content": content}
        if any(p.node.get("required") is True for p in params):
            out["required"] = True
        return out

    def responses(self, responses: Any, where: Pointer, produces: list[str]) -> Any:
        at = where + ("responses",)
        self.record(at, at)
        if not isinstance(responses, dict):
            return self.verbatim(responses)
        out: dict[str, Any] = {}
        for status, response in responses.items():
            old = at + (status,)
            if str(status).startswith("x-"):
                out[status] = self.verbatim(response)
                self.record(old, old)
            elif isinstance(response, dict) and isinstance(response.get("$ref"), str):
                target = _resolve(self.src, response["$ref"])
                same = (produces or [DEFAULT_MEDIA_TYPE]) == (self.produces or [DEFAULT_MEDIA_TYPE])
                if isinstance(target, dict) and "schema" in target and not same:
                    # The shared response's content types are the global ones: this operation
                    # produces others, so it gets its own copy.
                    out[status] = self.response(
                        target, _ref_pointer(response["$ref"]), old, produces
                    )
                else:
                    out[status] = self.reference(response)
                self.record(old, old)
            else:
                out[status] = self.response(response, old, old, produces)
        return out

    def response(
        self, response: Any, old: Pointer, new: Pointer, produces: list[str] | None
    ) -> Any:
        self.record(new, old)
        if not isinstance(response, dict):
            return self.verbatim(response)
        media_types = (produces if produces is not None else self.produces) or [DEFAULT_MEDIA_TYPE]
        content: dict[str, Any] = {}
        if "schema" in response:
            self.record(new + ("content",), old + ("schema",), forward=False)
            for media in media_types:
                at = new + ("content", media)
                self.record(at, old + ("schema",), forward=False)
                content[media] = {
                    "schema": self.schema(response["schema"], old + ("schema",), at + ("schema",))
                }
        examples = response.get("examples")
        if isinstance(examples, dict):
            if "schema" not in response:
                self.record(new + ("content",), old + ("examples",), forward=False)
            for media, example in examples.items():
                at = new + ("content", str(media))
                if at[-1] not in content:
                    self.record(at, old + ("examples", media), forward=False)
                    content[str(media)] = {}
                    if "schema" in response:
                        content[str(media)]["schema"] = self.schema(
                            response["schema"], old + ("schema",), at + ("schema",)
                        )
                content[str(media)]["example"] = copy.deepcopy(example)
                self.record(at + ("example",), old + ("examples", media))
        out: dict[str, Any] = {}
        for key, value in response.items():
            if key in ("schema", "examples"):
                if content and "content" not in out:
                    out["content"] = content
            elif key == "headers" and isinstance(value, dict):
                self.record(new + ("headers",), old + ("headers",))
                out["headers"] = {
                    name: self.header(header, old + ("headers", name), new + ("headers", name))
                    for name, header in value.items()
                }
            else:
                out[key] = self.verbatim(value)
        return out

    def header(self, header: Any, old: Pointer, new: Pointer) -> Any:
        self.record(new, old)
        if not isinstance(header, dict):
            return self.verbatim(header)
        out: dict[str, Any] = {}
        if "description" in header:
            out["description"] = header["description"]
        out["schema"] = self.simple_schema(header, old, new + ("schema",))
        for key, value in header.items():
            if key.startswith("x-") and key != "x-nullable":
                out[key] = self.verbatim(value)
        return out

    # -- parameters and schemas ----------------------------------------------------------------

    def parameter(self, param: Any, old: Pointer, new: Pointer) -> Any:
        """A non-body parameter (a body or formData one never reaches here)."""
        self.record(new, old)
        if not isinstance(param, dict):
            return self.verbatim(param)
        location = param.get("in")
        out: dict[str, Any] = {}
        for key, value in param.items():
            if key in ("name", "in", "description", "required"):
                out[key] = copy.deepcopy(value)
            elif key == "allowEmptyValue" and location == "query":
                out[key] = value
            elif key.startswith("x-") and key != "x-nullable":
                out[key] = self.verbatim(value)
        out["schema"] = self.simple_schema(param, old, new + ("schema",))
        if param.get("type") == "array":
            fmt = str(param.get("collectionFormat", "csv"))
            style, explode = STYLES.get((str(location), fmt), ("form", False))
            out["style"] = style
            out["explode"] = explode
            anchor = old + ("collectionFormat",) if "collectionFormat" in param else old
            self.record(new + ("style",), anchor)
            self.record(new + ("explode",), anchor)
        return out

    def simple_schema(
        self,
        node: dict[str, Any],
        old: Pointer,
        new: Pointer,
        extra: tuple[str, ...] = (),
        extensions: bool = False,
    ) -> dict[str, Any]:
        """The schema of a parameter, header or items object (its value fields)."""
        self.record(new, old)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "type" and value == "file":
                out["type"] = "string"
                out["format"] = "binary"
                self.record(new + ("type",), old + ("type",))
                self.record(new + ("format",), old + ("type",))
            elif key == "format" and node.get("type") == "file":
                continue
            elif key == "items" and isinstance(value, dict):
                out["items"] = self.simple_schema(
                    value, old + ("items",), new + ("items",), extensions=True
                )
            elif key == "x-nullable":
                if value is True:
                    out["nullable"] = True
                    self.record(new + ("nullable",), old + (key,))
            elif key in SCHEMA_FIELDS or key in extra:
                out[key] = copy.deepcopy(value)
            elif extensions and key.startswith("x-"):
                out[key] = self.verbatim(value)
        return out

    def schema(self, node: Any, old: Pointer, new: Pointer) -> Any:
        """A Schema Object (definitions, body, response): 2.0 and 3.0 differ only in a few keys."""
        self.record(new, old)
        if not isinstance(node, dict):
            return self.verbatim(node)
        if isinstance(node.get("$ref"), str):
            out = {
                k: v if k == "$ref" else self.verbatim(v)
                for k, v in node.items()
                if k != "x-nullable"
            }
            if node.get("x-nullable") is not True:
                self.pending.append(out)
                return out
            # nullable beside $ref would be ignored: wrap the reference.
            ref = {"$ref": out.pop("$ref")}
            self.pending.append(ref)
            self.record(new + ("allOf", 0), old)
            self.record(new + ("nullable",), old + ("x-nullable",))
            return {"allOf": [ref], "nullable": True, **out}
        out = {}
        for key, value in node.items():
            o, n = old + (key,), new + (key,)
            if key == "type":
                out.update(self.schema_type(value, o, new))
            elif key == "format" and node.get("type") == "file":
                continue
            elif key == "properties" and isinstance(value, dict):
                self.record(n, o)
                out[key] = {
                    name: self.schema(sub, o + (name,), n + (name,)) for name, sub in value.items()
                }
            elif key == "additionalProperties" and isinstance(value, dict):
                out[key] = self.schema(value, o, n)
            elif key == "items" and isinstance(value, dict):
                out[key] = self.schema(value, o, n)
            elif key == "items" and isinstance(value, list):
                # A tuple: OpenAPI 3.0 has one items schema; any of the positions' schemas.
                self.record(n, o)
                self.record(n + ("anyOf",), o)
                out[key] = {
                    "anyOf": [
                        self.schema(sub, o + (i,), n + ("anyOf", i)) for i, sub in enumerate(value)
                    ]
                }
            elif key == "allOf" and isinstance(value, list):
                self.record(n, o)
                out[key] = [self.schema(sub, o + (i,), n + (i,)) for i, sub in enumerate(value)]
            elif key == "discriminator" and isinstance(value, str):
                out[key] = {"propertyName": value}
                self.record(n, o)
            elif key == "x-nullable":
                if value is True:
                    out["nullable"] = True
                    self.record(new + ("nullable",), o)
            elif key in DATA_KEYS:
                out[key] = copy.deepcopy(value)
            else:
                out[key] = self.verbatim(value)
        return out

    def schema_type(self, value: Any, old: Pointer, new: Pointer) -> dict[str, Any]:
        """The keys replacing a 2.0 ``type``: file, "null" and type lists have no 3.0 type."""
        self.record(new + ("type",), old)
        if value == "file":
            self.record(new + ("format",), old)
            return {"type": "string", "format": "binary"}
        if not isinstance(value, list):
            if value == "null":
                self.record(new + ("nullable",), old)
                return {"nullable": True, "enum": [None]}
            return {"type": value}
        real = [t for t in value if t != "null"]
        out: dict[str, Any] = {}
        if len(real) == 1:
            out["type"] = real[0]
        elif len(real) > 1:
            out["anyOf"] = [{"type": t} for t in real]
            for i, t in enumerate(real):
                self.record(new + ("anyOf", i), old + (value.index(t),))
        if "null" in value:
            out["nullable"] = True
            self.record(new + ("nullable",), old)
            if not real:
                out["enum"] = [None]
        return out

    def discriminator_mappings(self, out: dict[str, Any]) -> None:
        """``x-discriminator-value`` of a subtype (allOf of the base) -> the base's mapping."""
        schemas = (out.get("components") or {}).get("schemas") or {}
        definitions = self.src.get("definitions") or {}
        for name, definition in definitions.items():
            if not isinstance(definition, dict) or "x-discriminator-value" not in definition:
                continue
            for member in _list(definition.get("allOf")):
                ref = member.get("$ref") if isinstance(member, dict) else None
                if not isinstance(ref, str) or not ref.startswith("#/definitions/"):
                    continue
                base = schemas.get(_ref_pointer(ref)[1]) if len(_ref_pointer(ref)) == 2 else None
                if isinstance(base, dict) and isinstance(base.get("discriminator"), dict):
                    mapping = base["discriminator"].setdefault("mapping", {})
                    target = _format_ref(("components", "schemas", name))
                    mapping[str(definition["x-discriminator-value"])] = target


# -- helpers ---------------------------------------------------------------------------------


def _media(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[str, Any]]:
    return [(str(k), v) for k, v in value.items()] if isinstance(value, dict) else []


def _ref_pointer(ref: str) -> tuple[str, ...]:
    if ref in ("#", "#/"):
        return ()
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/"))


def _format_ref(pointer: Pointer) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


def _resolve(data: Any, ref: str) -> Any:
    """The value of a local reference, or None."""
    if not ref.startswith("#"):
        return None
    if ref not in ("#", "#/") and not ref.startswith("#/"):
        return None
    node = data
    for part in _ref_pointer(ref):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _step(node: Any, part: str | int) -> tuple[bool, Any, str | int]:
    if isinstance(node, dict) and str(part) in node:
        return True, node[str(part)], str(part)
    if isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
        return True, node[int(part)], int(part)
    return False, None, part


def _normalize(data: Any, pointer: Pointer) -> Pointer:
    """``pointer`` with list indices as ints, as far as it exists in ``data``."""
    out: list[str | int] = []
    node = data
    for index, part in enumerate(pointer):
        found, node, key = _step(node, part)
        if not found:
            return tuple(out) + tuple(pointer[index:])
        out.append(key)
    return tuple(out)


def _existing(data: Any, pointer: Pointer) -> Pointer:
    """The longest prefix of ``pointer`` that exists in ``data``."""
    out: list[str | int] = []
    node = data
    for part in pointer:
        found, node, key = _step(node, part)
        if not found:
            break
        out.append(key)
    return tuple(out)


def _has(data: Any, pointer: Pointer) -> bool:
    return len(_existing(data, pointer)) == len(pointer)
