"""``make bench``: how fast clientgen is, and how it compares with openapi-python-client.

Per spec (GitHub's, Trello's, the five seeds one by one and together, synthetic specs of 10 to
5,000 operations), each run in a fresh subprocess:

- clientgen ``cold``: a fresh output folder (``--no-cache`` when the generator has it);
  a spec that fails with located errors is run again with ``--skip-unsupported`` and the row
  says so; then, for real specs, two ``re-run``s into the same folder (nothing changed), and
  for GitHub ``edit`` runs: copies, each with one schema changed since the one before, in
  turn into the same folder (the figure: the second fastest of seven);
- openapi-python-client (opc) ``cold``, with its defaults (it runs ruff as a post hook), from
  a bench-only venv (``bench/requirements.txt``).

Then import cost (GitHub client, both generators) and ``from_dict`` speed (10,000 Apideck
customers: clientgen, opc, pydantic v2). Results: ``bench/results/bench.md`` and
``bench.json``. See ``bench/README.md``.

Run with the project's interpreter: ``.venv/bin/python bench/bench.py [--quick] ...``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import _cache
import _inputs
import _measure
import _report
from _inputs import Spec

ROOT = _cache.ROOT
DISK_WORK = _cache.CACHE / "out"
RAM = Path("/dev/shm")  # a tmpfs on Linux: the default work folder's parent, when it has room
RAM_NEEDED = 4 << 30  # bytes free it must have (a full run writes about 1 GB)
VENV = _cache.CACHE / "venv-opc"
SETTLE_SECONDS = 3  # on disk: after removing a previous output folder, before a cold run
SYNTH_ROUNDS = 7  # rounds of cold runs of the synthetic specs (see synthetic_runs)
SMALL_SPEC = 100  # operations: a spec this small runs SMALL_RUNS times a round (half a second each)
SMALL_RUNS = 10  # their figure is the difference of two such runs: more runs, less noise
REQUIREMENTS = ROOT / "bench" / "requirements.txt"
RESULTS = ROOT / "bench" / "results"
PROBE = ROOT / "bench" / "_parse_probe.py"


@dataclass
class Run:
    """One measured generation."""

    spec: str
    tool: str  # clientgen | opc
    kind: str  # cold | re-run 1 | re-run 2 | edit
    mode: str  # clientgen: strict | skip-unsupported; opc: defaults
    exit_code: int
    wall: float
    cpu: float
    peak_mb: float
    stages: dict[str, float] = field(default_factory=dict)
    files: int = 0
    lines: int = 0
    changed: int | None = None
    warnings: int = 0
    strict_errors: int | None = None  # errors of the strict attempt, when it fell back
    timed_out: bool = False
    note: str = ""
    errors: list[str] = field(default_factory=list)  # the first located errors
    # synthetic specs: seconds beyond the smallest's, wall and CPU (bench.paired_beyond)
    paired: dict[str, float] = field(default_factory=dict)


@dataclass
class Options:
    timeout: float
    opc: bool
    no_cache: bool  # the generator has --no-cache
    python: Path  # the bench venv's interpreter (opc, pydantic, httpx, attrs)
    work: Path  # generated output (``out/``) and clientgen's cache (``clientgen-cache/``)
    in_ram: bool  # ``work`` is on a RAM file system: no settling after a removal

    @property
    def out(self) -> Path:
        return self.work / "out"

    def clientgen_env(self) -> dict[str, str]:
        """A cache of this bench run's own: re-runs and the edit find what this run's earlier
        runs left, never what an earlier bench (or the user) did."""
        return dict(os.environ, CLIENTGEN_CACHE_DIR=str(self.work / "clientgen-cache"))


def work_folder(chosen: Path | None) -> tuple[Path, bool]:
    """Where the generated output goes: ``chosen``, else a folder on the RAM file system when
    there is one with room, else ``bench/.cache/out``. On this machine's disk (ext4, mounted
    with ``discard``), creating files after thousands were deleted costs up to ten times the
    system time, until as many new files have taken their place, however long one waits (seen:
    13,000 files in 0.5 s, then 4 s after a removal); a bench that removes its outputs between
    cold runs would measure its own cleanup. A RAM file system has no such history."""
    if chosen is not None:
        return chosen.resolve(), _in_ram(chosen)
    try:
        free = os.statvfs(RAM).f_bavail * os.statvfs(RAM).f_frsize
    except OSError:
        free = 0
    if free >= RAM_NEEDED and _in_ram(RAM):
        return RAM / f"clientgen-bench-{os.getuid()}", True
    return DISK_WORK, False


def _in_ram(path: Path) -> bool:
    """Whether ``path`` (or the nearest folder above it that exists) is on a tmpfs."""
    path = path.resolve()
    while not path.exists():
        path = path.parent
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    best, kind = "", ""
    for line in mounts:
        fields = line.split()
        if len(fields) >= 3 and (path == Path(fields[1]) or Path(fields[1]) in path.parents):
            if len(fields[1]) >= len(best):
                best, kind = fields[1], fields[2]
    return kind == "tmpfs"


# -- clientgen -------------------------------------------------------------------------------


def _clientgen_command(paths: Sequence[Path], out: Path, extra: Sequence[str]) -> list[str]:
    command = [sys.executable, "-m", "generator", "generate", *map(str, paths)]
    return [*command, "--out", str(out), "--timings", *extra]


def _clientgen_run(
    spec: Spec, kind: str, paths: Sequence[Path], extra: list[str], options: Options
) -> Run:
    out = options.out / "clientgen" / spec.key
    command = _clientgen_command(paths, out, extra)
    done = _measure.run(command, ROOT, options.timeout, options.clientgen_env())
    counted = _measure.count_output(out)
    mode = "skip-unsupported" if "--skip-unsupported" in extra else "strict"
    return Run(
        spec=spec.key,
        tool="clientgen",
        kind=kind,
        mode=mode,
        exit_code=done.exit_code,
        wall=done.wall,
        cpu=done.cpu,
        peak_mb=done.peak_mb,
        stages=_measure.stage_seconds(done.stderr),
        files=counted.files,
        lines=counted.lines,
        changed=_measure.files_changed(done.stdout),
        warnings=len(_measure.LOCATED_WARNING.findall(done.stderr)),
        timed_out=done.timed_out,
        note=_last_error(done) if done.exit_code else "",
        errors=_located_errors(done.stderr),
    )


def _located_errors(stderr: str, limit: int = 10) -> list[str]:
    """The first ``limit`` located ``error:`` lines, paths shortened."""
    lines = [line for line in stderr.splitlines() if _measure.LOCATED_ERROR.match(line)]
    return [line.replace(f"{ROOT}/", "") for line in lines[:limit]]


def _last_error(done: _measure.Measured) -> str:
    lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    return lines[-1][:300] if lines else f"exit {done.exit_code}"


def clientgen_runs(spec: Spec, options: Options) -> list[Run]:
    """A real spec: cold (strict, else with --skip-unsupported), then re-runs and, for
    GitHub, the edit. (Synthetic specs: ``synthetic_runs``.)"""
    cold_flags = ["--no-cache"] if options.no_cache else []
    _fresh(options.out / "clientgen" / spec.key, options)
    cold = _clientgen_run(spec, "cold", spec.paths, cold_flags, options)
    mode: list[str] = []
    if cold.exit_code == 1 and not cold.timed_out and "error" in cold.note:
        strict_errors = _error_count(cold.note)
        _fresh(options.out / "clientgen" / spec.key, options)
        mode = ["--skip-unsupported"]
        cold = _clientgen_run(spec, "cold", spec.paths, cold_flags + mode, options)
        cold.strict_errors = strict_errors
    runs = [cold]
    _progress(cold)
    if cold.exit_code != 0:
        return runs
    for number in (1, 2):
        runs.append(_clientgen_run(spec, f"re-run {number}", spec.paths, mode, options))
        _progress(runs[-1])
    if spec.edits:
        runs.append(edit_run(spec, mode, options))
        _progress(runs[-1])
    return runs


def edit_run(spec: Spec, mode: list[str], options: Options) -> Run:
    """The edits (``Spec.edits``) in turn into the folder the re-runs left, each one schema
    edited since the run before, and of them the one ``low_quantile`` picks, as for the
    synthetic specs: one run's figure would be the machine's at that moment, and a busy
    moment on a shared machine adds a quarter to a two-second run."""
    tried: list[Run] = []
    for path in spec.edits:
        tried.append(_clientgen_run(spec, "edit", (path,), mode, options))
        if tried[-1].exit_code != 0:
            return tried[-1]
    chosen = low_quantile(tried)
    chosen.note = _runs_note(tried, "edit runs")
    return chosen


def synthetic_runs(specs: list[Spec], options: Options) -> list[Run]:
    """Each synthetic spec's ``SYNTH_ROUNDS`` cold runs (``SMALL_RUNS`` times that for a spec
    of at most ``SMALL_SPEC`` operations), round after round, the small specs in turn within
    a round; the row of each is the run ``low_quantile`` picks. What the scaling target reads,
    each spec's seconds beyond the smallest's (``Run.paired``), is the median of paired
    differences: each run less the smallest spec's run next to it (its own turn in the
    round; for a large spec, the median of the round's). Between 10 and 100 operations the
    difference is about 0.06 s: two low quantiles taken apart would each carry their own
    luck, while a pair shares the moment it ran in."""
    flags = ["--no-cache"] if options.no_cache else []
    tried: dict[str, list[tuple[int, int, Run]]] = {spec.key: [] for spec in specs}  # round, turn
    small = [spec for spec in specs if spec.operations <= SMALL_SPEC]
    large = [spec for spec in specs if spec.operations > SMALL_SPEC]
    for round_number in range(SYNTH_ROUNDS):
        turns = [(turn, spec) for turn in range(SMALL_RUNS) for spec in small]
        for turn, spec in turns + [(-1, spec) for spec in large]:  # -1: no turn of its own
            if any(run.exit_code != 0 for _, _, run in tried[spec.key]):
                continue
            _fresh(options.out / "clientgen" / spec.key, options)
            run = _clientgen_run(spec, "cold", spec.paths, flags, options)
            tried[spec.key].append((round_number, turn, run))
    baseline = min(specs, key=lambda spec: spec.operations).key if specs else ""
    runs = []
    for spec in specs:
        mine = [run for _, _, run in tried[spec.key]]
        failed = [run for run in mine if run.exit_code != 0]
        chosen = failed[0] if failed else low_quantile(mine)
        if not failed:
            chosen.note = _runs_note(mine, "cold runs")
            if spec.key != baseline:
                chosen.paired = paired_beyond(tried[spec.key], tried[baseline])
        runs.append(chosen)
        _progress(chosen)
    return runs


def paired_beyond(
    runs: list[tuple[int, int, Run]], baseline: list[tuple[int, int, Run]]
) -> dict[str, float]:
    """Seconds of wall and CPU time ``runs`` take beyond ``baseline``'s: the median of each
    run's difference from the baseline run of the same round and turn, or from the median of
    the round's baseline runs when there is none (a large spec runs once a round)."""
    if any(run.exit_code != 0 for _, _, run in baseline):
        return {}
    found: dict[str, float] = {}
    for measure in ("wall", "cpu"):
        by_turn = {(r, t): getattr(run, measure) for r, t, run in baseline}
        by_round: dict[int, list[float]] = {}
        for (r, _), value in by_turn.items():
            by_round.setdefault(r, []).append(value)
        differences = []
        for r, t, run in runs:
            partner = by_turn.get((r, t))
            if partner is None and r in by_round:
                partner = statistics.median(by_round[r])
            if partner is not None:
                differences.append(getattr(run, measure) - partner)
        if differences:
            found[measure] = statistics.median(differences)
    return found


