"""Property tests: every generated model round-trips every valid JSON instance of its schema.

For each spec in ``specs/`` and ``tests/fixtures/specs/``, the client package is generated into
a temporary folder (once per session) and imported under a unique module name. For each model
class, a hypothesis strategy of *valid* JSON instances is derived from the model's JSON Schema
(a small converter for the subset the specs use, below), and

    Model.from_dict(d).to_dict() == d

must hold up to the canonical spelling of formatted strings (date-times, dates, times, UUIDs,
decimals are compared after normalising both sides), with exact JSON types (``1`` is not
``1.0``, an enum member is not its value) and nothing dropped or invented. Unknown keys must
land in ``additional_properties``; an enum value the spec does not list must be kept as the raw
value and written back unchanged. Decoded attributes must have the Python types the IR declares
(a nested object becomes its model class, a date-time a ``datetime``, ...), and a model built
with only the present fields (constructor defaults for the rest) must write the same JSON.
Every schema example round-trips too, and every example in a fixture spec must be valid.

Which schema a model class comes from is recorded while the generator builds its IR (a wrapper
around ``Schemas._build_model``), so hoisted inline models (response objects, inline unions,
deepObject parameters) are covered, not only ``components/schemas``.

Runs are reproducible: ``derandomize=True`` and no example database.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import json
import math
import sys
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators

from generator import pipeline, writer
from generator.bundle import bundle
from generator.loader import load
from generator.model import ir
from generator.parser.build import build
from generator.parser.schemas import Schemas
from generator.validate import resolve_pointer
from tests.conftest import FIXTURE_SPECS
from tests.conftest import SPECS as VENDOR_SPECS

SPECS = VENDOR_SPECS + FIXTURE_SPECS

MAX_EXAMPLES = 25
ENUM_EXAMPLES = 5
MAX_DEPTH = 3  # objects nested deeper than this get only their required properties
MAX_ITEMS = 3

SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- what the generator makes of each spec (computed at collection, cheap: no rendering) -----


@dataclass
class SpecInfo:
    spec: Path
    data: Any = None
    api: ir.Api | None = None
    schemas: dict[str, Any] = field(default_factory=dict)  # model class name -> its schema
    error: str | None = None

    @property
    def models(self) -> tuple[ir.Model, ...]:
        return self.api.models if self.api else ()


def _inspect(spec: Path) -> SpecInfo:
    info = SpecInfo(spec)
    recorded: dict[str, Any] = {}
    original = getattr(Schemas, "_build_model", None)
    if original is None:
        info.error = "Schemas._build_model is gone: update the hook in tests/test_roundtrip.py"
        return info

    def recording(self: Schemas, schema: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        recorded[name] = schema
        return original(self, schema, name, *args, **kwargs)

    try:
        doc = bundle(load(spec, spec.name))  # a multi-file fixture, as one document
        info.data = doc.data
        with mock.patch.object(Schemas, "_build_model", recording):
            info.api = build(doc, spec.stem)
    except Exception as exc:  # reported by the tests, not as a collection error
        info.error = f"{type(exc).__name__}: {exc}"
    info.schemas = recorded
    return info


def _key(spec: Path) -> str:
    """The spec's file stem; a fixture whose stem a vendor spec already has gets a prefix."""
    taken = [s.stem for s in SPECS[: SPECS.index(spec)]]
    return spec.stem if spec.stem not in taken else f"{spec.parent.name}-{spec.stem}"


INFOS = {_key(spec): _inspect(spec) for spec in SPECS}


def _model_cases() -> Iterator[Any]:
    for stem, info in INFOS.items():
        if info.error:
            yield pytest.param(stem, None, id=f"{stem}:build-error")
        for model in info.models:
            yield pytest.param(stem, model.name, id=f"{stem}:{model.name}")


def _enum_fields(model: ir.Model) -> Iterator[ir.Field]:
    for f in model.fields:
        inner = f.type.item if f.type.kind in ("list", "map") else f.type
        if inner is not None and inner.kind == "enum":
            yield f


