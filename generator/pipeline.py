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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from . import parallel, writer
from .cache import Cache, digest, fingerprint, read_bytes
from .memo import Memo, Outcome, from_scratch, open_memo, save_memo
from . import stamps as stamp_records
from .diagnostics import Diagnostic, SpecError
from .timing import StageTimes

if TYPE_CHECKING:
    from .loader import SpecDocument

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Project:
    spec: Path
    folder: Path
    # The files' texts this run holds in memory: what the writer compares with the folder.
    files: dict[str, str]
    warnings: tuple[Diagnostic, ...] = ()
    # Files the folder already holds as this run makes them (known by their stamp, or read
    # and hashed): not in ``files``, and left alone by the writer.
    unchanged: frozenset[str] = frozenset()
    # The other files a multi-file spec read: (resolved path, sha256) each.
    sources: tuple[tuple[str, str], ...] = ()
    # The sha256 of every file's text (``files`` and ``unchanged``), when there is a cache.
    hashes: dict[str, str] = field(default_factory=dict)
    # The entries of the folder's stamps (``generator.stamps``) this run found true.
    vouched: dict[str, tuple[str, stamp_records.Stamp]] = field(default_factory=dict)

    @property
    def stamped(self) -> bool:
        """Every file was known unchanged by its stamp: nothing to stamp again."""
        return bool(self.hashes) and len(self.vouched) == len(self.hashes)

    def paths(self) -> list[str]:
        return sorted([*self.files, *self.unchanged])


