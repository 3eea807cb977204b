"""Paths and operations to IR: parameters, bodies, responses, pagination, resource groups."""

from __future__ import annotations

import json
import re
from typing import Any

from .. import extensions
from ..diagnostics import Pointer, parse_pointer
from ..model import ir
from ..naming import NameSpace, constant, pascal, snake
from ..semantic import HTTP_METHODS
from .schemas import Schemas, SchemaError, json_text

# Arguments every operation method takes besides the spec's parameters.
# names the generated methods use themselves (``response``: the result of ``*_with_response``)
METHOD_RESERVED = {"self", "timeout", "retries", "max_pages", "response"}
# Functions a generated method body calls by name: a parameter so named would hide them
# (``codec``'s decoders among them: tests/test_naming.py keeps the two lists in step).
METHOD_BODY_NAMES = {
    "str",
    "to_json",
    "iterate_pages",
    "aiterate_pages",
    "parse_datetime",
    "parse_time",
    "parse_decimal",
    "parse_enum",
    "decode_list",
    "decode_map",
    "decode_union",
    "optional",
}
# Header parameters OpenAPI says to ignore (they are set from content negotiation).
IGNORED_HEADERS = {"accept", "content-type"}

ERROR_CLASSES = {
    "400": "BadRequestError",
    "401": "AuthenticationError",
    "403": "PermissionDeniedError",
    "404": "NotFoundError",
    "409": "ConflictError",
    "422": "UnprocessableEntityError",
    "429": "RateLimitError",
}
IDEMPOTENT_METHODS = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}

_NAMEABLE = re.compile(r"[^\W_]")  # a letter or digit, in any script


def error_class(status: str) -> str:
    if status in ERROR_CLASSES:
        return ERROR_CLASSES[status]
    if status.startswith("5"):
        return "ServerError"
    return "ApiError"


