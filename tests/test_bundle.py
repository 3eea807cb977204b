"""Specs spread over several files (generator/bundle.py): what the bundled document holds, where
its problems are located, and that file names and places never leak into generated code.

The located error of every kind of broken reference is pinned in tests/bad_specs/ref_*.yaml.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.bundle import bundle
from generator.diagnostics import SpecError
from generator.loader import MappedDocument, load
from generator.validate import validate, walk_refs
from tests.conftest import GOLDEN, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "specs" / "multifile.yaml"


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def spec_with(schema_ref: str, extra: str = "") -> str:
    """A one-operation OpenAPI 3.0 spec whose 200 body is ``schema_ref``."""
    return textwrap.dedent(f"""\
        openapi: 3.0.3
        info: {{title: T, version: "1"}}
        paths:
          /a:
            get:
              operationId: getA
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {{$ref: '{schema_ref}'}}
        """) + textwrap.dedent(extra)


def components(doc: Any, kind: str = "schemas") -> list[str]:
    return list(doc.data.get("components", {}).get(kind, {}))


def test_fixture_becomes_one_document_with_local_references() -> None:
    doc = pipeline._load(FIXTURE)
    assert isinstance(doc, MappedDocument)
    refs = [ref for _, ref in walk_refs(doc.data, ())]
    assert refs and all(ref.startswith("#") for ref in refs)
    # pet.yaml, reached as ./multifile/schemas/pet.yaml, schemas/pet.yaml, ../schemas/pet.yaml
    # and multifile/schemas/../schemas/pet.yaml, is one schema, under the root's own name Pet
    assert components(doc) == ["Id", "Pet", "name", "tree", "owner", "Tag", "Error"]
    assert components(doc, "parameters") == ["Limit"]
    assert components(doc, "responses") == ["Problem"]
    assert components(doc, "requestBodies") == ["NewPet"]
    assert components(doc, "examples") == ["pets"]
    # the path item file is copied in place
    assert doc.data["paths"]["/pets/{petId}"]["get"]["operationId"] == "getPet"
    assert validate(doc) == []


def test_sources_list_every_file_read_once_with_its_hash() -> None:
    doc = pipeline._load(FIXTURE)
    names = [source.path.relative_to(FIXTURE.parent).as_posix() for source in doc.sources]
    assert names == [
        "multifile.yaml",
        "multifile/common.yaml",
        "multifile/shared/tag.json",
        "multifile/schemas/pet.yaml",
        "multifile/examples/pets.yaml",
        "multifile/paths/pet-by-id.yaml",
        "multifile/schemas/tree.yaml",
        "multifile/schemas/owner.yaml",
    ]
    for source in doc.sources:
        assert source.sha256 == hashlib.sha256(source.path.read_bytes()).hexdigest()
    # a one-file spec keeps its old digest: the sha256 of its text
    single = load(ROOT / "tests" / "fixtures" / "specs" / "unions.yaml")
    assert bundle(single) is single
    assert single.digest() == hashlib.sha256(single.text.encode()).hexdigest()
    assert len(single.sources) == 1


def test_copied_values_are_located_in_their_own_file() -> None:
    doc = pipeline._load(FIXTURE)
    owner = doc.diagnostic(("components", "schemas", "owner", "properties", "pets"), "m")
    assert (owner.file, owner.line, owner.column, owner.pointer) == (
        "tests/fixtures/specs/multifile/schemas/owner.yaml",
        6,
        5,
        "#/properties/pets",
    )
    inlined = doc.diagnostic(("paths", "/pets/{petId}", "get", "responses", "404"), "m")
    assert (inlined.file, inlined.line, inlined.pointer) == (
        "tests/fixtures/specs/multifile/paths/pet-by-id.yaml",
        17,
        "#/get/responses/404",
    )
    limit = doc.diagnostic(("components", "parameters", "Limit", "schema", "maximum"), "m")
    assert (limit.file, limit.line, limit.column, limit.pointer) == (
        "tests/fixtures/specs/multifile/common.yaml",
        8,
        52,
        "#/components/parameters/Limit/schema/maximum",
    )
    root = doc.diagnostic(("paths", "/pets", "post", "operationId"), "m")
    assert (root.file, root.line) == ("tests/fixtures/specs/multifile.yaml", 34)


def test_names_clash_get_a_number_and_stems_name_whole_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a/pet.yaml": "type: object\nproperties: {b: {$ref: '../b/pet.yaml'}}\n",
            "b/pet.yaml": "type: object\nproperties: {e: {$ref: '../common.yaml#/Error'}}\n",
            "common.yaml": "Error: {type: object, properties: {code: {type: integer}}}\n",
        },
    )
    (tmp_path / "spec.yaml").write_text(
        spec_with(
            "a/pet.yaml",
            """\
            components:
              schemas:
                Error: {type: object, properties: {message: {type: string}}}
            """,
        )
    )
    doc = pipeline._load(tmp_path / "spec.yaml")
    assert components(doc) == ["Error", "pet", "pet2", "Error2"]
    project = pipeline.generate_project(tmp_path / "spec.yaml", tmp_path / "out", None)
    models = models_source(project.files, "spec")
    for name in ("class Error:", "class Pet:", "class Pet2:", "class Error2:"):
        assert name in models


def test_whole_file_chain_and_mapping(tmp_path: Path) -> None:
    """A root component that only refers to a file that only refers to another takes the last
    one's value under its own name; discriminator mappings to files are followed too."""
    write(
        tmp_path,
        {
            "pet.yaml": "$ref: 'models/pet.yaml'\n",
            "models/pet.yaml": """\
                oneOf: [{$ref: 'cat.yaml'}, {$ref: 'dog.json'}]
                discriminator:
                  propertyName: kind
                  mapping: {cat: 'cat.yaml', dog: './dog.json#'}
                """,
            "models/cat.yaml": "type: object\nrequired: [kind]\nproperties: {kind: {type: string}}\n",
            "models/dog.json": '{"type": "object", "required": ["kind"],'
            ' "properties": {"kind": {"type": "string"}, "bark": {"type": "boolean"}}}\n',
        },
    )
    (tmp_path / "spec.yaml").write_text(
        spec_with(
            "#/components/schemas/Pet", "components:\n  schemas:\n    Pet: {$ref: pet.yaml}\n"
        )
    )
    doc = pipeline._load(tmp_path / "spec.yaml")
    assert components(doc) == ["Pet", "cat", "dog"]
    pet = doc.data["components"]["schemas"]["Pet"]
    assert pet["discriminator"]["mapping"] == {
        "cat": "#/components/schemas/cat",
        "dog": "#/components/schemas/dog",
    }
    where = doc.diagnostic(("components", "schemas", "Pet", "discriminator"), "m")
    assert (where.file.endswith("models/pet.yaml"), where.line) == (True, 3)
    pipeline.generate_project(tmp_path / "spec.yaml", tmp_path / "out", None)


