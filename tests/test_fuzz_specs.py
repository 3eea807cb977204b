"""Fuzzing: random valid OpenAPI specs (3.0 and 3.1, hostile names and text, every supported
construct; strategies in ``tests/fuzz/specs.py``) go through the generator, and

- the generated package compiles and imports (under a unique module name, forgotten after
  each example), and every Python block of its docs compiles;
- every model round-trips random valid instances of its schema:
  ``Model.from_dict(x).to_dict() == x`` with exact JSON types, decoded values of the declared
  Python types (the checks of ``tests/fuzz/instances.py``, shared with test_roundtrip.py);
- all the generated packages of the run, together, pass ``mypy --strict`` (one mypy run: per
  example it would be far too slow).

The bounded run in ``make test`` is deterministic (``derandomize=True``, no example database)
and draws ``CLIENTGEN_FUZZ_EXAMPLES`` specs (default 20). A longer campaign:

    CLIENTGEN_FUZZ_EXAMPLES=500 CLIENTGEN_FUZZ_SEED=1 .venv/bin/python -m pytest \\
        tests/test_fuzz_specs.py -x -q

(``CLIENTGEN_FUZZ_SEED`` set: random from that seed instead of derandomized, so campaigns
with different seeds explore different specs). A failure prints the falsifying spec; the
generated packages and spec files of the run stay under pytest's ``tmp_path``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz import specs
from tests.fuzz.harness import Generated, check_spec, generate_only, mypy_strict

EXAMPLES = int(os.environ.get("CLIENTGEN_FUZZ_EXAMPLES", "20"))
SEED = os.environ.get("CLIENTGEN_FUZZ_SEED")
SHRINK = os.environ.get("CLIENTGEN_FUZZ_SHRINK") == "1"
MYPY_BATCH = 40  # packages per mypy run


def test_random_specs_generate_valid_packages(tmp_path: Path) -> None:
    generated: list[Generated] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=SEED is None,
        database=None,
        deadline=None,
        print_blob=False,
        # shrinking regenerates a package per try (minutes): opt in with CLIENTGEN_FUZZ_SHRINK=1
        phases=list(Phase) if SHRINK else [Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        spec=specs.openapi_specs(),
        dialect=st.sampled_from(["3.1", "3.0"]),
        data=st.data(),
    )
    def one_spec(spec: dict[str, object], dialect: str, data: st.DataObject) -> None:
        generated.append(check_spec(spec, dialect, tmp_path, data))

    if SEED is not None:
        one_spec = seed(int(SEED))(one_spec)
    one_spec()

    folders = sorted({g.package_folder for g in generated})
    for start in range(0, len(folders), MYPY_BATCH):
        batch = folders[start : start + MYPY_BATCH]
        status, output = mypy_strict(batch, tmp_path / "mypy-cache")
        assert status == 0, f"mypy --strict failed on generated packages:\n{output}"


# -- what fuzzing found: minimal reproducers ------------------------------------------------


def _spec(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Reproducer", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def _get(operation: dict[str, Any]) -> dict[str, Any]:
    return {"/r/{id}": {"get": operation}}


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
_OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}
_OBJECT = {"type": "object", "properties": {"a": {"type": "string"}}}

REPRODUCERS = [
    # schema names True / None / False: pascal() kept them, `class True:` did not compile
    pytest.param(_spec({"True": _OBJECT, "None": _OBJECT, "False": _OBJECT}), id="keyword-class"),
    # additionalProperties allowing null: from_dict called Model.from_dict(None) / list(None)
    pytest.param(
        _spec(
            {
                "Node": {
                    **_OBJECT,
                    "additionalProperties": {
                        "anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]
                    },
                },
                "Lists": {**_OBJECT, "additionalProperties": {"type": ["array", "null"]}},
                "Stamps": {
                    **_OBJECT,
                    "additionalProperties": {"type": ["string", "null"], "format": "date-time"},
                },
            }
        ),
        id="nullable-additional-properties",
    ),
    # a property without a type (any JSON value) set to null was dropped by to_dict (None
    # meant "absent")
    pytest.param(
        _spec(
            {
                "Bag": {
                    "type": "object",
                    "properties": {"anything": {}, "b": {"title": "x"}},
                    "examples": [{"anything": None}, {"b": None, "anything": 1}],
                }
            }
        ),
        id="null-in-untyped-property",
    ),
    # a parameter named `response` was overwritten by the method's own local variable
    pytest.param(
        _spec(
            {"M": _OBJECT},
            _get(
                {
                    "operationId": "get",
                    "parameters": [
                        _ID,
                        {"name": "response", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {
                        "200": {
                            **_OK["200"],
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/M"}}
                            },
                        }
                    },
                }
            ),
        ),
        id="parameter-named-response",
    ),
    # a method named `str` (operationId "str") hid the type `str` in its group's signatures
    pytest.param(
        _spec(
            {},
            {
                "/a/{id}": {
                    "get": {
                        "operationId": "str",
                        "tags": ["g"],
                        "parameters": [_ID],
                        "responses": _OK,
                    }
                },
                "/b/{id}": {
                    "get": {
                        "operationId": "float",
                        "tags": ["g"],
                        "parameters": [_ID],
                        "responses": _OK,
                    }
                },
            },
        ),
        id="method-named-like-a-type",
    ),
    # models whose names differ only in case kept one set of wire names between them (both
    # were _AB_KEYS): unknown keys of one were taken for the other's fields
    pytest.param(
        _spec(
            {
                "AB": {"type": "object", "properties": {"x": {"type": "string"}}},
                "Ab": {"type": "object", "properties": {"bytes": {"type": "integer"}}},
            }
        ),
        id="models-differing-only-in-case",
    ),
    # a schema named like a builtin (Exception) hid it from mypy in the models module, and a
    # union named datetime took the runtime's parse_datetime (found by `make fuzz`, seed 7)
    pytest.param(
        _spec(
            {
                "Exception": {"type": "object", "properties": {"a": {"type": "string"}}},
                "Holder": {
                    "type": "object",
                    "required": ["e"],
                    "properties": {"e": {"$ref": "#/components/schemas/Exception"}},
                },
                "datetime": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Exception"},
                        {"$ref": "#/components/schemas/Holder"},
                    ]
                },
                "Stamp": {
                    "type": "object",
                    "properties": {"at": {"type": "string", "format": "date-time"}},
                },
            }
        ),
        id="names-of-builtins-and-runtime-functions",
    ),
    # a property whose allOf only documents ({allOf: [{writeOnly: true}]}) is any JSON value,
    # not an empty model that fails on a list (found by `make fuzz`, seed 7)
    pytest.param(
        _spec(
            {
                "Box": {
                    "type": "object",
                    "required": ["v"],
                    "properties": {"v": {"nullable": True, "allOf": [{"writeOnly": True}]}},
                    "examples": [{"v": [1, "two"]}],
                }
            }
        ),
        id="allof-of-annotations-only",
    ),
    # an operationId without a letter or digit ("{#") is named after its method and path
    pytest.param(
        _spec({}, _get({"operationId": "{#", "parameters": [_ID], "responses": _OK})),
        id="symbol-only-operation-id",
    ),
    # without a discriminator, an object went to the alternative knowing most of its
    # properties, whatever their types: a valid instance of B was decoded as A and parse_time
    # failed on B's boolean. Alternatives are now also ruled out by their values' JSON kinds.
    pytest.param(
        _spec(
            {
                "A": {
                    "type": "object",
                    "required": ["t"],
                    "properties": {"t": {"type": "string", "format": "time"}},
                },
                "B": {"type": "object", "required": ["t"], "properties": {"t": {}}},
                "U": {
                    "type": "object",
                    "required": ["u"],
                    "properties": {
                        "u": {
                            "anyOf": [
                                {"$ref": "#/components/schemas/A"},
                                {"$ref": "#/components/schemas/B"},
                            ]
                        }
                    },
                    "examples": [{"u": {"t": True}}],
                },
            }
        ),
        id="untagged-union-with-common-property-names",
    ),
]


@pytest.mark.parametrize("spec", REPRODUCERS)
@pytest.mark.parametrize("dialect", ["3.1", "3.0"])
def test_reproducer(tmp_path: Path, spec: dict[str, Any], dialect: str) -> None:
    @settings(
        max_examples=5,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # each try generates a package: no shrinking, fail fast
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        check_spec(spec, dialect, tmp_path, data)

    run()


def test_reproducers_type_check(tmp_path: Path) -> None:
    """The fixed reproducers' packages pass mypy --strict (one mypy run for all)."""
    folders = []
    for param in REPRODUCERS:
        if not param.marks:
            for dialect in ("3.1", "3.0"):
                folders.append(generate_only(param.values[0], dialect, tmp_path))
    status, output = mypy_strict(folders, tmp_path / "mypy-cache")
    assert status == 0, f"mypy --strict failed:\n{output}"
