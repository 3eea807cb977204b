"""JSON Schemas to IR types: models, enums, and the TypeRef of every schema use.

Component schemas keep their names; inline objects and enums are hoisted to named classes
derived from where they stand (``Customer`` + ``status`` -> ``CustomerStatus``).
"""

from __future__ import annotations

import builtins
import functools
import json
from dataclasses import replace
from urllib.parse import unquote
from typing import Any, Iterator

from ..diagnostics import Diagnostic, Pointer, parse_pointer
from ..loader import SpecDocument
from ..model import ir
from ..naming import NameSpace, constant, pascal, snake
from ..text import py_literal
from ..validate import resolve_pointer

COMPONENT_PREFIX = "#/components/schemas/"

# Names the generated models module imports or the package exports: never a model's name.
RESERVED_CLASS_NAMES = {
    "Any",
    "Mapping",
    "Enum",
    "Decimal",
    "UUID",
    "UNSET",
    "Unset",
    "Client",
    "ApiError",
    "ApiResponse",
    "ClientError",
    "TransportError",
    "ApiTimeoutError",
    "RetryConfig",
    "Timeout",
    "dataclass",
    "field",
    "datetime",
    "date",
    "time",
    "annotations",
    "Iterator",
    # runtime names the client module imports
    *("Auth", "ApiKeyAuth", "HttpBasicAuth", "HttpBearerAuth", "OAuth2ClientCredentials"),
    *("AsyncClient", "AsyncClientCore", "AsyncTransport", "ClientCore", "Operation"),
    *("QueryParam", "Request", "Response", "Transport", "HttpTransport", "AsyncHttpTransport"),
    *("Callable", "AsyncIterator", "File", "FormFields"),
    # builtins a model module may need (Exception, Warning, ...): a class must not hide them
    *(name for name in dir(builtins) if name[:1].isupper()),
}
# Runtime functions the models module imports: a union's parse function must not take them.
RESERVED_FUNCTION_NAMES = {"parse_datetime", "parse_time", "parse_enum", "best_variant"}
# Names a model's own methods and attributes use: a field with such a name is renamed.
RESERVED_FIELD_NAMES = {"from_dict", "to_dict", "additional_properties", "self"}
# Type names the models' annotations use: a field of that name would hide the type in its class.
SHADOWING_FIELD_NAMES = {"date", "datetime", "time", "list", "dict", "str", "int", "float", "bool"}


# One encoder for every value: json.dumps given an option makes a new encoder at each call,
# ten times the cost of encoding a short string.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)