def test_swagger2_spec_over_several_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "spec.yaml": """\
                swagger: "2.0"
                info: {title: T, version: "1"}
                paths:
                  /pets:
                    get:
                      operationId: listPets
                      parameters: [{$ref: 'common.yaml#/parameters/Limit'}]
                      responses:
                        "200":
                          description: ok
                          schema: {type: array, items: {$ref: 'common.yaml#/definitions/Pet'}}
                        default: {$ref: 'common.yaml#/responses/Problem'}
                """,
            "common.yaml": """\
                parameters:
                  Limit: {name: limit, in: query, type: integer}
                responses:
                  Problem: {description: bad, schema: {$ref: '#/definitions/Error'}}
                definitions:
                  Pet: {type: object, properties: {name: {type: string}}}
                  Error: {type: object, properties: {code: {type: intger}}}
                """,
        },
    )
    with pytest.raises(SpecError) as caught:
        pipeline.check(tmp_path / "spec.yaml")
    (problem,) = caught.value.diagnostics
    assert problem.file.endswith("common.yaml")
    assert (problem.line, problem.pointer) == (7, "#/definitions/Error/properties/code/type")
    common = (tmp_path / "common.yaml").read_text().replace("intger", "integer")
    (tmp_path / "common.yaml").write_text(common)
    doc = pipeline._load(tmp_path / "spec.yaml")
    assert list(doc.data["components"]["schemas"]) == ["Pet", "Error"]
    # the OpenAPI 3 document still maps back through the 2.0 one to common.yaml
    where = doc.diagnostic(("components", "schemas", "Error", "properties", "code"), "m")
    assert (where.file.endswith("common.yaml"), where.line) == (True, 7)
    project = pipeline.generate_project(tmp_path / "spec.yaml", tmp_path / "out", None)
    assert "class Pet:" in models_source(project.files, "spec")


def test_reference_to_another_file_left_in_an_extension_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"x.yaml": "a: 1\n"})
    (tmp_path / "spec.yaml").write_text(
        spec_with("x.yaml#/a", "x-notes: {$ref: 'x.yaml'}\n").replace(
            "x.yaml#/a", "#/components/schemas/A"
        )
        + "components:\n  schemas:\n    A: {type: string}\n"
    )
    with pytest.raises(SpecError) as caught:
        pipeline.check(tmp_path / "spec.yaml")
    (problem,) = caught.value.diagnostics
    assert problem.message == "reference to another file is not supported in this place: 'x.yaml'"
    assert problem.pointer == "#/x-notes/$ref"


def _copy_fixture(to: Path) -> Path:
    to.mkdir(parents=True)
    shutil.copy(FIXTURE, to / FIXTURE.name)
    shutil.copytree(FIXTURE.parent / "multifile", to / "multifile")
    return to / FIXTURE.name


