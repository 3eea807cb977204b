"""Hypothesis strategies of random *valid* OpenAPI specs that use every construct clientgen
supports, with hostile names and text.

A spec is drawn once, in the OpenAPI 3.1 spelling (type lists, ``const``, ``examples``, null
alternatives); ``to_openapi30`` rewrites it into the 3.0 spelling (``nullable``, one-value
``enum``, ``example``) without moving any schema that can hold an object, so a JSON pointer to
a model's schema means the same in both. Instances for the round trip are always drawn from
(and validated against) the 3.1 spelling, whose JSON Schema semantics are standard.

What a drawn spec has:

- component schemas under hostile names (keywords, soft keywords, builtins, the runtime's own
  names, leading digits, names differing only in case or separators, symbol-only names):
  objects (required / optional / nullable properties, typed or free extras, closed), string and
  integer enums (with null), aliases (arrays, maps, primitives, references), unions of objects
  (``oneOf`` / ``anyOf``; discriminator with a mapping, implicit, or none; with a primitive
  alternative) and ``allOf`` compositions;
- properties of every kind: primitives with formats, inline enums, ``const``, arrays, maps,
  free-form objects, inline objects (hoisted), unions of primitives, references (recursion and
  mutual recursion through objects), defaults, ``readOnly`` / ``writeOnly``, hostile property
  names (unicode, quotes, empty, ``$ref``, the models' own attribute names);
- hostile descriptions and titles (quotes, triple quotes, backslashes, newlines, ``{{ }}``,
  ``{% %}``, markdown, HTML) everywhere text lands;
- a few operations using the components (path / query / header parameters, JSON bodies,
  success and error responses, 204, tags, operationIds good and hostile).

Required properties only ever reference components drawn earlier (or allow null), so every
schema has finite instances; alias chains only reference earlier components, so an alias never
refers to itself without an object (that is a located error, not a fuzz finding).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

PREFIX = "#/components/schemas/"

# Names the generated code or Python itself uses: each must come out renamed, distinct, valid.
_HOSTILE_SCHEMA_NAMES = [
    *("class", "def", "None", "True", "False", "import", "lambda", "return", "from", "async"),
    *("match", "case", "type", "_", "__", "int", "str", "list", "dict", "object", "bool"),
    *("float", "bytes", "self", "cls", "print", "Exception", "Client", "AsyncClient"),
    *("ApiError", "ApiResponse", "ClientError", "TransportError", "NotFoundError", "UNSET"),
    *("Unset", "Any", "Enum", "Mapping", "field", "dataclass", "datetime", "date", "time"),
    *("Decimal", "UUID", "Iterator", "Callable", "Operation", "Request", "Response"),
    *("Transport", "annotations", "models", "client", "_runtime", "1st", "2fa", "404"),
    *("-", "_-_", "..", ".", "a.b", "a-b", "a_b", "AB", "aB", "Ab", "ab", "Foo", "foo", "FOO"),
    *("foo-bar", "foo_bar", "fooBar", "FooBar", "foo.bar", "Foo.Bar", "__init__", "__class__"),
    *("parse_foo", "ParseFoo", "Item", "Items", "Value", "FooValue", "FooItem", "to_dict"),
]
_HOSTILE_PROPERTY_NAMES = [
    *_HOSTILE_SCHEMA_NAMES,
    *("", " ", "a b", '"key"', "'", "\\", "{{ x }}", "{% if x %}", "$ref", "ñandú", "名前"),
    *("additional_properties", "from_dict", "to_dict", "data", "value", "key", "item"),
    *("_field", "x-y", "page[size]", "@type", "$type", "kind", "KIND", "Kind"),
]
_HOSTILE_TEXT = [
    '"""',
    "'''",
    'ends with a quote"',
    "ends with a backslash \\",
    "{{ 7*7 }}",
    "{% for x in y %}{% endfor %}",
    "{#",
    "<script>alert(1)</script>",
    "line one\nline two\n\n# heading\n| a | b |",
    "```python\nimport os\n```",
    "\\N{BULLET} \\x00 \\u1234",
    "tab\there",
    "`code` *em* _u_ [link](http://x)",
]
TEXT = st.sampled_from(_HOSTILE_TEXT) | st.text(max_size=20)
SCHEMA_NAMES = st.sampled_from(_HOSTILE_SCHEMA_NAMES) | st.from_regex(
    r"[A-Za-z0-9._-]{1,12}", fullmatch=True
)
PROPERTY_NAMES = st.sampled_from(_HOSTILE_PROPERTY_NAMES) | st.text(min_size=1, max_size=10)
ENUM_STRINGS = st.sampled_from(_HOSTILE_PROPERTY_NAMES + _HOSTILE_TEXT) | st.text(max_size=10)
# identifier-ish names for path templates (a path parameter's name must appear in the path)
PATH_NAMES = st.sampled_from(["id", "class", "from", "item-id", "itemId", "item_id", "self"])
STRING_FORMATS = [None, None, "date-time", "date", "time", "uuid", "decimal", "email", "uri"]
DISCRIMINATORS = ["kind", "type", "@type", "petType", 'ki"nd', "class"]


