"""JSON Schema -> hypothesis strategies of *valid* JSON instances, and the round-trip checks of
generated models, for one OpenAPI document (a small converter for the subset clientgen
supports). Used by tests/test_roundtrip.py (fixed specs) and tests/test_fuzz_specs.py (random
specs).

``Model.from_dict(d).to_dict() == d`` must hold up to the canonical spelling of formatted
strings (date-times, dates, times, UUIDs, decimals are compared after normalising both sides),
with exact JSON types (``1`` is not ``1.0``, an enum member is not its value) and nothing
dropped or invented; decoded attributes must have the Python types the IR declares.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import json
import math
import uuid
from contextlib import contextmanager
from typing import Any, Iterable, Iterator
from unittest import mock

from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators

from generator.diagnostics import Pointer
from generator.model import ir
from generator.parser.schemas import Schemas
from generator.validate import resolve_pointer

MAX_DEPTH = 3  # objects nested deeper than this get only their required properties
MAX_ITEMS = 3

_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
ANY_JSON = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=2)
    | st.dictionaries(st.text(max_size=6), inner, max_size=2),
    max_leaves=4,
)
_TIMEZONES = [dt.timezone.utc, dt.timezone(dt.timedelta(hours=5, minutes=30))]
_TIMEZONES += [dt.timezone(dt.timedelta(hours=-8))]


@st.composite
def _date_times(draw: st.DrawFn) -> str:
    seconds = draw(st.integers(0, 4_102_444_800))  # 1970 to 2100
    micros = draw(st.sampled_from([0, 0, 500_000, 123_000]) | st.integers(0, 999_999))
    zone = draw(st.sampled_from(_TIMEZONES))
    value = dt.datetime.fromtimestamp(seconds, zone).replace(microsecond=micros)
    text = value.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds", "auto"])))
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


@st.composite
def _times(draw: st.DrawFn) -> str:
    value = draw(st.times(timezones=st.sampled_from(_TIMEZONES)))
    return value.isoformat(timespec="seconds")


@st.composite
def _decimals(draw: st.DrawFn) -> str:
    digits = draw(st.integers(-(10**12), 10**12))
    places = draw(st.integers(0, 8))
    return format(decimal.Decimal(digits).scaleb(-places), "f")


FORMATS: dict[str, st.SearchStrategy[str]] = {
    "date-time": _date_times(),
    "date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat),
    "time": _times(),
    "uuid": st.uuids().map(str),
    "decimal": _decimals(),
    "email": st.from_regex(r"[a-z][a-z0-9.]{0,6}@[a-z]{1,8}\.example", fullmatch=True),
    "uri": st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9/]{0,10}", fullmatch=True),
}
_INTEGER_FORMATS: dict[Any, tuple[int | None, int | None]] = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}
FORMATS["uri-reference"] = FORMATS["uri"]
_ANNOTATIONS = {"description", "title", "example", "examples", "deprecated", "readOnly"}
_ANNOTATIONS |= {"writeOnly", "default", "externalDocs", "xml", "$comment"}


def _is_null_only(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


# OpenAPI authors write oneOf for "one of these shapes" although alternatives often overlap
# (two objects without required properties both accept {}); clientgen reads it that way too.
OpenApiValidator = validators.extend(
    Draft202012Validator, {"oneOf": Draft202012Validator.VALIDATORS["anyOf"]}
)


@contextmanager
def recording_models() -> Iterator[dict[str, tuple[Any, Pointer]]]:
    """While active, every model class the generator builds is recorded: class name -> (its
    schema, the JSON pointer where it stands). Covers hoisted inline models (response objects,
    inline unions, deepObject parameters), not only ``components/schemas``."""
    recorded: dict[str, tuple[Any, Pointer]] = {}
    original = getattr(Schemas, "_build_model", None)
    if original is None:
        raise AssertionError("Schemas._build_model is gone: update tests/fuzz/instances.py")

    def recording(self: Schemas, schema: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        pointer = kwargs.get("pointer", args[1] if len(args) > 1 else ())
        recorded[name] = (schema, tuple(pointer))
        return original(self, schema, name, *args, **kwargs)

    with mock.patch.object(Schemas, "_build_model", recording):
        yield recorded


class StrategyBuilder:
    """Hypothesis strategies for the JSON Schemas of one document (its ``$ref``s resolved), and
    the checks of the models generated from it (``models``: the IR models by class name)."""

    def __init__(self, data: Any, models: Iterable[ir.Model] = ()) -> None:
        self.data = data
        self.models = {m.name: m for m in models}
        self._refs: dict[tuple[str, int], st.SearchStrategy[Any]] = {}
        self._root = OpenApiValidator(data, format_checker=OpenApiValidator.FORMAT_CHECKER)

    def __repr__(self) -> str:  # keeps hypothesis' "Falsifying example" short
        return "<StrategyBuilder>"

    def validator(self, schema: Any) -> Any:
        """A JSON Schema 2020-12 validator (formats checked, ``oneOf`` read as ``anyOf``) for
        ``schema``, its ``$ref``s resolved in this document."""
        return self._root.evolve(schema=schema)

    def is_valid(self, schema: Any, value: Any) -> bool:
        return bool(self.validator(schema).is_valid(value))

    def resolve(self, schema: Any) -> Any:
        """``schema`` with ``$ref`` followed (sibling constraints merged in, as in 3.1)."""
        seen: set[str] = set()
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in seen:
                break
            seen.add(ref)
            rest = {k: v for k, v in schema.items() if k != "$ref" and k not in _ANNOTATIONS}
            target = resolve_pointer(self.data, ref)
            schema = {"allOf": [target, rest]} if rest else target
        return schema

    def merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An ``allOf`` schema flattened into one object schema (later members win)."""
        result: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        parts = [self.resolve(m) for m in schema.get("allOf") or []]
        parts.append({k: v for k, v in schema.items() if k != "allOf"})
        for part in parts:
            if not isinstance(part, dict):
                continue
            if "allOf" in part:
                part = self.merged(part)
            for key, value in part.items():
                if key == "properties":
                    properties.update(value)
                elif key == "required":
                    required += [r for r in value if r not in required]
                elif key not in _ANNOTATIONS:
                    result[key] = value
        if properties:
            result["properties"] = properties
        if required:
            result["required"] = required
        return result

    # -- strategies -------------------------------------------------------------------------

    def strategy(self, schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref_key = (json.dumps(schema, sort_keys=True), min(depth, MAX_DEPTH + 1))
            if ref_key not in self._refs:
                self._refs[ref_key] = st.deferred(
                    lambda: self.strategy(self.resolve(schema), min(depth, MAX_DEPTH + 1))
                )
            return self._refs[ref_key]
        if schema is False:
            return st.nothing()
        if not isinstance(schema, dict):
            return ANY_JSON
        if "allOf" in schema:
            return self.strategy(self.merged(schema), depth)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._union(schema, schema[key], depth)
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            values = schema["enum"]
            if depth > MAX_DEPTH and None in values:
                return st.none()
            return st.sampled_from(values)
        types = schema.get("type")
        if types is None:
            types = ["object"] if "properties" in schema or "additionalProperties" in schema else []
        if isinstance(types, str):
            types = [types]
        if schema.get("nullable") is True and "null" not in types:
            types = [*types, "null"]
        if not types:
            return ANY_JSON
        if depth > MAX_DEPTH and "null" in types:
            return st.none()
        return st.one_of([self._typed(schema, t, depth) for t in types])

    def _union(
        self, schema: dict[str, Any], members: list[Any], depth: int
    ) -> st.SearchStrategy[Any]:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        nullable = rest.get("nullable") is True or any(_is_null_only(m) for m in members)
        if depth > MAX_DEPTH and nullable:
            return st.none()
        real = [m for m in members if not _is_null_only(m)]
        tags = [self._tags(schema, m) for m in real]
        if set(rest) - _ANNOTATIONS - {"nullable", "discriminator"}:
            real = [{"allOf": [m, rest]} for m in real]
        options = [self._tagged(self.strategy(m, depth), *tag) for m, tag in zip(real, tags)]
        return st.one_of(options + ([st.none()] if nullable else []))

    def _tags(self, schema: dict[str, Any], member: Any) -> tuple[str | None, list[str]]:
        """The discriminator property and the values that select ``member`` (OpenAPI: the
        ``mapping`` keys naming its ``$ref``, else the schema name)."""
        discriminator = schema.get("discriminator")
        ref = member.get("$ref") if isinstance(member, dict) else None
        if not isinstance(discriminator, dict) or not isinstance(ref, str):
            return None, []
        prefix = "#/components/schemas/"
        mapping = discriminator.get("mapping") or {}
        tags = [k for k, v in mapping.items() if v == ref or prefix + str(v) == ref]
        return discriminator.get("propertyName"), tags or [ref.rsplit("/", 1)[-1]]

    @staticmethod
    def _tagged(values: Any, prop: str | None, tags: list[str]) -> Any:
        if prop is None:
            return values
        return st.tuples(values, st.sampled_from(tags)).map(
            lambda pair: {**pair[0], prop: pair[1]} if isinstance(pair[0], dict) else pair[0]
        )

    def _typed(self, schema: dict[str, Any], kind: str, depth: int) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return _integers(schema, _INTEGER_FORMATS.get(schema.get("format"), (None, None)))
        if kind == "number":
            return _integers(schema, (None, None)) | _floats(schema)
        if kind == "string":
            return self._string(schema)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "object":
            return self._object(schema, depth)
        raise AssertionError(f"unsupported schema type {kind!r}")

    def _string(self, schema: dict[str, Any]) -> st.SearchStrategy[str]:
        fmt = schema.get("format")
        if fmt in FORMATS:
            return FORMATS[fmt]
        low, high = schema.get("minLength", 0), schema.get("maxLength", 12)
        if "pattern" in schema:
            text = st.from_regex(schema["pattern"])
            return text.filter(lambda s: low <= len(s) <= schema.get("maxLength", len(s)))
        return st.text(min_size=low, max_size=max(high, low))

    def _array(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[list[Any]]:
        low = schema.get("minItems", 0)
        high = low if depth > MAX_DEPTH else min(schema.get("maxItems", MAX_ITEMS), low + MAX_ITEMS)
        items = self.strategy(schema.get("items", True), depth)
        unique = (lambda v: json.dumps(v, sort_keys=True)) if schema.get("uniqueItems") else None
        return st.lists(items, min_size=low, max_size=high, unique_by=unique)

    def _object(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        deep = depth + 1
        must = {name: self.strategy(properties.get(name, True), deep) for name in required}
        optional = {}
        if depth < MAX_DEPTH:
            optional = {
                name: self.strategy(sub, deep)
                for name, sub in properties.items()
                if name not in must
            }
        fixed = st.fixed_dictionaries(must, optional=optional)
        extra = schema.get("additionalProperties", True)
        if extra is False or depth >= MAX_DEPTH:
            return fixed
        names = set(properties) | set(required)
        keys = st.text(min_size=1, max_size=8).filter(lambda k: k not in names)
        values = ANY_JSON if extra is True or extra == {} else self.strategy(extra, deep)
        extras = st.dictionaries(keys, values, max_size=2)
        return st.tuples(fixed, extras).map(lambda pair: {**pair[1], **pair[0]})

    # -- canonical comparison ---------------------------------------------------------------

    def normalise(self, schema: Any, value: Any) -> Any:
        """``value`` with every formatted string (by its schema) in one canonical spelling."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or value is None:
            return value
        if "allOf" in schema:
            return self.normalise(self.merged(schema), value)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                for member in schema[key]:
                    if self.is_valid(member, value):
                        return self.normalise(member, value)
                return value
        if isinstance(value, str):
            return _canonical_string(schema.get("format"), value)
        if isinstance(value, list):
            return [self.normalise(schema.get("items", True), item) for item in value]
        if isinstance(value, dict):
            properties = schema.get("properties") or {}
            extra = schema.get("additionalProperties", True)
            return {
                key: self.normalise(properties.get(key, extra), item) for key, item in value.items()
            }
        return value

    # -- decoded values have the types the IR promises --------------------------------------

    def check_decoded(self, module: Any, ref: ir.TypeRef, value: Any, where: str) -> None:
        """``value`` (decoded by ``from_dict``) is an instance of the Python type ``ref``
        names."""
        kind = ref.kind
        if kind == "any":
            return
        if kind == "model":
            assert isinstance(value, getattr(module, str(ref.name))), f"{where}: {value!r}"
            self.check_model(module, value, where)
        elif kind == "enum":
            ok = isinstance(value, getattr(module, str(ref.name))) or type(value) in (str, int)
            assert ok, f"{where}: {value!r} is not a {ref.name} (or a raw unknown value)"
        elif kind in ("list", "map"):
            assert type(value) is (list if kind == "list" else dict), f"{where}: {value!r}"
            assert ref.item is not None
            items: Iterable[tuple[Any, Any]]
            items = enumerate(value) if isinstance(value, list) else value.items()
            for key, item in items:
                if item is None and ref.item_nullable:
                    continue
                self.check_decoded(module, ref.item, item, f"{where}[{key!r}]")
        elif ref.members:  # union, oneof: one of the alternatives
            for member in ref.members:
                try:
                    self.check_decoded(module, member, value, where)
                    return
                except AssertionError:
                    continue
            # a oneof keeps an object that matches no alternative as a plain dict
            ok = kind == "oneof" and type(value) is dict
            assert ok, f"{where}: {value!r} is not {ref.display}"
        elif kind in _PLAIN_TYPES:  # a kind added later is left to the round trip itself
            expected = _PLAIN_TYPES[kind]
            exact = kind in ("int", "float") and isinstance(value, bool)  # bool is not a number
            wrong = exact or (kind == "date" and isinstance(value, dt.datetime))
            assert isinstance(value, expected) and not wrong, f"{where}: {value!r} is not {kind}"

    def check_model(self, module: Any, obj: Any, where: str) -> None:
        model = self.models[type(obj).__name__]
        for f in model.fields:
            value = getattr(obj, f.name)
            if value is None or (f.uses_unset and value is _unset(module)):
                ok = f.nullable or not f.required or (value is None and f.type.kind == "any")
                assert ok, f"{where}.{f.name}: required, got {value!r}"
                continue
            self.check_decoded(module, f.type, value, f"{where}.{f.name}")
        if model.extra is not None:
            for key, value in obj.additional_properties.items():
                if value is None and model.extra_nullable:
                    continue
                self.check_decoded(module, model.extra, value, f"{where}[{key!r}]")

    def wire_name(self, cls: Any, field_name: str) -> str:
        model = self.models[cls.__name__]
        return next(f.wire_name for f in model.fields if f.name == field_name)

    def assert_round_trip(self, cls: Any, schema: Any, data: Any) -> Any:
        """``cls.from_dict(data)`` holds values of the declared types, and its ``to_dict()``
        gives ``data`` back (up to canonical spellings). Unknown keys land in
        ``additional_properties``, and a model built with only the present fields (constructor
        defaults for the rest) writes the same JSON."""
        sent = json.loads(json.dumps(data))  # a private copy: the model may keep references
        obj = cls.from_dict(sent)
        assert sent == data, "from_dict modified its input"
        models = importlib.import_module(cls.__module__.rpartition(".models.")[0] + ".models")
        self.check_model(models, obj, cls.__name__)
        back = obj.to_dict()
        json.dumps(back)  # plain JSON: no datetime, Decimal or UUID left over
        expected = self.normalise(schema, data)
        actual = self.normalise(schema, back)
        assert actual == expected
        assert strict(actual) == strict(expected)
        declared = set(self.merged(self.resolve(schema)).get("properties") or {})
        assert set(obj.additional_properties) == set(data) - declared
        # the constructor's defaults mean "absent": built from the present fields only, the same
        present = {f.name: getattr(obj, f.name) for f in self.models[cls.__name__].fields}
        present = {k: v for k, v in present.items() if self.wire_name(cls, k) in data}
        rebuilt = cls(**present, additional_properties=obj.additional_properties).to_dict()
        assert strict(self.normalise(schema, rebuilt)) == strict(expected)
        return obj


def _limits(schema: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """minimum, exclusive minimum, maximum, exclusive maximum (3.0 booleans understood)."""

    def number(value: Any) -> Any:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return value if ok else None

    low, high = number(schema.get("minimum")), number(schema.get("maximum"))
    xlow, xhigh = number(schema.get("exclusiveMinimum")), number(schema.get("exclusiveMaximum"))
    if schema.get("exclusiveMinimum") is True:
        low, xlow = None, low
    if schema.get("exclusiveMaximum") is True:
        high, xhigh = None, high
    return low, xlow, high, xhigh


def _integers(schema: dict[str, Any], limits: tuple[Any, Any]) -> st.SearchStrategy[int]:
    low, xlow, high, xhigh = _limits(schema)
    lows = [
        math.ceil(low) if low is not None else None,
        None if xlow is None else math.floor(xlow) + 1,
    ]
    highs = [
        math.floor(high) if high is not None else None,
        None if xhigh is None else math.ceil(xhigh) - 1,
    ]
    lows.append(limits[0])
    highs.append(limits[1])
    present_lows = [v for v in lows if v is not None]
    present_highs = [v for v in highs if v is not None]
    return st.integers(
        max(present_lows) if present_lows else None, min(present_highs) if present_highs else None
    )


def _floats(schema: dict[str, Any]) -> st.SearchStrategy[float]:
    low, xlow, high, xhigh = _limits(schema)
    exclude_min = xlow is not None and (low is None or xlow >= low)
    exclude_max = xhigh is not None and (high is None or xhigh <= high)
    return st.floats(
        xlow if exclude_min else low,
        xhigh if exclude_max else high,
        exclude_min=exclude_min,
        exclude_max=exclude_max,
        allow_nan=False,
        allow_infinity=False,
    )


def _canonical_string(fmt: Any, value: str) -> str:
    try:
        if fmt == "date-time":
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        if fmt == "date":
            return dt.date.fromisoformat(value).isoformat()
        if fmt == "time":
            return dt.time.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        if fmt == "uuid":
            return str(uuid.UUID(value))
        if fmt == "decimal":
            return format(decimal.Decimal(value), "f")
    except (ValueError, decimal.InvalidOperation):
        pass
    return value


def strict(value: Any) -> Any:
    """``value`` with the exact type of every node made part of it: ``1`` != ``1.0`` !=
    ``True``, and an enum member (a ``str`` subclass) is not equal to its plain value."""
    if type(value) is dict:
        return ("dict", sorted((k, strict(v)) for k, v in value.items()))
    if type(value) is list:
        return ("list", [strict(v) for v in value])
    return (type(value).__qualname__, value)


_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "datetime": (dt.datetime,),
    "date": (dt.date,),
    "time": (dt.time,),
    "uuid": (uuid.UUID,),
    "decimal": (decimal.Decimal,),
    "object": (dict,),
    "bytes": (bytes,),
}


def _unset(module: Any) -> Any:
    """The ``UNSET`` of the runtime of a generated package, from its ``models`` package or one
    of the modules in it."""
    package = module.__name__.rpartition(".models")[0]
    return importlib.import_module(package + "._runtime").UNSET