@dataclass(frozen=True)
class Generated:
    """What ``generate`` worked out: the changes to write, and the projects they come from."""

    changes: list[writer.Change]
    projects: list[Project]


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
    from .loader import is_swagger2, load

    doc = load(spec, display_path(spec))
    is_v2 = is_swagger2(doc.data)
    doc = bundle(doc, swagger2=is_v2)
    if is_v2:
        from .parser import swagger2

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
    folder = out / spec.stem  # the project's folder (``Api.project`` is the spec's stem)
    with times.stage("load"):
        generator = fingerprint(templates)  # clientgen's code, templates, a user's override
        key = ""
        stamps = stamp_records.Stamps(folder)  # what the last run left there: none known
        if cache is not None:
            key = _project_key(spec, generator, skip_unsupported)
            stamps = stamp_records.load(cache, folder)
            hit = _cached_project(cache, key, spec, folder, stamps)
            if hit is not None:
                return hit
        doc = _load(spec)
    from .validate import validate

    layout = templates is None  # the built-in templates write what generator.layout lays out
    index = _memo_index(folder, generator, skip_unsupported)
    memo = open_memo(cache, folder, digest(generator, str(layout)), index, stamps)

    # Validation runs beside everything else (a child process when there are two cores), and
    # its verdict counts first, exactly as if it had run before the build: on a wrong spec,
    # whatever the build or render did (an exception included) is dropped, and nothing is
    # written. A valid spec's project is ready by the time validation is done.
    validation = parallel.Pending(partial(validate, doc))
    handed = [doc]  # handed over to _made, which lets the spec's data go once the IR is built
    del doc
    try:
        made: Project | Exception = _made(
            handed, spec, folder, templates, generator, skip_unsupported, times, cache, memo
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
        _store_project(cache, key, spec.stem, made, set(memo.shas) if memo else set())
        if memo is not None:
            save_memo(memo, index)
    return made


def _made(
    handed: list[SpecDocument],
    spec: Path,
    folder: Path,
    templates: Path | None,
    generator: str,
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
    env = render.environment(templates, generator, cache)
    layout = templates is None  # the built-in templates write what generator.layout lays out

    def share_files(
        share: render.Share,
    ) -> tuple[list[render.Output], dict[str, float], Outcome | None]:
        """The files of one share: Python rendered, then laid out as one batch; the docs."""
        stages = StageTimes()
        with stages.stage("render"):
            users = render.used_by(api)  # for the models' and the enums' pages
            python = render.render_models(api, env, memo, share, users)
            python.add(render.render_package(api, env, memo, share))
        with stages.stage("format"):
            fresh = from_scratch(memo)  # else: an edit's few files, checked by share
            formatted = format_files(python.texts, display, cache, layout, fresh)
        code = python.remember(formatted, memo)
        with stages.stage("render"):
            docs = render.render_docs(api, env, cache, memo, share, users)
        return [code, docs], stages.seconds, memo.outcome() if memo is not None else None

    # Two shares of the files, side by side (a second process when there are two cores),
    # each half the weight of the model modules, resource modules and enums with their pages
    # (render.split). The first runs here: its memo is this one, so only the second's
    # outcome is merged.
    first, second = render.split(api, 2)
    try:
        (mine, seconds, _), (rest_parts, rest_seconds, outcome), _ = parallel.both(
            partial(share_files, first), partial(share_files, second)
        )
    except Exception as exc:
        return exc
    for stage, spent in [*seconds.items(), *rest_seconds.items()]:
        times.add(stage, spent)
    files: dict[str, str] = {}
    unchanged: dict[str, str] = {}
    for part in [*mine, *rest_parts]:
        files.update(part.texts)
        unchanged.update(part.unchanged)
    files[writer.MANIFEST] = render.manifest(api, sorted([*files, *unchanged]))
    hashes: dict[str, str] = {}
    vouched = {}
    if memo is not None and outcome is not None:
        memo.merge(outcome)  # the worker's (or, run here, this memo's own: no change)
        known = memo.shas  # of every file the memo rendered or recalled
        hashes = {
            rel: known.get(rel) or digest(text.encode("utf-8")) for rel, text in files.items()
        }
        hashes.update(unchanged)
        vouched = {rel: memo.stamps.files[rel] for rel in memo.by_stamp}
    return Project(
        spec, folder, files, api.skipped, frozenset(unchanged), tuple(others), hashes, vouched
    )


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


def _cached_project(
    cache: Cache, key: str, spec: Path, folder: Path, stamps: stamp_records.Stamps
) -> Project | None:
    """The project stored under ``key``, if whole: every file's text present and matching its
    hash, and every other file the spec read unchanged. Anything missing or wrong is a miss.
    A file the folder holds (by its stamp, else read and hashed) is not kept in memory."""
    entry: Any = cache.get_json("project", key)
    try:
        for path, sha in entry["sources"]:  # the other files a multi-file spec read
            if _file_sha256(Path(path)) != sha:
                return None
        files: dict[str, str] = {}
        unchanged: set[str] = set()
        hashes: dict[str, str] = entry["files"]
        vouched = {}
        for rel, sha in hashes.items():
            if stamps.holds(rel, sha):
                unchanged.add(rel)
                vouched[rel] = stamps.files[rel]
                continue
            raw, on_disk = cache.find(sha, folder / rel)
            if raw is None:
                return None
            if on_disk:
                unchanged.add(rel)
            else:
                files[rel] = raw.decode("utf-8")
        warnings = tuple(Diagnostic(*w) for w in entry["warnings"])
    except (TypeError, KeyError, AttributeError, ValueError):
        return None
    return Project(spec, folder, files, warnings, frozenset(unchanged), (), hashes, vouched)


def _file_sha256(path: Path) -> str | None:
    import hashlib

    raw = read_bytes(path)
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _store_project(cache: Cache, key: str, name: str, project: Project, stored: set[str]) -> None:
    """The project's entry, with a blob for each file's text; ``stored``: files whose text
    the memo already has as a blob (or found in the folder), which need no second look."""
    for rel, text in project.files.items():
        if rel not in stored:
            cache.put("blob", project.hashes[rel], text.encode("utf-8"), if_absent=True)
    warnings = [
        [w.file, w.line, w.column, w.message, w.pointer, w.severity] for w in project.warnings
    ]
    entry = {
        "project": name,
        "files": project.hashes,
        "warnings": warnings,
        "sources": project.sources,
    }
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
) -> Generated:
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
            changes.extend(writer.plan(project.folder, project.files, project.unchanged))
    return Generated(changes, projects)


def stamp(generated: Generated, cache: Cache | None) -> None:
    """After the changes are written: stamp each project's files (``generator.stamps``), so
    that the next run knows them unchanged without reading them; not when every file was
    known so already and nothing was written."""
    if cache is None:
        return
    written = {change.root for change in generated.changes}
    for project in generated.projects:
        if project.hashes and (project.folder in written or not project.stamped):
            stamp_records.record(cache, project.folder, project.hashes, project.vouched)