@dataclass
class Component:
    """What the spec strategy knows of one component schema while drawing the others."""

    key: str
    kind: str  # object, allof, enum, alias, union
    tagged: bool = False  # declares the discriminator property as a required string
    open: bool = True  # no additionalProperties (usable as an allOf member)
    properties: dict[str, Any] = field(default_factory=dict)  # merged, for allOf conflicts

    @property
    def model(self) -> bool:
        return self.kind in ("object", "allof")


@dataclass
class Context:
    components: list[Component]
    discriminator: str
    index: int = 0  # the component being drawn

    def refs(self, required: bool) -> list[Component]:
        """Components a schema of component ``index`` may reference: earlier ones always;
        later ones (and itself) only through a model and not on a required path."""
        earlier = self.components[: self.index]
        if required:
            return earlier
        return earlier + [c for c in self.components[self.index :] if c.model]


def ref(component: Component) -> dict[str, Any]:
    return {"$ref": PREFIX + component.key}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also allows null (3.1 spelling)."""
    schema = dict(schema)
    if "$ref" in schema or "allOf" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return {**schema, key: [*schema[key], {"type": "null"}]}
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    if "const" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    schema["type"] = [*types, "null"]
    return schema


@st.composite
def _described(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    if draw(st.integers(0, 3)) == 0:
        schema = {**schema, "description": draw(TEXT)}
    if draw(st.integers(0, 7)) == 0:
        schema = {**schema, "title": draw(TEXT)}
    return schema


@st.composite
def _enum_values(draw: st.DrawFn, kind: str) -> list[Any]:
    if kind == "string":
        return draw(st.lists(ENUM_STRINGS, min_size=1, max_size=5, unique=True))
    return draw(st.lists(st.integers(-5, 2**40), min_size=1, max_size=5, unique=True))


@st.composite
def _primitive(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "string", "integer", "number", "boolean"]))
    schema: dict[str, Any] = {"type": kind}
    if kind == "string":
        fmt = draw(st.sampled_from(STRING_FORMATS))
        if fmt:
            schema["format"] = fmt
        elif draw(st.booleans()):
            schema["maxLength"] = draw(st.integers(1, 20))
    elif kind == "integer":
        fmt = draw(st.sampled_from([None, "int32", "int64"]))
        if fmt:
            schema["format"] = fmt
        if draw(st.booleans()):
            schema["minimum"] = draw(st.integers(-10, 10))
    elif kind == "number" and draw(st.booleans()):
        schema["format"] = draw(st.sampled_from(["double", "float"]))
    return schema


def _default_for(schema: dict[str, Any]) -> Any:
    """A value valid for a simple schema, or None when there is no obvious one."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if schema.get("format"):
        return None
    return {"string": "x", "integer": 7, "number": 1.5, "boolean": True}.get(kind)