QUANTILE = 6  # the run a row shows (a synthetic spec's, the edit's): a sixth from the fastest


def low_quantile(runs: list[Run]) -> Run:
    """The run ranked ``len(runs) // QUANTILE`` by wall time (0: the fastest): near the
    fastest, as a timing's noise only ever adds, but not a single run's luck. The edit's
    target reads it; the scaling target reads paired differences (``paired_beyond``)."""
    ordered = sorted(runs, key=lambda run: run.wall)
    return ordered[len(ordered) // QUANTILE]


def _runs_note(tried: list[Run], what: str) -> str:
    walls = ", ".join(f"{run.wall:.2f}" for run in tried)
    rank = len(tried) // QUANTILE + 1
    return f"{_ordinal(rank)} fastest of {len(tried)} {what} (wall s: {walls})"


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _fresh(folder: Path, options: Options) -> None:
    """Remove a previous run's output before a cold run; on disk, also let the file system
    write that out (sync, then a moment) before the next run is timed (which does not undo
    the slower creation of files after a removal: see ``work_folder``)."""
    shutil.rmtree(folder, ignore_errors=True)
    if not options.in_ram:
        os.sync()
        time.sleep(SETTLE_SECONDS)


WORK_MARK = ".clientgen-bench"  # marks a work folder as the bench's own, free to empty


def prepare_work(work: Path) -> str | None:
    """Empty ``work`` for this run: only a folder the bench made (it holds ``WORK_MARK``) or
    an empty one; anything else is the user's, never removed (the message says so)."""
    if work.exists():
        if not work.is_dir():
            return f"--work {work}: not a folder"
        if any(work.iterdir()) and not (work / WORK_MARK).is_file():
            return f"--work {work}: not empty and not made by the bench; nothing was removed"
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / WORK_MARK).write_text("made by bench/bench.py; emptied by each run\n")
    return None


