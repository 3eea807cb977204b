"""The meta-schemas ``generator.metaschemas`` reads from the packages' data files are the
libraries' own, and validating a valid document imports neither jsonschema nor
openapi-spec-validator (about 0.25 s of imports: only a rejected document needs them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from generator.metaschemas import NAMES, meta_schema

ROOT = Path(__file__).resolve().parents[1]


def test_each_meta_schema_is_the_library_own() -> None:
    from jsonschema import Draft4Validator, Draft202012Validator
    from openapi_spec_validator.schemas import schema_v2, schema_v30, schema_v31

    libraries: dict[str, Any] = {
        "swagger-2.0": schema_v2,
        "openapi-3.0": schema_v30,
        "openapi-3.1": schema_v31,
        "draft4": Draft4Validator.META_SCHEMA,
        "draft2020-12": Draft202012Validator.META_SCHEMA,
    }
    assert set(libraries) == set(NAMES)
    for name, library in libraries.items():
        # as JSON: the same text, key order aside, and so the same schema for any validator
        ours = json.dumps(meta_schema(name), sort_keys=True)
        assert ours == json.dumps(dict(library), sort_keys=True), name


VALID = """\
openapi: 3.0.3
info: {title: Light, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, pattern: "^[a-z]+$"}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        tags: {type: array, items: {type: string}}
"""

HEAVY = ("jsonschema", "openapi_spec_validator", "openapi_schema_validator", "pydantic")


def test_validating_a_valid_document_imports_no_python_validator(tmp_path: Path) -> None:
    """Loaded as ``generate`` loads it (through ``swagger2``, which only a 2.0 spec needs)."""
    spec = tmp_path / "light.yaml"
    spec.write_text(VALID)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from generator.pipeline import _load\n"
        "from generator.validate import validate\n"
        "imported = [m for m in %r if m in sys.modules]\n"
        "doc = _load(Path(%r))\n"
        "problems = [str(p) for p in validate(doc)]\n"
        "print(repr((imported, problems, [m for m in %r if m in sys.modules])))\n"
    ) % (HEAVY, str(spec), HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == repr(([], [], []))


def test_a_rejected_document_is_still_explained(tmp_path: Path) -> None:
    """The Python validators, imported on that path only, still say what is wrong and where."""
    from generator.bundle import bundle
    from generator.loader import load
    from generator.validate import validate

    spec = tmp_path / "bad.yaml"
    spec.write_text(VALID.replace("in: path", "in: body"))
    problems = validate(bundle(load(spec, "bad.yaml")))
    assert [(p.pointer, p.message) for p in problems] == [
        (
            "#/paths/~1pets~1{id}/get/parameters/0/in",
            "'body' is not one of ['path', 'query', 'header', 'cookie']",
        )
    ]


def test_checking_defaults_does_not_import_pydantic(tmp_path: Path) -> None:
    """A default is checked by openapi-schema-validator's validator, loaded without its
    package's settings (pydantic); the package still imports whole afterwards, and a wrong
    default is still found."""
    spec = tmp_path / "defaults.yaml"
    spec.write_text(VALID.replace("name: {type: string}", "name: {type: string, default: 7}"))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from generator.pipeline import _load\n"
        "from generator.validate import validate\n"
        "problems = [p.message for p in validate(_load(Path(%r)))]\n"
        "heavy = [m for m in ('pydantic', 'openapi_schema_validator') if m in sys.modules]\n"
        "import openapi_schema_validator\n"
        "print(repr((problems, heavy, callable(openapi_schema_validator.validate))))\n"
    ) % str(spec)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    problems, heavy, whole = eval(done.stdout.strip())
    assert heavy == [] and whole
    assert len(problems) == 1 and "7 is not of type 'string'" in problems[0]
