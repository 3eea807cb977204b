"""The straight line: load -> validate -> build IR -> render -> format -> write.

Everything up to writing happens in memory for every spec first, so a run that fails on any
spec writes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import render, writer
from .bundle import bundle
from .diagnostics import Diagnostic, SpecError
from .format import format_files
from .loader import SpecDocument, load
from .parser import swagger2
from .parser.build import build
from .timing import StageTimes
from .validate import validate

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Project:
    spec: Path
    folder: Path
    files: dict[str, str]
    warnings: tuple[Diagnostic, ...] = ()


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load(spec: Path) -> SpecDocument:
    """Load one spec and bundle the files it refers to into it; a Swagger 2.0 one is checked as
    such, then converted to OpenAPI 3.0 (problems found later are still located in the file
    they are in)."""
    doc = load(spec, display_path(spec))
    is_v2 = swagger2.is_swagger2(doc.data)
    doc = bundle(doc, swagger2=is_v2)
    if is_v2:
        problems = swagger2.validate_v2(doc)
        if problems:
            raise SpecError(problems)
        doc = swagger2.upgrade(doc)
    return doc


def check(spec: Path) -> None:
    """Load and validate one spec; raises SpecError with every located problem."""
    doc = _load(spec)
    problems = validate(doc)
    if problems:
        raise SpecError(problems)
    build(doc, spec.stem)


def generate_project(
    spec: Path,
    out: Path,
    templates: Path | None,
    skip_unsupported: bool = False,
    times: StageTimes | None = None,
) -> Project:
    times = times or StageTimes()
    with times.stage("load"):
        doc = _load(spec)
    with times.stage("validate"):
        problems = validate(doc)
    if problems:
        raise SpecError(problems)
    with times.stage("build"):
        api = build(doc, spec.stem, skip_unsupported)
    with times.stage("render"):
        env = render.environment(templates)
        rendered = render.render(api, env)
    with times.stage("format"):
        files = format_files(rendered, doc.display)
    files[writer.MANIFEST] = render.manifest(api, sorted(files))
    return Project(spec, out / api.project, files, api.skipped)


def generate(
    specs: list[Path],
    out: Path,
    templates: Path | None,
    skip_unsupported: bool = False,
    warnings: list[Diagnostic] | None = None,
    times: StageTimes | None = None,
) -> list[writer.Change]:
    """The changes that bring ``out`` in line with ``specs``; raises SpecError, having written
    nothing, if any spec is wrong."""
    projects: list[Project] = []
    problems: list[Diagnostic] = []
    for spec in specs:
        try:
            project = generate_project(spec, out, templates, skip_unsupported, times)
            projects.append(project)
            if warnings is not None:
                warnings.extend(project.warnings)
        except SpecError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise SpecError(problems)
    changes: list[writer.Change] = []
    with (times or StageTimes()).stage("write"):
        for project in projects:
            changes.extend(writer.plan(project.folder, project.files))
    return changes