def _error_count(note: str) -> int | None:
    first = note.split(" ", 1)[0]
    return int(first) if first.isdigit() else None


# -- openapi-python-client -------------------------------------------------------------------


def opc_run(spec: Spec, options: Options) -> Run:
    """openapi-python-client with its defaults into a fresh folder."""
    out = options.out / "opc" / spec.key
    _fresh(out, options)
    out.mkdir(parents=True)
    binary = options.python.parent / "openapi-python-client"
    command = [str(binary), "generate", "--path", str(spec.paths[0]), "--output-path", "client"]
    env = dict(os.environ, PATH=f"{options.python.parent}{os.pathsep}{os.environ['PATH']}")
    done = _measure.run(command, out, options.timeout, env)
    text = done.stdout + done.stderr
    counted = _measure.count_output(out)
    run = Run(
        spec=spec.key,
        tool="opc",
        kind="cold",
        mode="defaults (ruff post-hooks)",
        exit_code=done.exit_code,
        wall=done.wall,
        cpu=done.cpu,
        peak_mb=done.peak_mb,
        files=counted.files,
        lines=counted.lines,
        warnings=sum(line.startswith("WARNING") for line in text.splitlines()),
        timed_out=done.timed_out,
        note=_opc_note(done, out),
    )
    _progress(run)
    return run