@st.composite
def property_schema(
    draw: st.DrawFn, ctx: Context, depth: int = 0, required: bool = False
) -> dict[str, Any]:
    """The schema of one property (3.1 spelling); ``required``: on a required path, where a
    reference to a later component could make instances infinite."""
    kinds = ["primitive"] * 4 + ["enum", "const", "array", "map", "free", "prim_union"]
    if ctx.refs(required):
        kinds += ["ref"] * 4
    if depth < 2:
        kinds += ["object", "object_union"]
    kind = draw(st.sampled_from(kinds))
    schema: dict[str, Any]
    if kind == "primitive":
        schema = draw(_primitive())
    elif kind == "enum":
        base = draw(st.sampled_from(["string", "integer"]))
        schema = {"type": base, "enum": draw(_enum_values(base))}
    elif kind == "const":
        value = draw(ENUM_STRINGS | st.integers(-5, 5))
        schema = {"const": value}
    elif kind == "array":
        schema = {"type": "array", "items": draw(property_schema(ctx, depth + 1))}
    elif kind == "map":
        schema = {"type": "object", "additionalProperties": draw(property_schema(ctx, depth + 1))}
    elif kind == "free":
        schema = draw(st.sampled_from([{"type": "object"}, {}]))
    elif kind == "prim_union":
        members = draw(
            st.lists(
                st.sampled_from(["string", "integer", "boolean", "date"]),
                min_size=2,
                max_size=3,
                unique_by=lambda t: "string" if t == "date" else t,
            )
        )
        options = [
            {"type": "string", "format": "date"} if t == "date" else {"type": t} for t in members
        ]
        if "date" in members or draw(st.booleans()):
            schema = {draw(st.sampled_from(["oneOf", "anyOf"])): options}
        else:
            schema = {"type": members}
    elif kind == "ref":
        schema = ref(draw(st.sampled_from(ctx.refs(required))))
    elif kind == "object":
        schema = draw(object_schema(ctx, depth + 1, required))
    else:
        schema = draw(union_schema(ctx, required))
        if not schema:
            schema = draw(_primitive())
    if "type" in schema and not isinstance(schema["type"], list) and draw(st.integers(0, 5)) == 0:
        default = _default_for(schema)
        if default is not None:
            schema["default"] = default
    if draw(st.integers(0, 9)) == 0 and "$ref" not in schema:
        schema[draw(st.sampled_from(["readOnly", "writeOnly"]))] = True
    if draw(st.integers(0, 4)) == 0:
        schema = nullable(schema)
    if "$ref" not in schema:
        schema = draw(_described(schema))
    return schema


@st.composite
def object_schema(
    draw: st.DrawFn, ctx: Context, depth: int, required_path: bool, tagged: bool = False
) -> dict[str, Any]:
    names = draw(st.lists(PROPERTY_NAMES, min_size=1, max_size=5, unique=True))
    if tagged:
        names = [n for n in names if n != ctx.discriminator]
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name in names:
        is_required = draw(st.booleans())
        properties[name] = draw(property_schema(ctx, depth, required_path and is_required))
        if is_required:
            required.append(name)
    if tagged:
        properties[ctx.discriminator] = {"type": "string"}
        required.append(ctx.discriminator)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


@st.composite
def union_schema(draw: st.DrawFn, ctx: Context, required: bool) -> dict[str, Any]:
    """oneOf / anyOf of references to object components, with a discriminator (mapping or
    implicit) when every alternative declares its property; maybe with a primitive
    alternative. Empty when there are not two models to choose from."""
    models = [c for c in ctx.refs(required) if c.model and c.properties]
    tagged = [c for c in models if c.tagged]
    use_tag = len(tagged) >= 2 and draw(st.integers(0, 3)) > 0
    if use_tag:
        members = draw(st.lists(st.sampled_from(tagged), min_size=2, max_size=3, unique_by=id))
    else:
        # without a discriminator, an object goes to the alternative that knows most of its
        # properties: only alternatives without common property names and without
        # additionalProperties are told apart by that for every valid instance (see
        # REPRODUCERS in test_fuzz_specs.py)
        members = []
        for candidate in draw(st.permutations(models)):
            disjoint = all(not set(candidate.properties) & set(m.properties) for m in members)
            if candidate.open and disjoint and len(members) < 3:
                members.append(candidate)
        if len(members) < 2:
            return {}
    schema: dict[str, Any] = {draw(st.sampled_from(["oneOf", "anyOf"])): [ref(m) for m in members]}
    key = next(iter(schema))
    if use_tag:
        discriminator: dict[str, Any] = {"propertyName": ctx.discriminator}
        mapped = draw(st.lists(st.sampled_from(members), unique_by=id))
        if mapped:
            tags = draw(st.lists(ENUM_STRINGS, min_size=len(mapped), max_size=len(mapped)))
            implicit = {m.key for m in members if m not in mapped}
            mapping: dict[str, str] = {}
            for member, tag in zip(mapped, tags):
                if tag in mapping or tag in implicit:
                    continue
                target = ref(member)["$ref"]
                mapping[tag] = target if draw(st.booleans()) else member.key
            if mapping:
                discriminator["mapping"] = mapping
        schema["discriminator"] = discriminator
    if draw(st.integers(0, 3)) == 0:
        schema[key] = [*schema[key], {"type": draw(st.sampled_from(["string", "integer"]))}]
    return schema


