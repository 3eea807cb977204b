"""Paths and operations to IR: parameters, bodies, responses, pagination, resource groups."""

from __future__ import annotations

import re
from typing import Any

from .. import extensions
from ..diagnostics import Pointer
from ..model import ir
from ..naming import NameSpace, constant, pascal, snake
from ..validate import HTTP_METHODS, resolve_pointer
from .schemas import Schemas, SchemaError, _pointer_of, constraints, describe, json_text

# Arguments every operation method takes besides the spec's parameters.
# names the generated methods use themselves (``response``: the result of ``*_with_response``)
METHOD_RESERVED = {"self", "timeout", "retries", "max_pages", "response"}
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


def error_class(status: str) -> str:
    if status in ERROR_CLASSES:
        return ERROR_CLASSES[status]
    if status.startswith("5"):
        return "ServerError"
    return "ApiError"


def _is_json(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


class OperationBuilder:
    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas
        self.data: dict[str, Any] = schemas.data
        self.constants = NameSpace()

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
            pointer = _pointer_of(node["$ref"])
            node = resolve_pointer(self.data, node["$ref"])
        return node, pointer

    def build(self, path: str, item: dict[str, Any], method: str, security: Any) -> ir.Operation:
        where: Pointer = ("paths", path, method)
        op: dict[str, Any] = item[method]
        op_id = op.get("operationId") or f"{method}_{path}"
        op_pascal = pascal(op_id, "Operation")
        summary = str(op.get("summary") or "").strip()
        description = str(op.get("description") or "").strip()

        parameters = self._parameters(path, item, op, where, op_pascal)
        body = self._body(op, where, op_pascal)
        success, errors = self._responses(op, where, op_pascal)
        returns = self._returns(success, where)
        group = self._group(op)
        pagination = self._pagination(op, where, parameters, returns)
        requirements = op.get("security", security) or []
        return ir.Operation(
            operation_id=op_id,
            method_name=op.get(extensions.METHOD) or snake(op_id, "call"),
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
            pagination=pagination,
            idempotent=op.get(extensions.IDEMPOTENT),
            security=tuple(tuple(req) for req in requirements if isinstance(req, dict)),
            deprecated=op.get("deprecated") is True,
            tags=tuple(str(t) for t in op.get("tags") or []),
            method_explicit=extensions.METHOD in op,
        )

    # -- parts ------------------------------------------------------------------------------

    def _parameters(
        self, path: str, item: dict[str, Any], op: dict[str, Any], where: Pointer, op_pascal: str
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
        names = NameSpace(METHOD_RESERVED | {"body"})
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
            facts = constraints(self.data, schema or {})
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
                        param.get("description") or describe(self.data, schema)
                    ).strip(),
                    style=style,
                    explode=bool(explode),
                    constraints=facts,
                )
            )
        return tuple(result)

    def _body(self, op: dict[str, Any], where: Pointer, op_pascal: str) -> ir.Body | None:
        if "requestBody" not in op:
            return None
        body, ref_pointer = self.deref(op["requestBody"])
        pointer = ref_pointer or where + ("requestBody",)
        content: dict[str, Any] = body.get("content") or {}
        if not content:
            return None  # `content: {}` declares no body to send
        media = next((m for m in content if _is_json(m)), None)
        if media is None:
            kinds = ", ".join(sorted(str(m) for m in content)) or "none"
            raise SchemaError(
                pointer + ("content",),
                f"request body media type not supported yet: {kinds}",
                unsupported=True,
            )
        media_obj = content[media] or {}
        btype, _ = self.schemas.type_of(
            media_obj.get("schema") or {},
            op_pascal + "Request",
            pointer + ("content", media, "schema"),
        )
        required = body.get("required") is True
        annotation = btype.annotation if btype.kind != "enum" else btype.annotation
        return ir.Body(
            name="body",
            type=btype,
            annotation=annotation if required else f"{annotation} | None",
            required=required,
            content_type="application/json" if media == "*/*" else media,
            description=str(body.get("description") or "").strip(),
            example=_media_example(media_obj),
        )

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
            media = next((m for m in content if _is_json(m)), None)
            example = None
            is_success = status.startswith("2")
            hint = op_pascal + ("Response" if is_success else f"Error{status.title()}")
            if media is not None:
                media_obj = content[media] or {}
                rtype, _ = self.schemas.type_of(
                    media_obj.get("schema") or {}, hint, pointer + ("content", media, "schema")
                )
                example = _media_example(media_obj)
            elif content:
                media = next(iter(content))
                rtype = ir.TypeRef("bytes", "bytes", f"bytes ({media})")
            entry = ir.Response(
                status=status,
                description=str(response.get("description") or "").strip(),
                type=rtype,
                content_type=media,
                exception=None if is_success else error_class(status),
                example=example,
            )
            (success if is_success else errors).append(entry)
        errors.sort(key=lambda r: (r.status == "default", not r.status.isdigit(), r.status))
        return tuple(sorted(success, key=lambda r: r.status)), tuple(errors)

    def _returns(self, success: tuple[ir.Response, ...], where: Pointer) -> ir.TypeRef | None:
        typed = [r for r in success if r.type is not None]
        if not typed:
            return None
        first = typed[0].type
        assert first is not None
        for other in typed[1:]:
            if other.type is not None and other.type.annotation != first.annotation:
                raise SchemaError(
                    where + ("responses", other.status),
                    "success responses with different body types are not supported yet",
                    unsupported=True,
                )
        return first

    def _group(self, op: dict[str, Any]) -> tuple[str, ...]:
        override = op.get(extensions.GROUP)
        if isinstance(override, str):
            return tuple(override.split("."))
        tags = op.get("tags") or []
        if not tags:
            return ()
        return tuple(snake(part, "group") for part in str(tags[0]).split(".") if part.strip()) or ()

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