def test_output_does_not_depend_on_where_the_files_are(tmp_path: Path) -> None:
    """The same files elsewhere, reached through a symlink, or with a reference by absolute
    path: the same generated bytes, manifest included (it names no other file)."""
    expected = pipeline.generate_project(FIXTURE, tmp_path / "out0", None).files
    moved = _copy_fixture(tmp_path / "some where" / "else")
    assert pipeline.generate_project(moved, tmp_path / "out1", None).files == expected
    (tmp_path / "link").symlink_to(moved.parent, target_is_directory=True)
    linked = tmp_path / "link" / FIXTURE.name
    assert pipeline.generate_project(linked, tmp_path / "out2", None).files == expected
    # an absolute reference reads the same file: one copy, same names
    text = moved.read_text().replace(
        '"multifile/schemas/tree.yaml"', f'"{moved.parent / "multifile/schemas/tree.yaml"}"'
    )
    assert text != moved.read_text()
    moved.write_text(text)
    files = pipeline.generate_project(moved, tmp_path / "out3", None).files
    assert models_source(files, "multifile") == models_source(expected, "multifile")
    assert str(tmp_path) not in "".join(files.values())


def test_hostile_file_name_becomes_a_plain_identifier(tmp_path: Path) -> None:
    name = "pet\"'; import os; {{x}} .yaml"
    write(tmp_path, {name: "type: object\nproperties: {n: {type: string}}\n"})
    (tmp_path / "spec.yaml").write_text(spec_with(name.replace("'", "''")))
    doc = pipeline._load(tmp_path / "spec.yaml")
    assert components(doc) == ["pet_import_os_x"]
    project = pipeline.generate_project(tmp_path / "spec.yaml", tmp_path / "out", None)
    for path, source in project.files.items():
        assert "import os;" not in source and "{{x}}" not in source, path
        if path.endswith(".py"):
            compile(source, path, "exec")
    assert "class PetImportOsX:" in models_source(project.files, "spec")


def models_source(files: dict[str, str], package: str) -> str:
    """Every module of a generated ``models`` package, one after the other."""
    prefix = f"{package}/models/"
    return "".join(text for path, text in sorted(files.items()) if path.startswith(prefix))


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_cli_validate_and_check_follow_every_file(tmp_path: Path) -> None:
    result = run("validate", str(FIXTURE))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    result = run("generate", str(FIXTURE), "--out", str(GOLDEN), "--check")
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr
    # a change in a referenced file is drift, and its spec_sha256 changes
    spec = _copy_fixture(tmp_path / "copy")
    out = tmp_path / "out"
    assert run("generate", str(spec), "--out", str(out)).returncode == 0
    owner = spec.parent / "multifile" / "schemas" / "owner.yaml"
    owner.write_text(owner.read_text().replace("An owner,", "A keeper,"))
    result = run("generate", str(spec), "--out", str(out), "--check")
    assert result.returncode == 1
    assert "\n+A keeper, whose pets refer back" in result.stdout
    assert '\n+  "spec_sha256": ' in result.stdout


def test_every_kind_of_component_may_live_in_another_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "spec.yaml": """\
                openapi: 3.1.0
                info: {title: T, version: "1"}
                paths:
                  /hooks:
                    post:
                      operationId: addHook
                      parameters: [{$ref: 'parts.yaml#/Trace'}]
                      requestBody: {$ref: 'parts.yaml#/HookBody'}
                      callbacks:
                        fired: {$ref: 'parts.yaml#/Fired'}
                      responses:
                        "201":
                          description: created
                          headers:
                            Location: {$ref: 'parts.yaml#/Location'}
                          links:
                            self: {$ref: 'parts.yaml#/Self'}
                security: [{key: []}]
                components:
                  securitySchemes:
                    key: {$ref: 'parts.yaml#/Key'}
                """,
            "parts.yaml": """\
                Trace: {name: X-Trace, in: header, schema: {type: string}}
                HookBody:
                  content:
                    application/json:
                      schema: {type: object, properties: {url: {type: string}}}
                      examples: {one: {$ref: '#/Example'}}
                Example: {value: {url: "https://example.com/hook"}}
                Fired:
                  "{$request.body#/url}": {$ref: 'hook-path.yaml'}
                Location: {schema: {type: string}}
                Self: {operationId: addHook}
                Key: {type: apiKey, in: header, name: X-Key}
                """,
            "hook-path.yaml": """\
                post:
                  requestBody: {content: {application/json: {schema: {type: object}}}}
                  responses: {"200": {description: ok}}
                """,
        },
    )
    doc = pipeline._load(tmp_path / "spec.yaml")
    assert {kind: components(doc, kind) for kind in doc.data["components"]} == {
        "securitySchemes": ["key"],
        "parameters": ["Trace"],
        "requestBodies": ["HookBody"],
        "callbacks": ["Fired"],
        "headers": ["Location"],
        "links": ["Self"],
        "examples": ["Example"],
    }
    fired = doc.data["components"]["callbacks"]["Fired"]["{$request.body#/url}"]
    assert fired["post"]["responses"]["200"]["description"] == "ok"  # path item copied in place
    where = doc.diagnostic(
        ("components", "callbacks", "Fired", "{$request.body#/url}", "post", "responses"), "m"
    )
    assert (where.file.endswith("hook-path.yaml"), where.line) == (True, 3)
    assert validate(doc) == []
