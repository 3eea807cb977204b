"""Generated packages in tests: import one under a unique name (and forget it again),
type-check many at once with ``mypy --strict``, and check one random spec end to end."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import itertools
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

from hypothesis import strategies as st

from generator import pipeline, writer
from generator.diagnostics import SpecError
from generator.loader import load
from generator.parser.build import build
from tests.fuzz import specs
from tests.fuzz.instances import StrategyBuilder, recording_models


def import_package(folder: Path, name: str) -> ModuleType:
    """The generated package in ``folder`` imported as ``name`` (unique per test run, so two
    generated packages never share a module), with its submodules (``name.models``...)."""
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        forget_package(name)
        raise
    return package


def forget_package(name: str) -> None:
    """Drop ``name`` and its submodules from ``sys.modules``."""
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


def mypy_strict(folders: Iterable[Path], cache_dir: Path) -> tuple[int, str]:
    """``mypy --strict`` over the package ``folders`` at once: (exit status, output)."""
    args = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
    args += ["--cache-dir", str(cache_dir), *map(str, folders)]
    run = subprocess.run(args, capture_output=True, text=True, check=False)
    return run.returncode, run.stdout + run.stderr


# -- one random spec, end to end ------------------------------------------------------------

INSTANCES_PER_MODEL = 3


@dataclass
class Generated:
    """A fuzz spec generated and written: where its package is, and its spec file."""

    spec_file: Path
    package_folder: Path


def check_spec(spec31: dict[str, Any], dialect: str, out: Path, data: st.DataObject) -> Generated:
    """Generate ``spec31`` (in the ``dialect`` spelling, "3.0" or "3.1") under ``out``; the
    package must compile and import, every Python block of its docs must compile, every model
    class must come from a schema the generator recorded, and every model must round-trip
    random valid instances of its schema (drawn from the 3.1 spelling with ``data``)."""
    spec_file, project = _generate(spec31, dialect, out)
    with recording_models() as recorded:  # the IR again, to know each model's schema
        api = build(load(spec_file, spec_file.name), spec_file.stem)
    folder = project.folder / api.package
    for name, text in sorted(project.files.items()):
        if name.endswith(".md"):
            for index, block in enumerate(_PYTHON_BLOCK.findall(text)):
                compile(block, f"{name}:python block {index}", "exec")
    module_name = f"_fuzz_{next(_IMPORTS)}_{api.package}"
    package = import_package(folder, module_name)
    try:
        models = importlib.import_module(f"{module_name}.models")
        classes = {
            name
            for name in models.__all__  # (each imported from its module as it is asked for)
            if isinstance(value := getattr(models, name), type) and hasattr(value, "from_dict")
        }
        assert classes == set(recorded), "model classes without a recorded schema"
        builder = StrategyBuilder(spec31, api.models)
        for name, (_, pointer) in sorted(recorded.items()):
            schema = at(spec31, pointer)
            # a model's own schema may allow null (a nullable inline object): the field holding
            # it decodes null, from_dict only ever sees objects
            objects = builder.strategy(schema).filter(lambda value: value is not None)
            for example in schema.get("examples") or []:  # given instances first
                if isinstance(example, dict) and builder.is_valid(schema, example):
                    builder.assert_round_trip(getattr(models, name), schema, example)
            for _ in range(INSTANCES_PER_MODEL):
                instance = data.draw(objects, label=name)
                problems = [e.message for e in builder.validator(schema).iter_errors(instance)]
                assert not problems, f"bug in the fuzz test: invalid instance: {problems}"
                builder.assert_round_trip(getattr(models, name), schema, instance)
    finally:
        del package
        forget_package(module_name)
    return Generated(spec_file, folder)


def generate_only(spec31: dict[str, Any], dialect: str, out: Path) -> Path:
    """Generate ``spec31`` in the ``dialect`` spelling under ``out``: its package folder."""
    _, project = _generate(spec31, dialect, out)
    return project.folder / project.folder.name.replace("-", "_")


def _generate(spec31: dict[str, Any], dialect: str, out: Path) -> tuple[Path, pipeline.Project]:
    document = spec31 if dialect == "3.1" else specs.to_openapi30(spec31)
    text = specs.dumps(document)
    # named after its content: a replayed example writes to the same place (hypothesis
    # compares where failures come from)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    spec_file = out / "specs" / f"fuzz-{digest}.json"
    spec_file.parent.mkdir(parents=True, exist_ok=True)
    spec_file.write_text(text, encoding="utf-8")
    try:
        project = pipeline.generate_project(spec_file, out / "generated", None)
    except SpecError as exc:
        problems = "\n".join(d.render() for d in exc.diagnostics)
        raise AssertionError(f"a valid random spec was refused:\n{problems}") from None
    writer.apply(writer.plan(project.folder, project.files))
    return spec_file, project


def at(data: Any, pointer: Iterable[Any]) -> Any:
    """The node of ``data`` at ``pointer`` (a tuple of keys and indexes, unescaped)."""
    for part in pointer:
        data = data[int(part) if isinstance(data, list) else part]
    return data


_IMPORTS = itertools.count()
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
