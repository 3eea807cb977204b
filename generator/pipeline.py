"""The straight line: load -> validate -> build IR -> render -> format -> write.

Everything up to writing happens in memory for every spec first, so a run that fails on any
spec writes nothing at all. A project whose inputs are unchanged since a run that produced it
comes whole from the content-addressed cache (``generator.cache``) without running any stage;
the heavy stages import their libraries (yaml, jsonschema, jinja2, black) only when they run.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from . import parallel, writer
from .cache import Cache, digest, fingerprint, read_bytes
from .memo import Memo, Outcome, open_memo, save_memo
from .diagnostics import Diagnostic, SpecError
from .timing import StageTimes

if TYPE_CHECKING:
    from .loader import SpecDocument

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Project:
    spec: Path
    folder: Path
    files: dict[str, str]
    warnings: tuple[Diagnostic, ...] = ()
    # Files known to be on disk already as they are in ``files`` (read in this run): the
    # writer need not read them again.
    same_on_disk: frozenset[str] = frozenset()
    # The other files a multi-file spec read: (resolved path, sha256) each.
    sources: tuple[tuple[str, str], ...] = ()


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load(spec: Path) -> SpecDocument:
    """Load one spec and bundle the files it refers to into it; a Swagger 2.0 one is checked as
    such, then converted to OpenAPI 3.0 (problems found later are still located in the file
    they are in)."""
    from .bundle import bundle
    from .loader import load
    from .parser import swagger2

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
    from .parser.build import build
    from .validate import validate

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
    cache: Cache | None = None,
) -> Project:
    times = times or StageTimes()
    with times.stage("load"):
        generator = fingerprint(templates)  # clientgen's code, templates, a user's override
        key = _project_key(spec, generator, skip_unsupported) if cache is not None else ""
        hit = _cached_project(cache, key, spec, out) if cache is not None else None
        if hit is not None:
            return hit
        doc = _load(spec)
    from .validate import validate

    layout = templates is None  # the built-in templates write what generator.layout lays out
    folder = out / spec.stem  # the project's folder (``Api.project`` is the spec's stem)
    index = _memo_index(folder, generator, skip_unsupported)
    memo = open_memo(cache, folder, digest(generator, str(layout)), index)

    # Validation runs beside everything else (a child process when there are two cores), and
    # its verdict counts first, exactly as if it had run before the build: on a wrong spec,
    # whatever the build or render did (an exception included) is dropped, and nothing is
    # written. A valid spec's project is ready by the time validation is done.
    validation = parallel.Pending(partial(validate, doc))
    handed = [doc]  # handed over to _made, which lets the spec's data go once the IR is built
    del doc
    try:
        made: Project | Exception = _made(
            handed, spec, folder, templates, skip_unsupported, times, cache, memo
        )
    except BaseException:
        validation.result()  # reap the worker before giving up
        raise
    problems, validate_seconds = validation.result()
    times.add("validate", validate_seconds)
    if problems:
        raise SpecError(problems)
    if isinstance(made, Exception):
        raise made
    if cache is not None:
        _store_project(cache, key, spec.stem, made, memo.shas if memo else {})
        if memo is not None:
            save_memo(memo, index)
    return made


def _made(
    handed: list[SpecDocument],
    spec: Path,
    folder: Path,
    templates: Path | None,
    skip_unsupported: bool,
    times: StageTimes,
    cache: Cache | None,
    memo: Memo | None,
) -> Project | Exception:
    """The project of ``doc``, built and rendered before its validation is known: an exception
    (which a valid spec would make a bug) is returned, to be judged after validation."""
    from . import render
    from .format import format_files
    from .parser.build import build

    doc = handed.pop()
    try:
        with times.stage("build"):
            api = build(doc, spec.stem, skip_unsupported)
    except Exception as exc:
        return exc
    assert api.project == spec.stem
    display = doc.display
    others = [(str(source.path.resolve()), source.sha256) for source in doc.sources[1:]]
    del doc  # the spec's data and text: the IR holds what is left to do (memory for render)
    env = render.environment(templates)
    layout = templates is None  # the built-in templates write what generator.layout lays out

    def code(stages: StageTimes, part: Callable[..., render.Rendered]) -> dict[str, str]:
        with stages.stage("render"):
            rendered = part(api, env, memo=memo)
        with stages.stage("format"):
            formatted = format_files(rendered.texts, display, cache, layout=layout)
        return rendered.remember(formatted, memo)

    def rest() -> tuple[dict[str, str], dict[str, float], Outcome | None]:
        stages = StageTimes()
        files = code(stages, render.render_package)
        with stages.stage("render"):
            files.update(render.render_docs(api, env, cache, memo))
        return files, stages.seconds, memo.outcome() if memo is not None else None

    # The models package and their pages here; the rest of the package and the docs beside
    # it (a second process when there are two cores): the two halves take about as long.
    try:
        files, (rest_files, seconds, outcome), _ = parallel.both(
            lambda: code(times, render.render_models), rest
        )
    except Exception as exc:
        return exc
    for stage, spent in seconds.items():
        times.add(stage, spent)
    files.update(rest_files)
    files[writer.MANIFEST] = render.manifest(api, sorted(files))
    same: frozenset[str] = frozenset()
    if memo is not None and outcome is not None:
        memo.merge(outcome)  # the worker's (or, run here, this memo's own: no change)
        same = frozenset(memo.same_on_disk)
    return Project(spec, folder, files, api.skipped, same, tuple(others))


def _memo_index(folder: Path, generator: str, skip_unsupported: bool) -> str:
    """Where the files of the last run into a project folder are indexed (``generator.memo``):
    one entry per folder and options, rewritten by every run. The folder, not the spec's
    path: a spec edited under another name still finds what the folder holds."""
    return digest(
        "memo-index",
        generator,
        str(folder.resolve()),
        "skip-unsupported" if skip_unsupported else "",
    )


def _project_key(spec: Path, generator: str, skip_unsupported: bool) -> str:
    """``generator``: the fingerprint of what produces the output (``cache.fingerprint``)."""
    return digest(
        "project",
        generator,
        display_path(spec),
        spec.read_bytes(),
        "skip-unsupported" if skip_unsupported else "",
    )


def _cached_project(cache: Cache, key: str, spec: Path, out: Path) -> Project | None:
    """The project stored under ``key``, if whole: every file's text present and matching its
    hash, and every other file the spec read unchanged. Anything missing or wrong is a miss."""
    entry: Any = cache.get_json("project", key)
    try:
        for path, sha in entry["sources"]:  # the other files a multi-file spec read
            if _file_sha256(Path(path)) != sha:
                return None
        folder = out / str(entry["project"])
        files: dict[str, str] = {}
        for rel, sha in entry["files"].items():
            # A file already on disk with the stored hash is the stored text: no blob to read.
            raw, _ = cache.find(sha, folder / rel)
            if raw is None:
                return None
            files[rel] = raw.decode("utf-8")
        warnings = tuple(Diagnostic(*w) for w in entry["warnings"])
    except (TypeError, KeyError, AttributeError, ValueError):
        return None
    return Project(spec, folder, files, warnings)


def _file_sha256(path: Path) -> str | None:
    import hashlib

    raw = read_bytes(path)
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _store_project(
    cache: Cache,
    key: str,
    name: str,
    project: Project,
    stored: dict[str, str],
) -> None:
    """The project's entry; ``stored``: path -> sha256 of the files whose text the memo has
    already stored as a blob (or found so), which need no second look."""
    hashes: dict[str, str] = {}
    for rel, text in project.files.items():
        if rel in stored:
            hashes[rel] = stored[rel]
            continue
        raw = text.encode("utf-8")
        hashes[rel] = digest(raw)
        cache.put("blob", hashes[rel], raw, if_absent=True)
    warnings = [
        [w.file, w.line, w.column, w.message, w.pointer, w.severity] for w in project.warnings
    ]
    entry = {"project": name, "files": hashes, "warnings": warnings, "sources": project.sources}
    cache.put_json("project", key, entry)


# Thresholds of the garbage collector while generating (default: 700, 10, 10).
FEWER_COLLECTIONS = (50_000, 20, 100)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often while generating: a large spec allocates
    millions of objects (none in cycles to speak of: the JSON, the IR), and the default
    thresholds walk them all again and again (on 5,000 operations the build took 1.4-1.7 s
    instead of 1.0-1.1 s)."""
    before = gc.get_threshold()
    gc.set_threshold(*FEWER_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def generate(
    specs: list[Path],
    out: Path,
    templates: Path | None,
    skip_unsupported: bool = False,
    warnings: list[Diagnostic] | None = None,
    times: StageTimes | None = None,
    cache: Cache | None = None,
) -> list[writer.Change]:
    """The changes that bring ``out`` in line with ``specs``; raises SpecError, having written
    nothing, if any spec is wrong."""
    projects: list[Project] = []
    problems: list[Diagnostic] = []
    with _fewer_collections():
        for spec in specs:
            try:
                project = generate_project(spec, out, templates, skip_unsupported, times, cache)
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
            changes.extend(writer.plan(project.folder, project.files, project.same_on_disk))
    return changes