def _opc_note(done: _measure.Measured, out: Path) -> str:
    if done.exit_code != 0 or not (out / "client").is_dir():
        return _last_error(done)
    models = list((out / "client").glob("*/models/*.py"))
    return f"{max(len(models) - 1, 0)} model modules"


# -- import cost and from_dict ----------------------------------------------------------------


def find_package(project: Path) -> str | None:
    """The import package in a generated project folder (the one with ``py.typed``)."""
    for marker in sorted(project.glob("*/py.typed")):
        if (marker.parent / "__init__.py").is_file():
            return marker.parent.name
    return None


IMPORT_CODE = """\
import sys, time
start = time.perf_counter()
sys.path.insert(0, {folder!r})
import {package} as package
client = package.{client}
{extra}
print(time.perf_counter() - start)
"""


def import_seconds(python: Path, code: str, repeat: int) -> dict[str, Any]:
    """Seconds from before the import to after the client exists, in fresh ``-I`` processes."""
    seconds: list[float] = []
    for _ in range(repeat):
        done = _measure.run([str(python), "-I", "-c", code], ROOT, 120)
        if done.exit_code != 0:
            return {"error": _last_error(done)}
        seconds.append(float(done.stdout.strip().splitlines()[-1]))
    return {"median": statistics.median(seconds), "min": min(seconds), "runs": seconds}


