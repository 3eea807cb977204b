"""Command line: ``python -m generator generate|validate`` (also installed as ``clientgen``).

Exit status: 0 success; 1 invalid spec, or drift with ``--check``; 2 bad usage.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import NoReturn, Sequence

from . import __version__, pipeline, writer
from .diagnostics import Diagnostic, SpecError
from .cache import Cache, default_dir, max_bytes
from .timing import StageTimes

DEFAULT_SPECS = Path("specs")
DEFAULT_OUT = Path("generated")


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clientgen",
        description="Typed, dependency-free Python clients and markdown docs from OpenAPI specs.",
    )
    parser.add_argument("--version", action="version", version=f"clientgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    gen = commands.add_parser("generate", help="generate client projects from specs")
    gen.add_argument(
        "specs",
        nargs="*",
        type=Path,
        metavar="SPEC",
        help="spec files (default: every spec in specs/)",
    )
    gen.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: generated/)"
    )
    gen.add_argument(
        "--templates",
        type=Path,
        help="folder of templates overriding the built-in ones by file name",
    )
    gen.add_argument(
        "--skip-unsupported",
        action="store_true",
        help="skip operations and schemas using constructs not supported yet (located warnings)",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; show the diff and exit 1 if output would change",
    )
    gen.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache (default: $CLIENTGEN_CACHE_DIR, else "
        "~/.cache/clientgen): every stage runs, as on a first run",
    )
    gen.add_argument(
        "--timings",
        action="store_true",
        help="print the time spent in each stage (load, validate, build, render, format, write)",
    )
    val = commands.add_parser("validate", help="validate specs and report every problem")
    val.add_argument("specs", nargs="*", type=Path, metavar="SPEC")
    return parser


def find_specs(given: list[Path]) -> list[Path]:
    if given:
        missing = [p for p in given if not p.is_file()]
        if missing:
            raise UsageError(f"no such spec file: {missing[0]}")
        return given
    if not DEFAULT_SPECS.is_dir():
        raise UsageError("no SPEC given and no specs/ folder here")
    found = sorted(
        p for p in DEFAULT_SPECS.iterdir() if p.suffix in pipeline.SPEC_SUFFIXES and p.is_file()
    )
    if not found:
        raise UsageError("no *.yaml, *.yml or *.json spec in specs/")
    return found


def run() -> NoReturn:
    """The ``clientgen`` command: ``main``, then exit at once, as mypy does. A large spec
    leaves millions of objects (the IR, Jinja's render contexts, some in reference cycles);
    freeing them one by one and collecting the cycles at exit would cost a third of a second
    on GitHub's spec, for memory the exit returns anyway. The garbage collector also runs
    less often meanwhile: these objects make no cycles worth collecting early."""
    gc.set_threshold(*pipeline.FEWER_COLLECTIONS)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        specs = find_specs(args.specs)
        if args.command == "validate":
            return _validate(specs)
        if args.templates is not None and not args.templates.is_dir():
            raise UsageError(f"--templates: no such folder: {args.templates}")
        cache = None if args.no_cache else Cache(default_dir())
        try:
            limit = max_bytes()
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        code = _generate(
            specs, args.out, args.templates, args.check, args.skip_unsupported, args.timings, cache
        )
        if cache is not None:
            cache.prune(limit)
        return code
    except UsageError as exc:
        print(f"clientgen: error: {exc}", file=sys.stderr)
        return 2


def _report(error: SpecError) -> int:
    for diagnostic in error.diagnostics:
        print(diagnostic.render(), file=sys.stderr)
    count = len(error.diagnostics)
    print(f"{count} error{'s' if count != 1 else ''}; nothing written.", file=sys.stderr)
    return 1


def _validate(specs: list[Path]) -> int:
    problems: list[Diagnostic] = []
    for spec in specs:
        try:
            pipeline.check(spec)
        except SpecError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        for diagnostic in sorted(problems):
            print(diagnostic.render(), file=sys.stderr)
        return 1
    print(f"{len(specs)} spec{'s' if len(specs) != 1 else ''} valid.")
    return 0


def _generate(
    specs: list[Path],
    out: Path,
    templates: Path | None,
    check: bool,
    skip_unsupported: bool,
    timings: bool = False,
    cache: Cache | None = None,
) -> int:
    warnings: list[Diagnostic] = []
    times = StageTimes()
    try:
        generated = pipeline.generate(
            specs, out, templates, skip_unsupported, warnings, times, cache
        )
    except SpecError as exc:
        if timings:
            print(times.report(), file=sys.stderr)
        return _report(exc)
    for warning in sorted(warnings):
        print(warning.render(), file=sys.stderr)
    changes = generated.changes
    if check:
        for change in changes:
            sys.stdout.write(writer.diff(change, out))
        if changes:
            print(
                f"{len(changes)} file(s) out of date in {out}/: run `make generate`.",
                file=sys.stderr,
            )
            return 1
        return 0
    with times.stage("write"):
        writer.apply(changes)
        pipeline.stamp(generated, cache)
    if timings:
        print(times.report(), file=sys.stderr)
    print(f"{len(specs)} spec(s) generated into {out}/: {len(changes)} file(s) changed.")
    return 0