def _is_json(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


BODY_KINDS = ("json", "form", "multipart", "text", "binary")
"""How a request body is sent, in order of preference when a spec offers several media
types: JSON, then a urlencoded form, a multipart form, text, and any other type as bytes."""


def media_kind(media_type: str) -> str:
    """The body kind (see BODY_KINDS) of a media type."""
    base = media_type.split(";")[0].strip().lower()
    if _is_json(base):
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base == "multipart/form-data":
        return "multipart"
    if base.startswith("text/") or base == "application/xml" or base.endswith("+xml"):
        return "text"
    return "binary"


def choose_media(content: dict[str, Any]) -> str:
    """The media type a request body is sent as: the first of the most preferred kind."""
    ranked = sorted(
        enumerate(content), key=lambda pair: (BODY_KINDS.index(media_kind(pair[1])), pair[0])
    )
    return str(ranked[0][1])


def _response_media(content: dict[str, Any]) -> str:
    """The media type a response body is read as: JSON first, then text, then the first."""
    for kind in ("json", "text"):
        found = next((m for m in content if media_kind(m) == kind), None)
        if found is not None:
            return str(found)
    return str(next(iter(content)))


TEXT = ir.TypeRef("str", "str", "string")
FILE = ir.TypeRef("file", "File | bytes", "file (File or bytes)")
BYTES = ir.TypeRef("bytes", "bytes", "bytes")


class OperationBuilder:
    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas
        self.data: dict[str, Any] = schemas.data
        self.constants = NameSpace()
        self._readers: dict[str, str] = {}  # error body type name -> its reader function
        self._reader_names = NameSpace()

    def deref(self, node: Any) -> tuple[Any, Pointer | None]:
        """Follow ``$ref`` chains of components (parameters, responses, bodies)."""
        pointer: Pointer | None = None
        seen: set[str] = set()
        while (
            isinstance(node, dict)
            and isinstance(node.get("$ref"), str)
            and node["$ref"] not in seen
        ):
            seen.add(node["$ref"])
            pointer = parse_pointer(node["$ref"])
            node = self.schemas.resolve(node["$ref"])
        return node, pointer

    def build(self, path: str, item: dict[str, Any], method: str, security: Any) -> ir.Operation:
        where: Pointer = ("paths", path, method)
        op: dict[str, Any] = item[method]
        op_id = op.get("operationId") or f"{method}_{path}"
        # Names come from the operationId, or from method and path when it has no letter or
        # digit to make one from ("{#", "..."): the wire operationId is kept in the manifest.
        named = op_id if _NAMEABLE.search(op_id) else f"{method}_{path}"
        op_pascal = pascal(named, "Operation")
        summary = str(op.get("summary") or "").strip()
        description = str(op.get("description") or "").strip()

        names = NameSpace(METHOD_RESERVED | METHOD_BODY_NAMES | {"body"})
        parameters = self._parameters(path, item, op, where, op_pascal, names)
        body, fields = self._body(op, where, op_pascal, names)
        if fields:  # form and multipart fields are keyword arguments after the path ones
            in_path = sum(1 for p in parameters if p.location == "path")
            parameters = parameters[:in_path] + fields + parameters[in_path:]
        success, errors = self._responses(op, where, op_pascal)
        returns = self._returns(success)
        distinct = {r.read_as for r in success}
        parse_function = None
        if len(distinct) > 1:
            parse_function = "_parse_" + self.constants.claim(
                snake(named, "operation"), suffix_sep="_"
            )
        group = self._group(op)
        pagination = self._pagination(op, where, parameters, returns)
        requirements = op.get("security", security) or []
        return ir.Operation(
            operation_id=op_id,
            method_name=op.get(extensions.METHOD) or snake(named, "call"),
            constant="_" + self.constants.claim(constant(op_id, "OPERATION")),
            http_method=method.upper(),
            path=path,
            summary=summary,
            description=description,
            group=group,
            parameters=parameters,
            body=body,
            success=success,
            errors=errors,
            returns=returns,
            parse_function=parse_function,
            accept=_accept(success, errors),
            pagination=pagination,
            idempotent=op.get(extensions.IDEMPOTENT),
            security=tuple(tuple(req) for req in requirements if isinstance(req, dict)),
            deprecated=op.get("deprecated") is True,
            tags=tuple(str(t) for t in op.get("tags") or []),
            method_explicit=extensions.METHOD in op,
        )

    # -- parts ------------------------------------------------------------------------------

    def _parameters(
        self,
        path: str,
        item: dict[str, Any],
        op: dict[str, Any],
        where: Pointer,
        op_pascal: str,
        names: NameSpace,
    ) -> tuple[ir.Parameter, ...]:
        merged: dict[tuple[str, str], tuple[dict[str, Any], Pointer]] = {}
        for source, base in ((item, ("paths", path)), (op, where)):
            for index, raw in enumerate(source.get("parameters") or []):
                param, ref_pointer = self.deref(raw)
                if not isinstance(param, dict):
                    continue
                pointer = ref_pointer or base + ("parameters", index)
                merged[(param["in"], param["name"])] = (param, pointer)
        order = {name: i for i, name in enumerate(re.findall(r"{([^}]*)}", path))}
        ordered = sorted(
            merged.values(),
            key=lambda p: (
                0 if p[0]["in"] == "path" else 1 if p[0].get("required") else 2,
                order.get(p[0]["name"], 0) if p[0]["in"] == "path" else 0,
            ),
        )
        result: list[ir.Parameter] = []
        for param, pointer in ordered:
            location = param["in"]
            if location == "header" and param["name"].lower() in IGNORED_HEADERS:
                continue
            schema: Any = param.get("schema")
            if schema is None and isinstance(param.get("content"), dict):
                media: Any = next(iter(param["content"].values()), None) or {}
                schema = media.get("schema")
            ptype, _ = self.schemas.type_of(
                schema or {}, op_pascal + pascal(param["name"], "Param"), pointer + ("schema",)
            )
            required = location == "path" or param.get("required") is True
            style = param.get("style") or ("form" if location in ("query", "cookie") else "simple")
            explode = param.get("explode", style == "form")
            annotation = _argument_annotation(ptype)
            facts = self.schemas.facts.constraints(schema or {})
            if "example" in param and facts.example is None:
                facts = _with_example(facts, param["example"])
            result.append(
                ir.Parameter(
                    name=names.claim(snake(param["name"], "param")),
                    wire_name=param["name"],
                    location=location,
                    type=ptype,
                    annotation=annotation if required else f"{annotation} | None",
                    required=required,
                    description=str(
                        param.get("description") or self.schemas.facts.describe(schema)
                    ).strip(),
                    style=style,
                    explode=bool(explode),
                    constraints=facts,
                )
            )
        return tuple(result)

    def _body(
        self, op: dict[str, Any], where: Pointer, op_pascal: str, names: NameSpace
    ) -> tuple[ir.Body | None, tuple[ir.Parameter, ...]]:
        """The request body, and for a form or multipart object its fields as arguments."""
        if "requestBody" not in op:
            return None, ()
        body, ref_pointer = self.deref(op["requestBody"])
        pointer = ref_pointer or where + ("requestBody",)
        content: dict[str, Any] = body.get("content") or {}
        if not content:
            return None, ()  # `content: {}` declares no body to send
        media = choose_media(content)
        kind = media_kind(media)
        media_obj = content[media] or {}
        schema = media_obj.get("schema") or {}
        schema_pointer = pointer + ("content", media, "schema")
        required = body.get("required") is True
        fields: tuple[ir.Parameter, ...] = ()
        if kind == "json":
            btype, _ = self.schemas.type_of(schema, op_pascal + "Request", schema_pointer)
        elif kind in ("form", "multipart"):
            fields = self._form_fields(
                schema, schema_pointer, media_obj, kind, op_pascal, names, required
            )
            btype = ir.TypeRef("object", "dict[str, Any]", f"{kind} fields")
            if not fields:
                btype, _ = self.schemas.type_of(schema, op_pascal + "Request", schema_pointer)
                if btype.kind not in ("map", "object", "any"):
                    raise SchemaError(
                        schema_pointer,
                        f"a form body ({media}) must be an object, not {btype.display}",
                        unsupported=True,
                    )
                btype = ir.TypeRef("object", "dict[str, Any]", "object")
        elif kind == "text":
            btype = TEXT
        else:
            btype = FILE
        return (
            ir.Body(
                name="body",
                type=btype,
                annotation=btype.annotation if required else f"{btype.annotation} | None",
                required=required,
                content_type="application/json" if media == "*/*" else media,
                description=str(body.get("description") or "").strip(),
                example=_media_example(media_obj),
                encoding=kind,
                alternatives=tuple(str(m) for m in content if m != media),
                spread=bool(fields),
            ),
            fields,
        )

    def _form_fields(
        self,
        schema: Any,
        pointer: Pointer,
        media_obj: dict[str, Any],
        kind: str,
        op_pascal: str,
        names: NameSpace,
        body_required: bool,
    ) -> tuple[ir.Parameter, ...]:
        """The properties of a form or multipart object body, as keyword arguments (empty
        when the schema names no properties: the body is then passed as a mapping)."""
        properties, required_names, _, _ = self.schemas._merged(schema, pointer)
        known: dict[str, ir.TypeRef] = {}
        if isinstance(schema, dict) and "$ref" in schema and properties:
            # a component: its model is built already; its fields' types are reused
            model = self._model_of(self.schemas.type_of(schema, op_pascal + "Request", pointer)[0])
            known = {f.wire_name: f.type for f in model.fields} if model else {}
        raw_encodings = media_obj.get("encoding")
        encodings: dict[str, Any] = raw_encodings if isinstance(raw_encodings, dict) else {}
        example = _media_example(media_obj)
        example_value = json.loads(example) if example is not None else None
        fields: list[ir.Parameter] = []
        for wire, (prop, prop_pointer) in properties.items():
            target, _ = self.deref(prop)
            raw_encoding = encodings.get(wire)
            encoding: dict[str, Any] = raw_encoding if isinstance(raw_encoding, dict) else {}
            content_type = encoding.get("contentType")
            declared = None
            if (
                isinstance(content_type, str)
                and "," not in content_type
                and "*" not in content_type
            ):
                declared = content_type.strip()
            if kind == "multipart" and _is_file(target):
                ptype = FILE
            elif kind == "multipart" and _is_file_list(self, target):
                ptype = ir.TypeRef("list", "list[File | bytes]", "list[file]", item=FILE)
            elif wire in known:
                ptype = known[wire]
            else:
                ptype, _ = self.schemas.type_of(
                    prop, op_pascal + pascal(wire, "Field"), prop_pointer
                )
            object_like = ptype.kind in ("model", "map", "object")
            style = encoding.get("style") or ("deepObject" if object_like else "form")
            explode = encoding.get("explode", style == "form" or style == "deepObject")
            arg_required = body_required and wire in required_names
            annotation = _argument_annotation(ptype)
            facts = self.schemas.facts.constraints(prop)
            if isinstance(example_value, dict) and wire in example_value:
                facts = _with_example(facts, example_value[wire])
            fields.append(
                ir.Parameter(
                    name=names.claim(snake(wire, "field")),
                    wire_name=wire,
                    location="body",
                    type=ptype,
                    annotation=annotation if arg_required else f"{annotation} | None",
                    required=arg_required,
                    description=self.schemas.facts.describe(prop).strip(),
                    style=str(style),
                    explode=bool(explode),
                    constraints=facts,
                    content_type=declared if kind == "multipart" else None,
                )
            )
        return tuple(fields)

    def _responses(
        self, op: dict[str, Any], where: Pointer, op_pascal: str
    ) -> tuple[tuple[ir.Response, ...], tuple[ir.Response, ...]]:
        success: list[ir.Response] = []
        errors: list[ir.Response] = []
        for status, raw in (op.get("responses") or {}).items():
            status = str(status).upper() if str(status).lower() != "default" else "default"
            response, ref_pointer = self.deref(raw)
            pointer = ref_pointer or where + ("responses", status)
            content = response.get("content") or {}
            rtype: ir.TypeRef | None = None
            media: str | None = _response_media(content) if content else None
            decode = media_kind(media) if media is not None else "none"
            example = None
            is_success = status.startswith("2")
            hint = op_pascal + ("Response" if is_success else f"Error{status.title()}")
            if media is not None and decode == "json":
                media_obj = content[media] or {}
                rtype, _ = self.schemas.type_of(
                    media_obj.get("schema") or {}, hint, pointer + ("content", media, "schema")
                )
                example = _media_example(media_obj)
            elif media is not None and decode == "text" and is_success:
                rtype = ir.TypeRef("str", "str", f"str ({media})")
            elif media is not None:
                decode = "binary"
                rtype = ir.TypeRef("bytes", "bytes", f"bytes ({media})")
            entry = ir.Response(
                status=status,
                description=str(response.get("description") or "").strip(),
                type=rtype,
                content_type=media,
                exception=None if is_success else error_class(status),
                example=example,
                decode=decode,
                reader=None if is_success or rtype is None else self._reader(rtype),
            )
            (success if is_success else errors).append(entry)
        errors.sort(key=lambda r: (r.status == "default", not r.status.isdigit(), r.status))
        return tuple(sorted(success, key=lambda r: r.status)), tuple(errors)

    def _reader(self, ref: ir.TypeRef) -> str:
        """The resource module function that builds an error body of type ``ref`` from its
        JSON (a model or union is only imported then): one per type, named after it."""
        if ref.kind not in ("model", "oneof") or ref.name is None:
            return "_identity"
        if ref.name not in self._readers:
            base = ref.name.removeprefix("parse_") if ref.kind == "oneof" else ref.name
            self._readers[ref.name] = "_read_" + self._reader_names.claim(snake(base))
        return self._readers[ref.name]

    def _returns(self, success: tuple[ir.Response, ...]) -> ir.TypeRef | None:
        """The type an operation returns: its success body type, or when the success
        responses differ, the union of their types (``None`` for one without a body)."""
        typed: dict[str, ir.TypeRef] = {}
        for response in success:
            if response.type is not None:
                typed.setdefault(response.type.annotation, response.type)
        if not typed:
            return None
        empty = any(r.type is None for r in success)
        if len(typed) == 1 and not empty:
            return next(iter(typed.values()))
        members = tuple(typed.values())
        annotations = [t.annotation for t in members] + (["None"] if empty else [])
        displays = [t.display for t in members] + (["None"] if empty else [])
        return ir.TypeRef("union", " | ".join(annotations), " or ".join(displays), members=members)

    def _group(self, op: dict[str, Any]) -> tuple[str, ...]:
        override = op.get(extensions.GROUP)
        if isinstance(override, str):
            return _clear_of_client_members(tuple(override.split(".")))
        tags = op.get("tags") or []
        if not tags:
            return ()
        path = tuple(snake(part, "group") for part in str(tags[0]).split(".") if part.strip())
        return _clear_of_client_members(path)

    def _pagination(
        self,
        op: dict[str, Any],
        where: Pointer,
        parameters: tuple[ir.Parameter, ...],
        returns: ir.TypeRef | None,
    ) -> ir.Pagination | None:
        hint = extensions.pagination(op)
        if hint is None:
            return None
        pointer = where + (extensions.PAGINATION,)
        by_wire = {p.wire_name: p for p in parameters if p.location == "query"}
        for key in ("param", "size_param"):
            wire = getattr(hint, key)
            if wire is not None and wire not in by_wire:
                raise SchemaError(
                    pointer + (key,), f"{key} {wire!r} is not a query parameter of this operation"
                )
        model = self._model_of(returns)
        if model is None:
            raise SchemaError(pointer, "a paginated operation must return an object model")
        chain = self._field_chain(model, hint.items)
        items_field = chain[-1] if chain else None
        if items_field is None or items_field.type.kind != "list" or items_field.type.item is None:
            raise SchemaError(
                pointer + ("items",),
                f"items {hint.items!r} is not an array field of {model.name}",
            )
        for key in ("next", "total"):
            dotted = getattr(hint, key)
            if dotted is not None and not self._field_chain(model, dotted):
                raise SchemaError(
                    pointer + (key,), f"{key} {dotted!r} is not a field of {model.name}"
                )
        return ir.Pagination(
            style=hint.style,
            items_path=hint.items,
            items_expr=_items_expression(chain),
            item_type=items_field.type.item,
            param=by_wire[hint.param].name if hint.param else None,
            next=hint.next,
            size_param=by_wire[hint.size_param].name if hint.size_param else None,
            total=hint.total,
        )

    def _field_chain(self, model: ir.Model, dotted: str) -> list[ir.Field]:
        """The fields a dotted wire path goes through, or [] if it leaves the models."""
        chain: list[ir.Field] = []
        current: ir.Model | None = model
        for part in dotted.split("."):
            found = (
                next((f for f in current.fields if f.wire_name == part), None) if current else None
            )
            if found is None:
                return []
            chain.append(found)
            current = self._model_of(found.type)
        return chain

    def _model_of(self, ref: ir.TypeRef | None) -> ir.Model | None:
        if ref is None or ref.kind != "model":
            return None
        return next((m for m in self.schemas.models if m.name == ref.name), None)


def _items_expression(chain: list[ir.Field]) -> str:
    """Python expression giving the item list of a page ``result`` (empty when absent)."""
    expr = "result"
    guards = []
    for field in chain:
        expr = f"{expr}.{field.name}"
        if not field.required or field.nullable:
            guards.append(expr)
    if not guards:
        return expr
    if guards == [expr]:
        return f"({expr} or [])"
    checks = " and ".join(f"{g} is not None" for g in guards[:-1])
    return f"({expr} or [] if {checks} else [])"


def _is_file(schema: Any) -> bool:
    """Whether a multipart property is a file: a binary string (``format: binary``, or in
    3.1 a ``contentMediaType`` without a ``contentEncoding``, which would make it text)."""
    if not isinstance(schema, dict) or schema.get("type") not in ("string", None):
        return False
    if schema.get("format") == "binary":
        return True
    return "contentMediaType" in schema and "contentEncoding" not in schema


def _is_file_list(builder: OperationBuilder, schema: Any) -> bool:
    if not isinstance(schema, dict) or schema.get("type") != "array":
        return False
    item, _ = builder.deref(schema.get("items"))
    return _is_file(item)


def _accept(success: tuple[ir.Response, ...], errors: tuple[ir.Response, ...]) -> str:
    """The Accept header: the media types of the success bodies, then JSON for errors."""
    found: list[str] = []
    for response in success:
        if response.content_type and response.content_type not in found:
            found.append(response.content_type)
    if "application/json" not in found and (not found or any(r.type for r in errors)):
        found.append("application/json")
    return ", ".join(found)


def _argument_annotation(ptype: ir.TypeRef) -> str:
    if ptype.kind == "uuid":
        return "UUID | str"
    return ptype.annotation


def _media_example(media_obj: dict[str, Any]) -> str | None:
    if "example" in media_obj:
        return json_text(media_obj["example"])
    examples = media_obj.get("examples")
    if isinstance(examples, dict):
        for value in examples.values():
            if isinstance(value, dict) and "value" in value:
                return json_text(value["value"])
    return None


def _with_example(facts: ir.Constraints, example: Any) -> ir.Constraints:
    from dataclasses import replace

    return replace(facts, example=json_text(example))


def iter_operations(data: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    found: list[tuple[str, dict[str, Any], str]] = []
    for path, item in (data.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                found.append((path, item, method))
    return found


# What ``Client`` and ``AsyncClient`` define besides their resource groups and operations.
CLIENT_MEMBERS = frozenset({"close", "aclose"})


def _clear_of_client_members(path: tuple[str, ...]) -> tuple[str, ...]:
    """A top-level group named like a client member (``close``) gets a trailing underscore,
    as a keyword does (PEP 8): the client's attribute for it would hide the member."""
    if path and path[0] in CLIENT_MEMBERS:
        return (path[0] + "_",) + path[1:]
    return path
