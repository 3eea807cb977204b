"""Property tests: every generated model round-trips every valid JSON instance of its schema.

For each spec in ``specs/`` and ``tests/fixtures/specs/``, the client package is generated into
a temporary folder (once per session) and imported under a unique module name. For each model
class, a hypothesis strategy of *valid* JSON instances is derived from the model's JSON Schema
(a small converter for the subset the specs use, in ``tests/fuzz/instances.py``, shared with
the fuzz test ``tests/test_fuzz_specs.py``), and

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

import importlib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline, writer
from generator.bundle import bundle
from generator.loader import load
from generator.model import ir
from generator.parser.build import build
from generator.validate import resolve_pointer
from tests.conftest import FIXTURE_SPECS
from tests.conftest import SPECS as VENDOR_SPECS
from tests.fuzz.harness import import_package
from tests.fuzz.instances import StrategyBuilder, recording_models

SPECS = VENDOR_SPECS + FIXTURE_SPECS

MAX_EXAMPLES = 25
ENUM_EXAMPLES = 5

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
    try:
        doc = bundle(load(spec, spec.name))  # a multi-file fixture, as one document
        info.data = doc.data
        with recording_models() as recorded:
            info.api = build(doc, spec.stem)
    except Exception as exc:  # reported by the tests, not as a collection error
        info.error = f"{type(exc).__name__}: {exc}"
    info.schemas = {name: schema for name, (schema, _) in recorded.items()}
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
            writer.apply(pipeline.generate([info.spec], out, None).changes)
            folder = out / info.api.project / info.api.package
            package = import_package(folder, f"_roundtrip_{len(self._loaded)}_{info.api.package}")
            return importlib.import_module(f"{package.__name__}.models")
        except Exception:
            return traceback.format_exc(limit=-3)


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    return Packages(tmp_path_factory.mktemp("roundtrip"))


# -- tests --------------------------------------------------------------------------------


def _builder(stem: str) -> StrategyBuilder:
    cached = _BUILDERS.get(stem)
    if cached is None:
        cached = _BUILDERS[stem] = StrategyBuilder(INFOS[stem].data, INFOS[stem].models)
    return cached


_BUILDERS: dict[str, StrategyBuilder] = {}


def _validator(stem: str, schema: Any) -> Any:
    return _builder(stem).validator(schema)


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
    return _builder(stem).assert_round_trip(cls, schema, data)


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
        for name in module.__all__  # (each imported from its module as it is asked for)
        if isinstance(value := getattr(module, name), type) and hasattr(value, "from_dict")
    }
    assert classes == set(INFOS[stem].schemas)