# The endpoint whose first use is measured: GitHub's ``repos/get``. opc's module for it:
OPC_ENDPOINT_MODULE = "api.repos.reposget"
FIRST_ENDPOINT = "repos/get"


def call_path(project: Path, operation_id: str) -> str | None:
    """The client attribute path of ``operation_id`` (``repos.repos_get``), from the project's
    ``clientgen.json``."""
    try:
        manifest = json.loads((project / "clientgen.json").read_text(encoding="utf-8"))
        path = manifest["operations"][operation_id]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if isinstance(path, str) else None


def import_costs(options: Options, repeat: int) -> dict[str, Any]:
    """Import + ``Client`` of the GitHub packages of both generators; also with one
    endpoint's first use (clientgen: the client attribute of ``repos/get``, which imports its
    resource group's module and the runtime; opc: importing its module, and so its models)."""
    ours = options.out / "clientgen" / "github" / "github"
    theirs = options.out / "opc" / "github" / "client"
    path = call_path(ours, FIRST_ENDPOINT)
    cases: dict[str, tuple[Path, str, str | None]] = {
        "clientgen": (ours, "Client()", ""),
        "opc": (theirs, 'Client(base_url="https://api.github.com")', ""),
        "clientgen + first endpoint": (ours, "Client()", path and f"client.{path}"),
        "opc + first endpoint": (
            theirs,
            'Client(base_url="https://api.github.com")',
            "import importlib; importlib.import_module("
            f"package.__name__ + {'.' + OPC_ENDPOINT_MODULE!r})",
        ),
    }
    costs: dict[str, Any] = {}
    for name, (folder, client, extra) in cases.items():
        package = find_package(folder)
        if package is None:
            costs[name] = {"error": f"no generated package in {_cache.shown(folder)}"}
            continue
        if extra is None:
            costs[name] = {"error": f"no {FIRST_ENDPOINT} in {_cache.shown(folder)}/clientgen.json"}
            continue
        code = IMPORT_CODE.format(folder=str(folder), package=package, client=client, extra=extra)
        costs[name] = import_seconds(options.python, code, repeat)
        print(f"bench: import {name}: {costs[name]}", file=sys.stderr, flush=True)
    return costs


def parse_costs(options: Options, fixture: Path, repeat: int) -> dict[str, Any]:
    """``from_dict`` of 10,000 customers: clientgen, opc and the pydantic model (also with
    its enums typed as plain strings, for reference)."""
    cases: dict[str, Path | None] = {
        "clientgen": options.out / "clientgen" / "apideck-ecommerce" / "apideck-ecommerce",
        "opc": options.out / "opc" / "apideck-ecommerce" / "client",
        "pydantic": None,
        "pydantic-str-enums": None,
    }
    costs: dict[str, Any] = {}
    for name, folder in cases.items():
        args = [str(options.python), "-I", str(PROBE), str(fixture), str(repeat), name]
        if folder is not None:
            package = find_package(folder)
            if package is None:
                costs[name] = {"error": f"no generated package in {_cache.shown(folder)}"}
                continue
            args += [str(folder), package]
        done = _measure.run(args, ROOT, 600)
        if done.exit_code != 0:
            costs[name] = {"error": _last_error(done)}
        else:
            seconds = json.loads(done.stdout)["seconds"]
            costs[name] = {"min": min(seconds), "median": statistics.median(seconds)}
        print(f"bench: from_dict {name}: {costs[name]}", file=sys.stderr, flush=True)
    return costs


# -- the run ---------------------------------------------------------------------------------


def _progress(run: Run) -> None:
    status = "ok" if run.exit_code == 0 else f"exit {run.exit_code}"
    print(
        f"bench: {run.spec:<18} {run.tool:<9} {run.kind:<8} {status:<7} {run.wall:7.2f}s wall "
        f"{run.cpu:7.2f}s cpu {run.peak_mb:7.0f} MB {run.mode}",
        file=sys.stderr,
        flush=True,
    )