@st.composite
def _component_schema(draw: st.DrawFn, ctx: Context) -> dict[str, Any]:
    component = ctx.components[ctx.index]
    schema: dict[str, Any]
    if component.kind == "object":
        schema = draw(object_schema(ctx, 0, True, tagged=component.tagged))
        extra = draw(st.sampled_from(["none", "none", "none", "true", "false", "typed"]))
        if extra == "true":
            schema["additionalProperties"] = True
        elif extra == "false":
            schema["additionalProperties"] = False
        elif extra == "typed":
            schema["additionalProperties"] = draw(property_schema(ctx, 1))
        component.open = extra == "none"
        component.properties = dict(schema["properties"])
    elif component.kind == "allof":
        schema = _allof(draw, ctx, component)
    elif component.kind == "enum":
        base = draw(st.sampled_from(["string", "integer"]))
        schema = {"type": base, "enum": draw(_enum_values(base))}
        if draw(st.integers(0, 3)) == 0:
            schema = nullable(schema)
    elif component.kind == "union":
        schema = draw(union_schema(ctx, True))
        if not schema:
            component.kind = "alias"
    if component.kind == "alias":
        schema = draw(property_schema(ctx, 1, required=True))
    return draw(_described(schema))


def _allof(draw: st.DrawFn, ctx: Context, component: Component) -> dict[str, Any]:
    """allOf of earlier open models whose properties agree, plus properties of its own."""
    candidates = [c for c in ctx.components[: ctx.index] if c.model and c.open]
    chosen = (
        draw(st.lists(st.sampled_from(candidates), max_size=3, unique_by=id)) if candidates else []
    )
    merged: dict[str, Any] = {}
    members: list[Component] = []
    for member in chosen:
        if all(merged.get(k, v) == v for k, v in member.properties.items()):
            merged.update(member.properties)
            members.append(member)
    own = draw(object_schema(ctx, 0, True))
    own["properties"] = {k: v for k, v in own["properties"].items() if k not in merged}
    own["required"] = [r for r in own.get("required", []) if r in own["properties"]]
    if not own["required"]:
        del own["required"]
    parts: list[dict[str, Any]] = [ref(m) for m in members]
    if own["properties"] or len(parts) < 2:
        parts.append(own)
    merged.update(own["properties"])
    component.properties = merged
    component.tagged = any(m.tagged for m in members)
    return {"allOf": parts}