def json_text(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``."""
    return _JSON_ENCODER.encode(value)


class SchemaError(Exception):
    """A located problem found while building the IR. ``unsupported`` marks a valid construct
    clientgen cannot generate yet (``--skip-unsupported`` turns those into warnings)."""

    def __init__(
        self, pointer: Pointer, message: str, unsupported: bool = False, consequence: bool = False
    ) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.unsupported = unsupported
        self.consequence = consequence  # caused by a problem reported on its own


class Schemas:
    """Turns schemas into TypeRefs, creating models and enums as it meets them."""

    def __init__(self, doc: SpecDocument) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.resolve = Resolver(self.data)
        self.facts = Facts(self.resolve)
        self.classes = NameSpace(RESERVED_CLASS_NAMES)
        self.models: list[ir.Model] = []
        self.enums: list[ir.Enum] = []
        self.unions: list[ir.Union] = []
        self.functions = NameSpace(RESERVED_FUNCTION_NAMES)
        self._component_types: dict[str, ir.TypeRef] = {}
        self._component_names: dict[str, str] = {}
        # Aliases being resolved, with their depth: one re-entry is a recursion through an
        # object (whose type is registered before its fields); a second is an alias cycle.
        self._building: dict[str, int] = {}
        self._failed: dict[str, SchemaError] = {}
        self._ref_types: dict[str, tuple[ir.TypeRef, bool]] = {}
        # inline object schemas already hoisted, by identity (the spec's dicts live as long
        # as this builder)
        self._inline_models: dict[int, ir.TypeRef] = {}
        self.failures: list[tuple[Diagnostic, bool]] = []
        components = (self.data.get("components") or {}).get("schemas") or {}
        self._components: dict[str, Any] = components if isinstance(components, dict) else {}
        for key in self._components:
            self._component_names[key] = self.classes.claim(pascal(key))

    # -- public -----------------------------------------------------------------------------

    def build_components(self) -> None:
        """Every component schema becomes a type, used or not (nothing is dropped)."""
        for key in self._components:
            self._guard(("components", "schemas", key), lambda k=key: self.component(k))

    def type_of(self, schema: Any, hint: str, pointer: Pointer) -> tuple[ir.TypeRef, bool]:
        """The TypeRef of ``schema`` and whether null is allowed; hoists inline classes."""
        if not isinstance(schema, dict):
            return _ANY, True
        if "$ref" in schema:
            return self._ref(schema, hint, pointer)
        nullable = is_nullable(schema)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self._union(schema, key, hint, pointer, nullable)
        if "allOf" in schema:
            members = [m for m in schema["allOf"] if not _is_null(m) and not _annotation_only(m)]
            own = any(k in schema for k in ("properties", "additionalProperties"))
            if not members and not own:  # only documenting members: the schema without them
                rest = {k: v for k, v in schema.items() if k != "allOf"}
                inner, inner_null = self.type_of(rest, hint, pointer)
                return inner, nullable or inner_null
            if len(members) == 1 and not own:
                inner, inner_null = self.type_of(members[0], hint, pointer + ("allOf", 0))
                return inner, nullable or inner_null
            return self._model(schema, hint, pointer, wire_name=hint), nullable
        if "enum" in schema:
            return self._enum(schema, hint, pointer, wire_name=hint)
        if "const" in schema:
            return _primitive_of(schema["const"]), nullable
        plain = self._plain(schema, hint, pointer)
        return plain, nullable or plain.kind == "any"  # any JSON value includes null

    def component(self, key: str) -> ir.TypeRef:
        if key in self._component_types:
            return self._component_types[key]
        if key in self._failed:
            failed = self._failed[key]
            raise SchemaError(
                failed.pointer,
                f"uses schema {key!r}, which cannot be generated",
                failed.unsupported,
                consequence=True,
            )
        schema = self._components[key]
        name = self._component_names[key]
        pointer: Pointer = ("components", "schemas", key)
        if self._building.get(key, 0) >= 2:  # an alias cycle with no object in it
            raise SchemaError(pointer, f"schema {key!r} refers to itself without an object")
        if _is_object_like(self, schema):
            ref = ir.TypeRef("model", name, name, name=name)
            self._component_types[key] = ref  # before the fields, for recursion
            try:
                self._build_model(schema, name, key, pointer)
            except SchemaError as exc:
                del self._component_types[key]
                self._failed[key] = exc
                raise
            return ref
        if isinstance(schema, dict) and "enum" in schema and "$ref" not in schema:
            ref, _ = self._enum(schema, name, pointer, wire_name=key, fixed_name=name)
            self._component_types[key] = ref
            return ref
        merged = _merged_enum(schema)
        if merged is not None:
            ref, _ = self._enum(merged, name, pointer, wire_name=key, fixed_name=name)
            self._component_types[key] = ref
            return ref
        self._building[key] = self._building.get(key, 0) + 1
        try:
            ref, _ = self.type_of(schema, name, pointer)
        finally:
            self._building[key] -= 1
        self._component_types[key] = ref
        return ref

    def completed_unions(self) -> list[ir.Union]:
        """The unions, each variant's required properties and JSON kinds read from its model
        now that every model is built: a union met inside the definition of one of its own
        variants (``Node: {next: oneOf [Node, Leaf]}``) could not read that one's then."""
        models = {m.name: m for m in self.models}

        def completed(variant: ir.Variant) -> ir.Variant:
            model = models.get(variant.model)
            if model is None:
                return variant
            required = tuple(f.wire_name for f in model.fields if f.required)
            return replace(variant, required=required, kinds=tuple(_kinds(model)))

        return [replace(u, variants=tuple(map(completed, u.variants))) for u in self.unions]

    def component_type_names(self) -> list[str]:
        """The names of the component schemas' models, enums and unions, in the spec's order
        (every other class was hoisted from inside a schema)."""
        refs = [self._component_types.get(key) for key in self._components]
        return [ref.name for ref in refs if ref is not None and ref.name is not None]

    def component_nullable(self, key: str) -> bool:
        schema = self._components.get(key)
        return isinstance(schema, dict) and is_nullable(schema)

    # -- kinds ------------------------------------------------------------------------------

    def _ref(self, schema: dict[str, Any], hint: str, pointer: Pointer) -> tuple[ir.TypeRef, bool]:
        ref = schema["$ref"]
        own_null = is_nullable(schema)
        if ref.startswith(COMPONENT_PREFIX) and "/" not in ref[len(COMPONENT_PREFIX) :]:
            key = _unescape(ref[len(COMPONENT_PREFIX) :])
            try:
                target_type = self.component(key)
            except SchemaError as exc:
                if not exc.consequence:
                    raise
                raise SchemaError(pointer + ("$ref",), str(exc), exc.unsupported, True) from None
            return target_type, own_null or self.component_nullable(key)
        inner, null = self._inner_ref(ref, pointer)
        return inner, own_null or null

    def _inner_ref(self, ref: str, pointer: Pointer) -> tuple[ir.TypeRef, bool]:
        """A reference into a schema's insides (``#/components/schemas/A/properties/b``, a
        ``definitions`` block, ...): resolved once, named after its path, recursion-safe."""
        if ref in self._ref_types:
            return self._ref_types[ref]
        target = self.resolve(ref)
        where = parse_pointer(ref)
        hint = _name_of_path(where)
        if _is_object_like(self, target):
            name = self.classes.claim(pascal(hint))
            result = (ir.TypeRef("model", name, name, name=name), is_nullable(target))
            self._ref_types[ref] = result  # before the fields, for recursion
            self._build_model(target, name, hint, where)
            return result
        if self._building.get(ref, 0) >= 2:
            raise SchemaError(pointer, f"{ref!r} refers to itself without an object", True)
        self._building[ref] = self._building.get(ref, 0) + 1
        try:
            result = self.type_of(target, hint, where)
        finally:
            self._building[ref] -= 1
        self._ref_types[ref] = result
        return result

    def _union(
        self, schema: dict[str, Any], key: str, hint: str, pointer: Pointer, nullable: bool
    ) -> tuple[ir.TypeRef, bool]:
        merged = _merged_enum(schema)
        if merged is not None:
            return self._enum(merged, hint, pointer, wire_name=hint)
        members = schema[key]
        real = [(i, m) for i, m in enumerate(members) if not _is_null(m)]
        nullable = nullable or len(real) < len(members)
        if len(real) == 1:
            index, member = real[0]
            inner, inner_null = self.type_of(member, hint, pointer + (key, index))
            return inner, nullable or inner_null
        typed = [(self.type_of(m, hint, pointer + (key, i)), m) for i, m in real]
        nullable = nullable or any(null for (_, null), _ in typed)
        pairs = [(t, m) for (t, _), m in typed]
        return self._one_of(pairs, schema, hint), nullable

    def _one_of(self, pairs: list[tuple[ir.TypeRef, Any]], schema: Any, hint: str) -> ir.TypeRef:
        """One type for "any of these": alternatives are told apart by JSON type; objects by
        discriminator, else by best property match (``best_variant``). Alternatives that share
        a JSON type and cannot be told apart are merged deterministically: arrays into an array
        of the merged items, other scalars into their plain JSON type (inline enums were merged
        into one enum of all their values before: ``_merged_enum``)."""
        types = _unique([t for t, _ in pairs])
        if len(types) == 1:
            return types[0]
        if all(t.kind in ir.PRIMITIVE_KINDS for t in types):
            return _primitive_union(types)
        groups: dict[str, list[ir.TypeRef]] = {}
        for t in types:
            groups.setdefault(ir.json_type(t), []).append(t)
        models: list[tuple[ir.TypeRef, Any]] = []
        for t, m in pairs:
            if t.kind == "model" and all(t != known for known, _ in models):
                models.append((t, m))
        dicts = groups.get("dict", [])
        if models and (len(models) > 1 or len(dicts) > 1):
            others = [self._merge_same_json_type(g, hint) for k, g in groups.items() if k != "dict"]
            return self._tagged_union(schema, hint, models, others)
        merged = [self._merge_same_json_type(group, hint) for group in groups.values()]
        if len(merged) == 1:
            return merged[0]
        return ir.TypeRef(
            "union",
            " | ".join(t.annotation for t in merged),
            " or ".join(t.display for t in merged),
            members=tuple(merged),
        )

    def _merge_same_json_type(self, group: list[ir.TypeRef], hint: str) -> ir.TypeRef:
        if len(group) == 1:
            return group[0]
        if all(t.kind == "list" and t.item is not None for t in group):
            item = self._one_of([(t.item, {}) for t in group if t.item is not None], {}, hint)
            null = any(t.item_nullable for t in group)
            inner = f"{item.annotation} | None" if null and item.kind != "any" else item.annotation
            return ir.TypeRef(
                "list", f"list[{inner}]", f"list[{item.display}]", item=item, item_nullable=null
            )
        return _PLAIN[ir.json_type(group[0])]

    def _tagged_union(
        self,
        schema: dict[str, Any],
        hint: str,
        pairs: list[tuple[ir.TypeRef, Any]],
        others: list[ir.TypeRef],
    ) -> ir.TypeRef:
        objects = [t for t, _ in pairs]
        discriminator = (
            schema.get("discriminator") if isinstance(schema.get("discriminator"), dict) else None
        )
        prop = discriminator.get("propertyName") if discriminator else None
        mapping = (discriminator or {}).get("mapping") or {}
        names_by_ref: dict[str, list[str]] = {}
        for tag, target in mapping.items():
            ref = target if str(target).startswith("#") else COMPONENT_PREFIX + str(target)
            names_by_ref.setdefault(ref, []).append(str(tag))
        variants = []
        for ref_type, member in pairs:
            ref = member.get("$ref") if isinstance(member, dict) else None
            tags: list[str] = []
            if prop:
                if ref in names_by_ref:
                    tags = names_by_ref[ref]
                elif isinstance(ref, str) and ref.startswith(COMPONENT_PREFIX):
                    tags = [_unescape(ref[len(COMPONENT_PREFIX) :])]
            # required properties and kinds: read once every model is built (completed_unions)
            variants.append(ir.Variant(str(ref_type.name), tuple(tags), required=()))
        function = self.functions.claim("parse_" + snake(hint, "union"))
        annotation = " | ".join(
            [t.annotation for t in objects] + [t.annotation for t in others] + ["dict[str, Any]"]
        )
        self.unions.append(
            ir.Union(
                function=function,
                wire_name=hint,
                description=self.facts.describe(schema),
                annotation=annotation,
                discriminator=prop,
                variants=tuple(variants),
                others=tuple(others),
            )
        )
        display = "one of " + ", ".join(t.display for t in objects + others)
        return ir.TypeRef(
            "oneof", annotation, display, name=function, members=tuple(objects + others)
        )

    def _plain(self, schema: dict[str, Any], hint: str, pointer: Pointer) -> ir.TypeRef:
        types = schema.get("type")
        if isinstance(types, list):
            real = [t for t in types if t != "null"]
            if len(real) > 1:
                return _primitive_union(
                    [self._plain({**schema, "type": t}, hint, pointer) for t in real]
                )
            types = real[0] if real else None
        fmt = schema.get("format")
        if types == "string":
            return _string_type(fmt)
        if types == "integer":
            return ir.TypeRef("int", "int", "integer", format=fmt)
        if types == "number":
            return ir.TypeRef("float", "float", "number", format=fmt)
        if types == "boolean":
            return ir.TypeRef("bool", "bool", "boolean")
        if types == "array":
            item, null = self._item_type(
                schema.get("items", {}), hint + "Item", pointer + ("items",)
            )
            inner = f"{item.annotation} | None" if null and item.kind != "any" else item.annotation
            return ir.TypeRef(
                "list", f"list[{inner}]", f"list[{item.display}]", item=item, item_nullable=null
            )
        if types == "object" or "properties" in schema:
            if schema.get("properties"):
                return self._model(schema, hint, pointer, wire_name=hint)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                item, null = self._item_type(
                    extra, hint + "Value", pointer + ("additionalProperties",)
                )
                inner = (
                    f"{item.annotation} | None" if null and item.kind != "any" else item.annotation
                )
                return ir.TypeRef(
                    "map",
                    f"dict[str, {inner}]",
                    f"map[str, {item.display}]",
                    item=item,
                    item_nullable=null,
                )
            return ir.TypeRef("object", "dict[str, Any]", "object")
        return _ANY

    def _item_type(self, schema: Any, hint: str, pointer: Pointer) -> tuple[ir.TypeRef, bool]:
        """An array's items or a map's values. A reference back to a non-object schema being
        built (``Value: oneOf [string, number, array of Value]``, a JSON value) has no class to
        name: its items are typed ``Any`` (any JSON value), where the recursion starts again."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith(COMPONENT_PREFIX):
            key = _unescape(ref[len(COMPONENT_PREFIX) :])
            if self._building.get(key, 0) > 0 and key not in self._component_types:
                return _ANY, True
        return self.type_of(schema, hint, pointer)

    def _model(
        self, schema: dict[str, Any], hint: str, pointer: Pointer, wire_name: str
    ) -> ir.TypeRef:
        known = self._inline_models.get(id(schema))
        if known is not None:  # the same inline object again: recursion through it
            return known
        name = self.classes.claim(pascal(hint))
        ref = ir.TypeRef("model", name, name, name=name)
        self._inline_models[id(schema)] = ref  # before the fields, for recursion
        self._build_model(schema, name, wire_name, pointer)
        return ref

    def _build_model(self, schema: Any, name: str, wire_name: str, pointer: Pointer) -> None:
        properties, required, extra_schema, composed = self._merged(schema, pointer)
        names = NameSpace(RESERVED_FIELD_NAMES)
        fields: list[ir.Field] = []
        for wire, (prop, prop_pointer) in properties.items():
            wanted = snake(wire, "field")
            field_name = names.claim(wanted + "_" if wanted in SHADOWING_FIELD_NAMES else wanted)
            ftype, nullable = self.type_of(prop, name + pascal(wire, "Field"), prop_pointer)
            facts = self.facts.constraints(prop)
            fields.append(
                ir.Field(
                    name=field_name,
                    wire_name=wire,
                    type=ftype,
                    # A required readOnly property is only required in responses, a writeOnly
                    # one only in requests: one model serves both, so neither is required.
                    required=wire in required and not (facts.read_only or facts.write_only),
                    nullable=nullable,
                    description=self.facts.describe(prop),
                    constraints=facts,
                )
            )
        extra: ir.TypeRef | None = None
        extra_nullable = False
        if isinstance(extra_schema, dict) and extra_schema:
            extra, extra_nullable = self.type_of(
                extra_schema, name + "Value", pointer + ("additionalProperties",)
            )
        example = _example(schema)
        self.models.append(
            ir.Model(
                name=name,
                wire_name=wire_name,
                description=self.facts.describe(schema),
                fields=tuple(fields),
                extra=extra,
                example=json_text(example) if example is not None else None,
                composed_of=tuple(composed),
                extra_nullable=extra_nullable,
            )
        )

    def _merged(
        self, schema: Any, pointer: Pointer, seen: frozenset[str] = frozenset()
    ) -> tuple[dict[str, tuple[Any, Pointer]], set[str], Any, list[str]]:
        """Properties (in order), required names, additionalProperties and allOf member names
        of an object schema, allOf members and their references flattened."""
        properties: dict[str, tuple[Any, Pointer]] = {}
        required: set[str] = set()
        extra: Any = None
        composed: list[str] = []
        if not isinstance(schema, dict):
            return properties, required, extra, composed
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen:
                raise SchemaError(pointer, f"allOf cycle through {ref!r}")
            target = self.resolve(ref)
            if ref.startswith(COMPONENT_PREFIX):
                key = _unescape(ref[len(COMPONENT_PREFIX) :])
                composed.append(self._component_names.get(key, pascal(key)))
            props, req, extra, _ = self._merged(target, parse_pointer(ref), seen | {ref})
            return props, req, extra, composed
        for index, member in enumerate(schema.get("allOf") or []):
            props, req, member_extra, names = self._merged(member, pointer + ("allOf", index), seen)
            for key, value in props.items():
                if key in properties:
                    value = self._narrower(properties[key], value, key)
                properties[key] = value
            required |= req
            extra = member_extra if member_extra is not None else extra
            composed.extend(names)
        for key, prop in (schema.get("properties") or {}).items():
            properties[key] = (prop, pointer + ("properties", key))
        required |= {r for r in schema.get("required") or [] if isinstance(r, str)}
        if "additionalProperties" in schema:
            extra = schema["additionalProperties"]
        return properties, required, extra, composed

    def _narrower(
        self, first: tuple[Any, Pointer], second: tuple[Any, Pointer], key: str
    ) -> tuple[Any, Pointer]:
        """The property schema two allOf members both allow: the narrower one when one's JSON
        types are within the other's (``integer`` within ``number``, ``string`` within
        ``integer | string``), the later one when they allow the same types (a refinement)."""
        if _shape(first[0]) == _shape(second[0]):
            return second
        types_a, types_b = self._json_types(first[0]), self._json_types(second[0])
        if types_a is None or not types_a - {"null"}:
            return second
        if types_b is None or not types_b - {"null"}:
            return first
        types_a, types_b = types_a - {"null"}, types_b - {"null"}
        if types_a == types_b and "object" not in types_a and "array" not in types_a:
            return second
        if _allowed_within(types_b, types_a):
            return second
        if _allowed_within(types_a, types_b):
            return first
        raise SchemaError(second[1], f"allOf members disagree on the type of property {key!r}")

    def _json_types(self, schema: Any, depth: int = 0) -> frozenset[str] | None:
        """The JSON types ``schema`` allows, or None when it does not say (any value)."""
        if not isinstance(schema, dict) or depth > 20:
            return None
        if "$ref" in schema:
            return self._json_types(self.resolve(schema["$ref"]), depth + 1)
        found: set[str] = set()
        declared = schema.get("type")
        if isinstance(declared, str):
            found.add(declared)
        elif isinstance(declared, list):
            found.update(t for t in declared if isinstance(t, str))
        elif "properties" in schema:
            found.add("object")
        for union in ("oneOf", "anyOf"):
            for member in schema.get(union) or []:
                inner = self._json_types(member, depth + 1)
                if inner is None:
                    return None
                found |= inner
        if not found:
            return None
        if schema.get("nullable") is True:
            found.add("null")
        return frozenset(found)

    def _enum(
        self,
        schema: dict[str, Any],
        hint: str,
        pointer: Pointer,
        wire_name: str,
        fixed_name: str | None = None,
    ) -> tuple[ir.TypeRef, bool]:
        values = [v for v in schema["enum"] if v is not None]
        nullable = is_nullable(schema) or len(values) < len(schema["enum"])
        if values and all(isinstance(v, str) for v in values):
            base = "str"
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            base = "int"
        else:
            return _primitive_union([_primitive_of(v) for v in values] or [_ANY]), nullable
        name = fixed_name or self.classes.claim(pascal(hint))
        member_names = NameSpace({"name", "value", "mro"})
        members = tuple(
            ir.EnumMember(member_names.claim(constant(str(v), "VALUE")), v, py_literal(v))
            for v in values
        )
        self.enums.append(ir.Enum(name, wire_name, self.facts.describe(schema), base, members))
        return ir.TypeRef("enum", f"{name} | {base}", f"{name} (enum)", name=name), nullable

    def _guard(self, pointer: Pointer, build: Any) -> None:
        try:
            build()
        except SchemaError as exc:
            diagnostic = self.doc.diagnostic(exc.pointer, str(exc))
            self.failures.append((diagnostic, exc.unsupported))


_ANY = ir.TypeRef("any", "Any", "any")
_PLAIN = {
    "str": ir.TypeRef("str", "str", "string"),
    "int": ir.TypeRef("int", "int", "integer"),
    "float": ir.TypeRef("float", "float", "number"),
    "bool": ir.TypeRef("bool", "bool", "boolean"),
    "list": ir.TypeRef("list", "list[Any]", "list[any]", item=_ANY),
    "dict": ir.TypeRef("object", "dict[str, Any]", "object"),
}

_STRING_FORMATS = {
    "date-time": ("datetime", "datetime"),
    "date": ("date", "date"),
    "time": ("time", "time"),
    "uuid": ("uuid", "UUID"),
    "decimal": ("decimal", "Decimal"),
}


def _string_type(fmt: Any) -> ir.TypeRef:
    """The type of a string schema of format ``fmt`` (not a string: no format)."""
    return _string_type_of(fmt if isinstance(fmt, str) else None)


@functools.lru_cache(maxsize=1024)
def _string_type_of(fmt: str | None) -> ir.TypeRef:
    """One TypeRef per format, made once: a large spec has tens of thousands of strings, and a
    frozen dataclass is slow to build."""
    kind, annotation = _STRING_FORMATS.get(fmt or "", ("str", "str"))
    display = "string" if kind == "str" else f"string ({fmt})"
    return ir.TypeRef(kind, annotation, display, format=fmt, wire_type="string")


def _primitive_of(value: Any) -> ir.TypeRef:
    if isinstance(value, bool):
        return ir.TypeRef("bool", "bool", "boolean")
    if isinstance(value, int):
        return ir.TypeRef("int", "int", "integer")
    if isinstance(value, float):
        return ir.TypeRef("float", "float", "number")
    if isinstance(value, str):
        return ir.TypeRef("str", "str", "string")
    return _ANY


_JSON_KINDS = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "array",
    "dict": "object",
}


def _kinds(model: ir.Model) -> Iterator[tuple[str, str]]:
    """The JSON kind of each field of ``model`` that has exactly one (not ``Any``, not a union),
    ``?`` added when null is allowed: how a union without a discriminator rules it out."""
    for f in model.fields:
        if f.type.kind in ("any", "union", "oneof"):
            continue
        yield f.wire_name, _JSON_KINDS[ir.json_type(f.type)] + ("?" if f.nullable else "")


def _merged_enum(schema: Any) -> dict[str, Any] | None:
    """A oneOf/anyOf of inline enums of one JSON type as one enum schema of all their values
    (``oneOf: [{enum: [a]}, {enum: [b]}]`` -> ``{enum: [a, b]}``), else None."""
    if not isinstance(schema, dict):
        return None
    members = schema.get("oneOf", schema.get("anyOf"))
    if not isinstance(members, list) or len(members) < 2:
        return None
    values: list[Any] = []
    for member in members:
        if _is_null(member):
            values.append(None)
        elif (
            isinstance(member, dict)
            and "$ref" not in member
            and isinstance(member.get("enum"), list)
        ):
            values.extend(member["enum"])
        else:
            return None
    present = [v for v in values if v is not None]
    if not (
        all(isinstance(v, str) for v in present)
        or all(isinstance(v, int) and not isinstance(v, bool) for v in present)
    ):
        return None
    merged: dict[str, Any] = {"enum": list(dict.fromkeys(values))}
    for key in ("description", "nullable", "title"):
        if key in schema:
            merged[key] = schema[key]
    return merged


def _unique(types: list[ir.TypeRef]) -> list[ir.TypeRef]:
    return list({t.annotation: t for t in types}.values())


def _primitive_union(types: list[ir.TypeRef]) -> ir.TypeRef:
    unique: dict[str, ir.TypeRef] = {}
    for t in types:
        unique.setdefault(t.annotation, t)
    if len(unique) == 1:
        return next(iter(unique.values()))
    if "Any" in unique:
        return _ANY
    members = tuple(unique.values())
    return ir.TypeRef(
        "union",
        " | ".join(t.annotation for t in members),
        " or ".join(t.display for t in members),
        members=members,
    )


def is_nullable(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    return (
        schema.get("nullable") is True
        or types == "null"
        or (isinstance(types, list) and "null" in types)
        or (isinstance(schema.get("enum"), list) and None in schema["enum"] and types is None)
    )


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null" and len(schema) <= 2


def _is_object_like(schemas: Schemas, schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("properties"):
        return True
    if "allOf" in schema:
        members = [m for m in schema["allOf"] if not _is_null(m) and not _annotation_only(m)]
        return len(members) > 1 or any("properties" in m for m in members if isinstance(m, dict))
    return False


_ANNOTATIONS = {
    "description",
    "title",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "nullable",
    "externalDocs",
    "xml",
    "$comment",
}


def _annotation_only(schema: Any) -> bool:
    """An allOf member that only documents (``{description: ...}``): it adds no type."""
    return (
        isinstance(schema, dict)
        and bool(schema)
        and all(k in _ANNOTATIONS or k.startswith("x-") for k in schema)
    )


def _shape(schema: Any) -> Any:
    if isinstance(schema, dict):
        return schema.get("$ref") or schema.get("type")
    return None


def _allowed_within(narrow: frozenset[str], wide: frozenset[str]) -> bool:
    """Whether every JSON type of ``narrow`` is allowed by ``wide`` (an integer is a number)."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _unescape(part: str) -> str:
    return unquote(part).replace("~1", "/").replace("~0", "~")