def has_no_cache() -> bool:
    done = _measure.run([sys.executable, "-m", "generator", "generate", "--help"], ROOT, 120)
    return "--no-cache" in done.stdout


def select(args: argparse.Namespace) -> list[Spec]:
    specs = _inputs.seeds()
    if not args.quick:
        specs += [_inputs.medium(), _inputs.github()]
    specs += _inputs.synthetic(tuple(args.sizes))
    if args.only:
        specs = [spec for spec in specs if args.only in spec.key]
    return specs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seeds and small synthetic specs")
    parser.add_argument("--only", metavar="TEXT", help="only specs whose row name contains TEXT")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help="synthetic spec sizes (default 10 100 1000 5000; --quick: 10 100)",
    )
    parser.add_argument("--no-opc", action="store_true", help="skip openapi-python-client")
    parser.add_argument("--repeat", type=int, default=7, help="import-cost processes (7)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run (900)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="report folder")
    parser.add_argument(
        "--work",
        type=Path,
        metavar="DIR",
        help="generated output and clientgen's cache: a folder the bench made or an empty one, "
        "emptied first and kept after (default: "
        f"{RAM}/clientgen-bench-UID, a RAM file system, removed after; else "
        f"{_cache.shown(DISK_WORK)})",
    )
    parser.add_argument(
        "--report-only",
        type=Path,
        metavar="JSON",
        help="measure nothing: rewrite the report (md and json) from a bench.json",
    )
    return parser


def rewrite(source: Path, out: Path) -> int:
    """The report of an earlier run again, e.g. after a change to the report's code."""
    data = json.loads(source.read_text(encoding="utf-8"))
    report = _report.Report(
        data["machine"], data["specs"], data["runs"], data["imports"], data["from_dict"]
    )
    return write(report, out, source.stem)


def write(report: _report.Report, out: Path, name: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(report.json(), encoding="utf-8")
    (out / f"{name}.md").write_text(report.markdown(), encoding="utf-8")
    print(report.summary())
    print(f"report: {_cache.shown(out / f'{name}.md')}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.report_only:
        return rewrite(args.report_only, args.out)
    if args.sizes is None:
        args.sizes = [10, 100] if args.quick else list(_inputs.SYNTH_SIZES)
    started = time.time()
    try:
        python = _cache.python_venv(VENV, REQUIREMENTS, "bench")
        specs = select(args)
        fixture = _inputs.customers_fixture()
    except _cache.SetupError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    work, in_ram = work_folder(args.work)
    problem = prepare_work(work)
    if problem is not None:
        print(f"bench: error: {problem}", file=sys.stderr)
        return 2
    options = Options(args.timeout, not args.no_opc, has_no_cache(), python, work, in_ram)
    machine = _report.machine(python, options.no_cache)
    machine["work"] = f"{work} ({'RAM file system' if in_ram else 'disk'})"
    fingerprint = _report.fingerprint()
    runs: list[Run] = []
    for spec in specs:
        if not spec.synthetic:
            runs += clientgen_runs(spec, options)
            if options.opc and spec.opc:
                runs.append(opc_run(spec, options))
    synthetic = [spec for spec in specs if spec.synthetic]
    runs += synthetic_runs(synthetic, options)
    runs += [opc_run(spec, options) for spec in synthetic if options.opc and spec.opc]
    imports = import_costs(options, args.repeat) if options.opc else {}
    parsing = parse_costs(options, fixture, 5) if options.opc else {}
    machine["load_average_end"] = os.getloadavg()
    machine["seconds"] = round(time.time() - started, 1)
    machine["changed_during_run"] = _report.fingerprint() != fingerprint
    if args.work is None and in_ram:
        shutil.rmtree(work, ignore_errors=True)  # the memory it holds
    rows = [asdict(run) for run in runs]
    report = _report.Report(machine, [asdict(s) for s in specs], rows, imports, parsing)
    print(f"bench: done in {machine['seconds']:.0f} s", file=sys.stderr)
    return write(report, args.out, "bench-quick" if args.quick or args.only else "bench")


if __name__ == "__main__":
    raise SystemExit(main())