@st.composite
def _operations(draw: st.DrawFn, ctx: Context) -> dict[str, Any]:
    models = [c for c in ctx.components if c.model]
    paths: dict[str, Any] = {}
    ctx.index = len(ctx.components)
    operation_ids: set[str] = set()
    for number in range(draw(st.integers(1, 4))):
        name = draw(PATH_NAMES)
        path = f"/r{number}/{{{name}}}"
        method = draw(st.sampled_from(["get", "post", "put", "patch", "delete"]))
        operation: dict[str, Any] = {}
        # (one without a letter or digit is named after its method and path)
        op_id = draw(st.none() | SCHEMA_NAMES | TEXT)
        if op_id and op_id not in operation_ids:
            operation_ids.add(op_id)
            operation["operationId"] = op_id
        if draw(st.booleans()):
            operation["tags"] = [
                draw(st.sampled_from(["Shop.Widgets", "class", "../../etc", "a b"]))
            ]
        if draw(st.booleans()):
            operation["summary"] = draw(TEXT)
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": draw(
                    st.sampled_from(
                        [
                            {"type": "string"},
                            {"type": "integer"},
                            {"type": "string", "format": "uuid"},
                        ]
                    )
                ),
            }
        ]
        query = draw(st.lists(PROPERTY_NAMES.filter(lambda n: n != name), max_size=3, unique=True))
        for qname in query:
            qschema = draw(
                st.sampled_from(
                    [
                        {"type": "string"},
                        {"type": "integer"},
                        {"type": "boolean"},
                        {"type": "array", "items": {"type": "string"}},
                    ]
                    + [ref(c) for c in ctx.components if c.kind == "enum"]
                )
            )
            parameters.append(
                {"name": qname, "in": "query", "schema": qschema, "description": draw(TEXT)}
            )
        if draw(st.booleans()):
            parameters.append({"name": "X-Trace", "in": "header", "schema": {"type": "string"}})
        operation["parameters"] = parameters
        if method in ("post", "put", "patch") and models:
            body = ref(draw(st.sampled_from(models)))
            operation["requestBody"] = {
                "required": draw(st.booleans()),
                "content": {"application/json": {"schema": body}},
            }
        responses: dict[str, Any] = {}
        if method == "delete" and draw(st.booleans()):
            responses["204"] = {"description": draw(TEXT)}
        else:
            target = ref(draw(st.sampled_from(ctx.components)))
            if draw(st.integers(0, 3)) == 0:
                target = {"type": "array", "items": target}
            responses["200"] = {
                "description": draw(TEXT),
                "content": {"application/json": {"schema": target}},
            }
        if models and draw(st.booleans()):
            responses["404"] = {
                "description": "missing",
                "content": {"application/json": {"schema": ref(draw(st.sampled_from(models)))}},
            }
        operation["responses"] = responses
        paths[path] = {method: operation}
    return paths


@st.composite
def openapi_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid OpenAPI 3.1 document (see the module docstring)."""
    keys = draw(st.lists(SCHEMA_NAMES, min_size=1, max_size=7, unique=True))
    kinds = ["object", "object", "object", "allof", "enum", "alias", "union", "union"]
    components = []
    for index, key in enumerate(keys):
        kind = draw(st.sampled_from(kinds)) if index else "object"
        if kind == "allof" and not any(c.model for c in components):
            kind = "object"
        components.append(Component(key, kind, tagged=kind == "object" and draw(st.booleans())))
    ctx = Context(components, draw(st.sampled_from(DISCRIMINATORS)))
    schemas: dict[str, Any] = {}
    for index, component in enumerate(components):
        ctx.index = index
        schemas[component.key] = draw(_component_schema(ctx))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": draw(TEXT.filter(lambda t: t.strip() != "")),
            "version": draw(st.sampled_from(["1.0", '1.0 "beta"', "{{ v }}"])),
            "description": draw(TEXT),
        },
        "paths": draw(_operations(ctx)),
        "components": {"schemas": schemas},
    }


# -- the 3.0 spelling -----------------------------------------------------------------------


def to_openapi30(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (3.1 spelling, as drawn) in the OpenAPI 3.0 spelling, every schema that can
    hold an object left at the same JSON pointer."""
    result = copy.deepcopy(spec)
    result["openapi"] = "3.0.3"
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _schema30(parameter["schema"])
            for content in [operation.get("requestBody", {})] + list(
                operation.get("responses", {}).values()
            ):
                for media in content.get("content", {}).values():
                    media["schema"] = _schema30(media["schema"])
    schemas = result["components"]["schemas"]
    for key in schemas:
        schemas[key] = _schema30(schemas[key])
    return result


def _schema30(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}  # 3.0 ignores siblings of $ref
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: _schema30(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _schema30(value)
        elif key in ("allOf", "oneOf", "anyOf"):
            members = [m for m in value if m != {"type": "null"}]
            if len(members) < len(value):
                out["nullable"] = True
            if len(members) == 1 and key != "allOf":
                key = "allOf"  # the 3.0 idiom for a nullable reference
            out[key] = [_schema30(m) for m in members]
        elif key == "const":
            out["enum"] = [value]
        elif key == "examples":
            out["example"] = value[0]
        elif key == "type" and isinstance(value, list):
            real = [t for t in value if t != "null"]
            if len(real) < len(value):
                out["nullable"] = True
            if len(real) == 1:
                out["type"] = real[0]
            else:
                out["oneOf"] = [{"type": t} for t in real]
        else:
            out[key] = value
    return out


def dumps(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, ensure_ascii=False)