def _enum_cases() -> Iterator[Any]:
    for stem, info in INFOS.items():
        for model in info.models:
            for f in _enum_fields(model):
                yield pytest.param(stem, model.name, f.name, id=f"{stem}:{model.name}.{f.name}")


def _example_cases() -> Iterator[Any]:
    for stem, info in INFOS.items():
        for model in info.models:
            schema = info.schemas.get(model.name)
            if isinstance(schema, dict):
                for index, example in enumerate(_examples_of(schema)):
                    yield pytest.param(stem, model.name, example, id=f"{stem}:{model.name}:{index}")


def _examples_of(schema: dict[str, Any]) -> list[Any]:
    found = list(schema["examples"]) if isinstance(schema.get("examples"), list) else []
    return found + ([schema["example"]] if "example" in schema else [])


# -- the generated packages (once per session) --------------------------------------------


class Packages:
    """The generated packages, each generated and imported on first use, under a unique module
    name; ``module(key)`` is its ``models`` module, or the error that prevented it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._loaded: dict[str, ModuleType | str] = {}

    def __repr__(self) -> str:  # keeps hypothesis' "Falsifying example" short
        return "<generated packages>"

    def module(self, key: str) -> ModuleType | str:
        if key not in self._loaded:
            self._loaded[key] = self._load(key)
        return self._loaded[key]

    def _load(self, key: str) -> ModuleType | str:
        info = INFOS[key]
        assert info.api is not None
        out = self.out / key
        try:
            writer.apply(pipeline.generate([info.spec], out, None))
            folder = out / info.api.project / info.api.package
            name = f"_roundtrip_{len(self._loaded)}_{info.api.package}"
            spec = importlib.util.spec_from_file_location(
                name, folder / "__init__.py", submodule_search_locations=[str(folder)]
            )
            assert spec is not None and spec.loader is not None
            package = importlib.util.module_from_spec(spec)
            sys.modules[name] = package
            spec.loader.exec_module(package)
            return sys.modules[f"{name}.models"]
        except Exception:
            return traceback.format_exc(limit=-3)


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    return Packages(tmp_path_factory.mktemp("roundtrip"))


# -- JSON Schema -> hypothesis strategy of valid instances ----------------------------------

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


_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "date-time": _date_times(),
    "date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat),
    "time": _times(),
    "uuid": st.uuids().map(str),
    "decimal": _decimals(),
    "email": st.from_regex(r"[a-z][a-z0-9.]{0,6}@[a-z]{1,8}\.example", fullmatch=True),
    "uri": st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9/]{0,10}", fullmatch=True),
}
_INTEGER_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_FORMATS["uri-reference"] = _FORMATS["uri"]
_ANNOTATIONS = {"description", "title", "example", "examples", "deprecated", "readOnly"}
_ANNOTATIONS |= {"writeOnly", "default", "externalDocs", "xml", "$comment"}


def _is_null_only(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


class StrategyBuilder:
    """Hypothesis strategies for the JSON Schemas of one document (its ``$ref``s resolved)."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.data = INFOS[stem].data
        self._refs: dict[tuple[str, int], st.SearchStrategy[Any]] = {}

    def is_valid(self, schema: Any, value: Any) -> bool:
        return bool(_validator(self.stem, schema).is_valid(value))

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

    def strategy(self, schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            key = (json.dumps(schema, sort_keys=True), min(depth, MAX_DEPTH + 1))
            if key not in self._refs:
                self._refs[key] = st.deferred(
                    lambda: self.strategy(self.resolve(schema), min(depth, MAX_DEPTH + 1))
                )
            return self._refs[key]
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

    def _union(self, schema: dict[str, Any], members: list[Any], depth: int) -> Any:
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
        if fmt in _FORMATS:
            return _FORMATS[fmt]
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


# -- canonical comparison -----------------------------------------------------------------


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


def normalise(builder: StrategyBuilder, schema: Any, value: Any) -> Any:
    """``value`` with every formatted string (by its schema) in one canonical spelling."""
    schema = builder.resolve(schema)
    if not isinstance(schema, dict) or value is None:
        return value
    if "allOf" in schema:
        return normalise(builder, builder.merged(schema), value)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            for member in schema[key]:
                if builder.is_valid(member, value):
                    return normalise(builder, member, value)
            return value
    if isinstance(value, str):
        return _canonical_string(schema.get("format"), value)
    if isinstance(value, list):
        return [normalise(builder, schema.get("items", True), item) for item in value]
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties", True)
        return {
            key: normalise(builder, properties.get(key, extra), item) for key, item in value.items()
        }
    return value


def strict(value: Any) -> Any:
    """``value`` with the exact type of every node made part of it: ``1`` != ``1.0`` !=
    ``True``, and an enum member (a ``str`` subclass) is not equal to its plain value."""
    if type(value) is dict:
        return ("dict", sorted((k, strict(v)) for k, v in value.items()))
    if type(value) is list:
        return ("list", [strict(v) for v in value])
    return (type(value).__qualname__, value)


# -- decoded values have the types the IR promises -----------------------------------------

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


def check_decoded(module: ModuleType, stem: str, ref: ir.TypeRef, value: Any, where: str) -> None:
    """``value`` (decoded by ``from_dict``) is an instance of the Python type ``ref`` names."""
    kind = ref.kind
    if kind == "any":
        return
    if kind == "model":
        assert isinstance(value, getattr(module, str(ref.name))), f"{where}: {value!r}"
        check_model(module, stem, value, where)
    elif kind == "enum":
        ok = isinstance(value, getattr(module, str(ref.name))) or type(value) in (str, int)
        assert ok, f"{where}: {value!r} is not a {ref.name} (or a raw unknown value)"
    elif kind in ("list", "map"):
        assert type(value) is (list if kind == "list" else dict), f"{where}: {value!r}"
        assert ref.item is not None
        items = enumerate(value) if kind == "list" else value.items()
        for key, item in items:
            check_decoded(module, stem, ref.item, item, f"{where}[{key!r}]")
    elif ref.members:  # union, oneof: one of the alternatives
        for member in ref.members:
            try:
                check_decoded(module, stem, member, value, where)
                return
            except AssertionError:
                continue
        # a oneof keeps an object that matches no alternative as a plain dict
        assert kind == "oneof" and type(value) is dict, f"{where}: {value!r} is not {ref.display}"
    elif kind in _PLAIN_TYPES:  # a kind added later is left to the round trip itself
        expected = _PLAIN_TYPES[kind]
        exact = kind in ("int", "float") and isinstance(value, bool)  # bool is not a number
        wrong = exact or (kind == "date" and isinstance(value, dt.datetime))
        assert isinstance(value, expected) and not wrong, f"{where}: {value!r} is not {kind}"


def check_model(module: ModuleType, stem: str, obj: Any, where: str) -> None:
    model = _IR_MODELS[stem][type(obj).__name__]
    for f in model.fields:
        value = getattr(obj, f.name)
        if value is None or (f.uses_unset and value is getattr(module, "UNSET", None)):
            assert f.nullable or not f.required, f"{where}.{f.name}: required, got {value!r}"
            continue
        check_decoded(module, stem, f.type, value, f"{where}.{f.name}")
    if model.extra is not None:
        for key, value in obj.additional_properties.items():
            check_decoded(module, stem, model.extra, value, f"{where}[{key!r}]")


_IR_MODELS = {stem: {m.name: m for m in info.models} for stem, info in INFOS.items()}


# -- tests --------------------------------------------------------------------------------


def _builder(stem: str) -> StrategyBuilder:
    cached = _BUILDERS.get(stem)
    if cached is None:
        cached = _BUILDERS[stem] = StrategyBuilder(stem)
    return cached


_BUILDERS: dict[str, StrategyBuilder] = {}
_VALIDATORS: dict[str, Any] = {}


# OpenAPI authors write oneOf for "one of these shapes" although alternatives often overlap
# (two objects without required properties both accept {}); clientgen reads it that way too.
OpenApiValidator = validators.extend(
    Draft202012Validator, {"oneOf": Draft202012Validator.VALIDATORS["anyOf"]}
)


def _validator(stem: str, schema: Any) -> Any:
    """A JSON Schema 2020-12 validator (formats checked, ``oneOf`` read as ``anyOf``) for
    ``schema``, its ``$ref``s resolved in the spec of ``stem``."""
    root = _VALIDATORS.get(stem)
    if root is None:
        root = OpenApiValidator(INFOS[stem].data, format_checker=OpenApiValidator.FORMAT_CHECKER)
        _VALIDATORS[stem] = root
    return root.evolve(schema=schema)


def _models_module(packages: Packages, stem: str) -> ModuleType:
    info = INFOS[stem]
    assert info.error is None, f"{stem}: building the IR failed: {info.error}"
    module = packages.module(stem)
    assert isinstance(module, ModuleType), f"{stem}: generating or importing failed:\n{module}"
    return module


def _model_and_schema(packages: Packages, stem: str, name: str | None) -> Any:
    module = _models_module(packages, stem)
    assert name is not None
    schemas = INFOS[stem].schemas
    assert name in schemas, f"no schema recorded for model {name} (Schemas._build_model renamed?)"
    return getattr(module, name), schemas[name]


def assert_round_trip(stem: str, cls: Any, schema: Any, data: Any) -> Any:
    """``cls.from_dict(data)`` holds values of the declared types, and its ``to_dict()`` gives
    ``data`` back (up to canonical spellings)."""
    builder = _builder(stem)
    sent = json.loads(json.dumps(data))  # a private copy: the model may keep references
    obj = cls.from_dict(sent)
    assert sent == data, "from_dict modified its input"
    check_model(sys.modules[cls.__module__], stem, obj, cls.__name__)
    back = obj.to_dict()
    json.dumps(back)  # plain JSON: no datetime, Decimal or UUID left over
    expected = normalise(builder, schema, data)
    actual = normalise(builder, schema, back)
    assert actual == expected
    assert strict(actual) == strict(expected)
    declared = set(builder.merged(builder.resolve(schema)).get("properties") or {})
    assert set(obj.additional_properties) == set(data) - declared
    # the constructor's defaults mean "absent": built from the present fields only, the same
    present = {f.name: getattr(obj, f.name) for f in _IR_MODELS[stem][cls.__name__].fields}
    present = {k: v for k, v in present.items() if _wire(stem, cls, k) in data}
    rebuilt = cls(**present, additional_properties=obj.additional_properties).to_dict()
    assert strict(normalise(builder, schema, rebuilt)) == strict(expected)
    return obj


def _wire(stem: str, cls: Any, field_name: str) -> str:
    model = _IR_MODELS[stem][cls.__name__]
    return next(f.wire_name for f in model.fields if f.name == field_name)


@pytest.mark.parametrize(("stem", "name"), list(_model_cases()))
@SETTINGS
@given(draw=st.data())
def test_model_round_trip(
    packages: Packages, stem: str, name: str | None, draw: st.DataObject
) -> None:
    cls, schema = _model_and_schema(packages, stem, name)
    builder = _builder(stem)
    data = draw.draw(builder.strategy(schema), label=name)
    problems = [e.message for e in _validator(stem, schema).iter_errors(data)]
    assert not problems, f"bug in this test: StrategyBuilder made invalid data: {problems}"
    assert_round_trip(stem, cls, schema, data)


@pytest.mark.parametrize(("stem", "name", "field_name"), list(_enum_cases()))
@settings(SETTINGS, max_examples=ENUM_EXAMPLES)
@given(draw=st.data())
def test_unknown_enum_value_is_kept(
    packages: Packages, stem: str, name: str, field_name: str, draw: st.DataObject
) -> None:
    cls, schema = _model_and_schema(packages, stem, name)
    builder = _builder(stem)
    model = next(m for m in INFOS[stem].models if m.name == name)
    f = next(f for f in model.fields if f.name == field_name)
    inner = f.type.item if f.type.kind in ("list", "map") else f.type
    assert inner is not None and inner.name is not None
    enum_cls = getattr(_models_module(packages, stem), inner.name)
    known = [m.value for m in enum_cls]
    unknown: Any = max(known) + 1000 if isinstance(known[0], int) else "zz-not-listed"

    def place(value: Any) -> Any:
        if f.type.kind == "list":
            return [value]
        return {"k": value} if f.type.kind == "map" else value

    def member(obj: Any) -> Any:
        value = getattr(obj, f.name)
        return value[0] if f.type.kind == "list" else value["k"] if f.type.kind == "map" else value

    data = draw.draw(builder.strategy(schema))
    data[f.wire_name] = place(unknown)
    obj = assert_round_trip(stem, cls, schema, data)
    assert type(member(obj)) is type(unknown) and member(obj) == unknown
    assert obj.to_dict()[f.wire_name] == place(unknown)

    data[f.wire_name] = place(known[0])
    obj = assert_round_trip(stem, cls, schema, data)
    assert member(obj) is enum_cls(known[0])


@pytest.mark.parametrize(("stem", "name", "example"), list(_example_cases()))
def test_schema_example_round_trips(packages: Packages, stem: str, name: str, example: Any) -> None:
    cls, schema = _model_and_schema(packages, stem, name)
    if not _validator(stem, schema).is_valid(example):
        if INFOS[stem].spec in FIXTURE_SPECS:
            _validator(stem, schema).validate(example)  # fixtures must have valid examples
        pytest.skip("the vendor's example does not match its schema")
    assert_round_trip(stem, cls, schema, example)


def _fixture_examples(data: Any) -> Iterator[tuple[str, Any, Any]]:
    """(JSON pointer, schema, example) of every example in a spec: schema ``example`` /
    ``examples``, media type and parameter ``example`` / ``examples.*.value``."""

    def walk(node: Any, pointer: str, in_schema: bool) -> Iterator[tuple[str, Any, Any]]:
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, f"{pointer}/{index}", in_schema)
            return
        if not isinstance(node, dict):
            return
        if in_schema:
            for index, example in enumerate(node.get("examples") or []):
                yield f"{pointer}/examples/{index}", node, example
        holder = "schema" in node and ("in" in node or pointer.split("/")[-2] == "content")
        if holder:
            for key, value in (node.get("examples") or {}).items():
                if "$ref" in value:  # an Example object in components/examples
                    value = resolve_pointer(data, value["$ref"])
                yield f"{pointer}/examples/{key}", node["schema"], value.get("value")
        if "example" in node and (in_schema or holder):
            yield f"{pointer}/example", node["schema"] if holder else node, node["example"]
        for key, value in node.items():
            if key in ("example", "examples"):
                continue
            child_in_schema = key == "schema" or (in_schema and key not in ("enum", "const"))
            child_in_schema = child_in_schema or pointer == "#/components/schemas"
            yield from walk(
                value, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}", child_in_schema
            )

    yield from walk(data, "#", False)


@pytest.mark.parametrize("spec", FIXTURE_SPECS, ids=[p.stem for p in FIXTURE_SPECS])
def test_fixture_examples_are_valid(spec: Path) -> None:
    info = INFOS[spec.stem]
    found = list(_fixture_examples(info.data))
    assert found, f"{spec.name}: a fixture spec must carry examples (docs and mock data use them)"
    for pointer, schema, example in found:
        errors = [e.message for e in _validator(spec.stem, schema).iter_errors(example)]
        assert not errors, f"{pointer}: {errors}"


@pytest.mark.parametrize("stem", list(INFOS))
def test_every_model_class_is_exercised(packages: Packages, stem: str) -> None:
    """Every class with ``from_dict`` in the generated ``models`` module has a schema here."""
    module = _models_module(packages, stem)
    classes = {
        name
        for name, value in vars(module).items()
        if isinstance(value, type) and hasattr(value, "from_dict")
    }
    assert classes == set(INFOS[stem].schemas)