_STRUCTURAL = {
    "components",
    "schemas",
    "properties",
    "definitions",
    "$defs",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "additionalProperties",
}


def _name_of_path(pointer: Pointer) -> str:
    """A readable class name hint for a schema inside another: ``PagingInfo/definitions/links``
    -> ``PagingInfo_links``."""
    parts = [str(p) for p in pointer if str(p) not in _STRUCTURAL and not str(p).isdigit()]
    return "_".join(parts) or "Schema"


def _example(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return None
    if "example" in schema:
        return schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    return None


# The keys ``ir.Constraints`` is made of. A schema's other keys are never facts: most schemas
# (a type, a description) have none of these and share one empty ``Constraints``.
_FACT_KEYS = frozenset(
    {
        "default",
        "minimum",
        "exclusiveMinimum",
        "maximum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "enum",
        "example",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
    }
)
# The keys of a schema that may wrap another's facts (``Facts._wrapped``), and every key facts
# may come from.
_WRAPPING_KEYS = frozenset({"allOf", "oneOf", "anyOf", "items"})
_FACT_SOURCES = _FACT_KEYS | _WRAPPING_KEYS
_NO_CONSTRAINTS = ir.Constraints()


class Resolver:
    """Local references resolved once each (``validate.resolve_pointer``): GitHub's spec
    resolves about 10,000 of them, over 640 distinct ones, while it is built."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self._targets: dict[str, Any] = {}

    def __call__(self, ref: Any) -> Any:
        if not isinstance(ref, str):  # not a reference: resolve_pointer says how, uncached
            return resolve_pointer(self.data, ref)
        if ref not in self._targets:
            self._targets[ref] = resolve_pointer(self.data, ref)
        return self._targets[ref]


class Facts:
    """What the docs say about a schema use: its description and constraints.

    A plain use of a referenced schema (``{$ref: ...}``: thousands in GitHub's spec, over a few
    hundred schemas) gets its target's constraints, worked out once per target and kept by its
    identity: the spec's dicts live as long as the builder, so an id is never another's. Facts
    that are all strings (``format: uri``, a string example: 12,800 of GitHub's 18,300 uses
    with facts, 736 distinct) make their ``Constraints`` once too."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        self._target_constraints: dict[int, ir.Constraints] = {}
        self._string_constraints: dict[tuple[tuple[str, str], ...], ir.Constraints] = {}

    def target(self, schema: Any) -> Any:
        """The schema a $ref points at, or ``schema`` itself."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            return self.resolve(schema["$ref"])
        return schema

    def describe(self, schema: Any) -> str:
        """A schema's description; a $ref's own sibling description wins over its target's,
        then the first member's that has one."""
        if not isinstance(schema, dict):
            return ""
        if isinstance(schema.get("description"), str):
            return str(schema["description"]).strip()
        if schema.keys().isdisjoint(("$ref", "allOf", "oneOf", "anyOf")):  # nowhere else to look
            return ""
        target = self.target(schema)
        if target is not schema and isinstance(target, dict):
            return self.describe(target)
        for key in ("allOf", "oneOf", "anyOf"):
            for member in schema.get(key) or []:
                text = self.describe(member)
                if text:
                    return text
        return ""

    def constraints(self, schema: Any) -> ir.Constraints:
        """The documented facts of a schema use, sibling keys of a $ref over its target's."""
        if not isinstance(schema, dict):
            return _NO_CONSTRAINTS
        target = self.target(schema)
        own = self.of(schema)
        if not isinstance(target, dict) or target is schema:
            return self._constraints_of(own)
        if own:
            return self._constraints_of({**self.of(target), **own})
        key = id(target)
        if key not in self._target_constraints:
            self._target_constraints[key] = self._constraints_of(self.of(target))
        return self._target_constraints[key]

    def _constraints_of(self, facts: dict[str, Any]) -> ir.Constraints:
        """``_constraints_of(facts)``, made once for each set of facts that are all strings
        (their text alone decides the ``Constraints``; other values may be unhashable, or
        equal yet written differently: ``0.0`` and ``-0.0``)."""
        if not facts:
            return _NO_CONSTRAINTS
        if not all(type(value) is str for value in facts.values()):
            return _constraints_of(facts)
        key = tuple(facts.items())
        if key not in self._string_constraints:
            self._string_constraints[key] = _constraints_of(facts)
        return self._string_constraints[key]

    def of(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The fact keys of a schema (``_FACT_KEYS``, never its ``$ref``) over those it pulls
        up from a schema it wraps (``_wrapped``)."""
        if schema.keys().isdisjoint(_FACT_SOURCES):  # most schemas: nothing to copy or follow
            return {}
        own = {k: v for k, v in schema.items() if k in _FACT_KEYS}
        if schema.keys().isdisjoint(_WRAPPING_KEYS):
            return own
        return {**self._wrapped(schema), **own}

    def _wrapped(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The facts of the one member an allOf, oneOf or anyOf wraps (null aside: a nullable
        union), and the enum of an array's items: the docs show them on the wrapping schema."""
        result: dict[str, Any] = {}
        for key in ("allOf", "oneOf", "anyOf"):
            members = [m for m in schema.get(key) or [] if not _is_null(m)]
            if len(members) == 1:
                result.update(self.of(self.target(members[0]) or {}))
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            items = self.target(schema["items"])
            if isinstance(items, dict) and "enum" in items:
                result["enum"] = items["enum"]
        return result


def _constraints_of(facts: dict[str, Any]) -> ir.Constraints:
    """``ir.Constraints`` from the fact keys of a schema use (``Facts.of``)."""
    if not facts:
        return _NO_CONSTRAINTS
    example = _example(facts)
    enum = facts.get("enum")
    return ir.Constraints(
        default=json_text(facts["default"]) if "default" in facts else None,
        minimum=_bound(facts, "minimum", "exclusiveMinimum"),
        maximum=_bound(facts, "maximum", "exclusiveMaximum"),
        min_length=facts.get("minLength"),
        max_length=facts.get("maxLength"),
        pattern=facts.get("pattern"),
        format=facts.get("format") if isinstance(facts.get("format"), str) else None,
        enum_values=tuple(json_text(v) for v in enum) if isinstance(enum, list) else (),
        example=json_text(example) if example is not None else None,
        read_only=facts.get("readOnly") is True,
        write_only=facts.get("writeOnly") is True,
        deprecated=facts.get("deprecated") is True,
    )


def _bound(schema: dict[str, Any], inclusive: str, exclusive: str) -> str | None:
    if isinstance(schema.get(exclusive), (int, float)) and not isinstance(schema[exclusive], bool):
        return f"{'>' if inclusive == 'minimum' else '<'} {json_text(schema[exclusive])}"
    if isinstance(schema.get(inclusive), (int, float)) and not isinstance(schema[inclusive], bool):
        return json_text(schema[inclusive])
    return None
