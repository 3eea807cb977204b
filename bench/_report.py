"""The report of ``make bench``: the machine, issue 8's targets (met or not), and the tables."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import _cache

ROOT = _cache.ROOT
Row = dict[str, Any]
SCALING = ("synth-100", "synth-1000", "synth-5000")
BASELINE = "synth-10"  # the fixed cost of a run, taken off the scaling specs' times
IMPORT_FRACTION = 0.2  # our reading of "a small fraction": at most a fifth


# -- provenance ------------------------------------------------------------------------------

fingerprint = _cache.fingerprint


def _output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.strip() or "?"


def _commit() -> str:
    head = _output(["git", "rev-parse", "--short", "HEAD"])
    dirty = _output(["git", "status", "--porcelain", "--", "generator", "templates"])
    return head + (" + uncommitted changes" if dirty != "?" else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"') + f" ({platform.release()})"
    except OSError:
        pass
    return platform.platform()


def _bench_versions(python: Path) -> dict[str, str]:
    code = (
        "import json; from importlib import metadata as m; print(json.dumps({n: m.version(n) "
        "for n in ('openapi-python-client', 'pydantic', 'ruff', 'httpx', 'attrs')}))"
    )
    try:
        return dict(json.loads(_output([str(python), "-c", code])))
    except ValueError:
        return {}


def machine(python: Path, no_cache: bool) -> dict[str, Any]:
    from generator import __version__

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(_memory_gb(), 1),
        "os": _os_name(),
        "python": platform.python_version(),
        "clientgen": f"{__version__} ({_commit()}, generator/ + templates/ "
        f"sha256 {fingerprint()[:12]})",
        "black": metadata.version("black"),
        "bench venv": _bench_versions(python),
        "node": _output(["node", "--version"]),
        "no_cache_flag": no_cache,
        "load_average_start": os.getloadavg(),
    }


# -- figures ---------------------------------------------------------------------------------


def find(rows: list[Row], spec: str, tool: str, kind: str = "cold") -> Row | None:
    for row in rows:
        if (row["spec"], row["tool"], row["kind"]) == (spec, tool, kind):
            return row
    return None


def ok(row: Row | None) -> bool:
    return row is not None and row["exit_code"] == 0


def _seconds(row: Row | None) -> str:
    return f"{row['wall']:.2f} s" if ok(row) and row else "no result"


def per_operation(
    rows: list[Row], specs: dict[str, Row], measure: str = "wall"
) -> dict[str, float]:
    """Wall milliseconds per operation of the cold clientgen runs of the scaling specs, beyond
    the fixed cost of a run: ``(wall(n) - wall(synth-10)) / (n - 10)``, the difference being
    the run's ``paired`` one when it has it (the median of paired differences), else that of
    the two rows. The fixed part (interpreter start, imports, the runtime module every
    package gets, a worker process) is what a 10-operation spec costs; "grows linearly" is
    about what each operation adds."""
    base = find(rows, BASELINE, "clientgen")
    if not ok(base) or base is None or BASELINE not in specs:
        return {}
    found = {}
    for key in SCALING:
        row = find(rows, key, "clientgen")
        if ok(row) and row and key in specs:
            extra = specs[key]["operations"] - specs[BASELINE]["operations"]
            beyond = (row.get("paired") or {}).get(measure, row[measure] - base[measure])
            found[key] = beyond * 1000 / extra
    return found


def spread(values: list[float]) -> float | None:
    return max(values) / min(values) - 1 if len(values) >= 2 else None


@dataclass
class Target:
    text: str
    measured: str
    met: bool | None  # None: could not be measured

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**not met**", None: "not measured"}[self.met]


@dataclass
class Report:
    machine: dict[str, Any]
    specs: list[Row]
    runs: list[Row]
    imports: dict[str, Any]
    parsing: dict[str, Any]

    @property
    def spec_rows(self) -> dict[str, Row]:
        return {spec["key"]: spec for spec in self.specs}

    def targets(self) -> list[Target]:
        return [
            *self._github_targets(),
            self._below("seeds (all five)", "re-run 2", 0.3, "five seeds, nothing changed"),
            self._scaling_target(),
            *self._import_target(),
            *self._parse_targets(),
        ]

    def _github_targets(self) -> list[Target]:
        ours, theirs = find(self.runs, "github", "clientgen"), find(self.runs, "github", "opc")
        if ours is not None and theirs is not None and not ok(ours):
            failed = f"clientgen failed ({ours['mode']}: {ours['note']}) after {ours['wall']:.0f} s"
            opc = f"opc: {_seconds(theirs)}, {theirs['peak_mb']:.0f} MB"
            cold = Target("GitHub cold: ≤ 0.5 × opc's time", f"{failed}; {opc}", False)
            memory = Target("GitHub cold: peak memory ≤ opc's", f"{failed}; {opc}", False)
        elif not (ok(ours) and ok(theirs)) or ours is None or theirs is None:
            cold = Target("GitHub cold: ≤ 0.5 × opc's time", "no result", None)
            memory = Target("GitHub cold: peak memory ≤ opc's", "no result", None)
        else:
            ratio = ours["wall"] / theirs["wall"]
            mode = "" if ours["mode"] == "strict" else f" ({ours['mode']})"
            cold = Target(
                "GitHub cold (validation, black): ≤ 0.5 × opc's time",
                f"{ours['wall']:.1f} s vs {theirs['wall']:.1f} s = {ratio:.2f}×{mode}",
                ratio <= 0.5,
            )
            mem = ours["peak_mb"] / theirs["peak_mb"]
            memory = Target(
                "GitHub cold: peak memory ≤ opc's",
                f"{ours['peak_mb']:.0f} MB vs {theirs['peak_mb']:.0f} MB = {mem:.2f}×",
                mem <= 1,
            )
        return [
            cold,
            memory,
            self._below("github", "re-run 2", 1.0, "GitHub, nothing changed"),
            self._below("github", "edit", 2.0, "GitHub, one schema edited"),
        ]

    def _below(self, spec: str, kind: str, limit: float, text: str) -> Target:
        row = find(self.runs, spec, "clientgen", kind)
        label = f"{text}: < {limit:g} s"
        cold = find(self.runs, spec, "clientgen")
        if row is None and cold is not None and not ok(cold):
            return Target(label, "not run: the cold generation failed", False)
        if not ok(row) or row is None:
            return Target(label, "no result", None)
        return Target(
            label, f"{row['wall']:.2f} s wall ({row['cpu']:.2f} s CPU)", row["wall"] < limit
        )

    def _scaling_target(self) -> Target:
        values = per_operation(self.runs, self.spec_rows)
        label = "time per operation (beyond synth-10's), 100 to 5,000 operations: spread ≤ 25%"
        failed = [
            f"{row['spec']} {'timed out' if row['timed_out'] else 'failed'} "
            f"(exit {row['exit_code']}) after {row['wall']:.0f} s"
            for row in (find(self.runs, key, "clientgen") for key in SCALING)
            if row is not None and not ok(row)
        ]
        if failed:
            return Target(label, "; ".join(failed), False)
        if len(values) < len(SCALING):
            return Target(label, "no result", None)
        found = spread(list(values.values()))
        assert found is not None
        shown = ", ".join(f"{v:.1f}" for v in values.values())
        return Target(label, f"{shown} ms/op: spread {found:.0%}", found <= 0.25)

    def _import_target(self) -> list[Target]:
        ours, theirs = self.imports.get("clientgen", {}), self.imports.get("opc", {})
        label = f"GitHub import + Client: ≤ {IMPORT_FRACTION:g} × opc's"
        if "error" in ours:
            return [Target(label, f"clientgen: {ours['error']}", False)]
        if "median" not in ours or "median" not in theirs:
            return [Target(label, "no result", None)]
        ratio = ours["median"] / theirs["median"]
        measured = f"{ours['median'] * 1000:.0f} ms vs {theirs['median'] * 1000:.0f} ms"
        return [Target(label, f"{measured} = {ratio:.2f}×", ratio <= IMPORT_FRACTION)]

    def _parse_targets(self) -> list[Target]:
        ours = self.parsing.get("clientgen", {})
        found = []
        for other, limit in (("opc", 1.0), ("pydantic", 2.0)):
            theirs = self.parsing.get(other, {})
            label = f"from_dict, 10,000 customers: ≤ {limit:g} × {other}"
            if "min" not in ours or "min" not in theirs:
                found.append(Target(label, "no result", None))
                continue
            ratio = ours["min"] / theirs["min"]
            measured = f"{ours['min']:.3f} s vs {theirs['min']:.3f} s = {ratio:.2f}×"
            found.append(Target(label, measured, ratio <= limit))
        return found

    # -- output ------------------------------------------------------------------------------

    def json(self) -> str:
        payload = {
            "machine": self.machine,
            "targets": [t.__dict__ | {"verdict": t.verdict} for t in self.targets()],
            "specs": [spec | {"paths": [str(p) for p in spec["paths"]]} for spec in self.specs],
            "runs": self.runs,
            "per_operation_ms": per_operation(self.runs, self.spec_rows),
            "imports": self.imports,
            "from_dict": self.parsing,
        }
        return json.dumps(payload, indent=2, default=str) + "\n"

    def summary(self) -> str:
        targets = self.targets()
        met = sum(t.met is True for t in targets)
        lines = [f"bench: {met} of {len(targets)} targets met"]
        lines += [f"  {t.verdict.strip('*'):<12} {t.text}: {t.measured}" for t in targets]
        return "\n".join(lines)

    def markdown(self) -> str:
        parts = [
            _header(self.machine),
            _targets_table(self.targets()),
            _comparison_table(self.runs, self.spec_rows),
            _runs_table(self.runs, self.spec_rows),
            _scaling_table(self.runs, self.spec_rows),
            _imports_table(self.imports),
            _parse_table(self.parsing),
            NOTES,
        ]
        return "\n".join(parts)


# -- markdown --------------------------------------------------------------------------------

NOTES = """\
## How to read this

- Every run is a fresh process; wall time is measured around it, CPU time (user + sys) and
  peak memory (`ru_maxrss`) come from `wait4` on it: they include the processes it waited for
  (opc's ruff), peak memory being the largest single process, not a sum.
- clientgen `cold`: a fresh output folder (and `--no-cache` when the generator has it).
  `re-run 1`/`re-run 2`: the same command again, into the same folder, nothing changed.
  `edit` (GitHub): seven copies of the spec in turn into the same folder, each with one more
  property in the `simple-user` schema than the one before; the row is the second fastest
  (its *note* lists all seven). Stage columns are clientgen's own `--timings`; wall time also counts
  the interpreter start and imports.
- mode `skip-unsupported`: the spec failed with located errors (count in *strict errors*), so
  it was generated again with `--skip-unsupported`; the figures are of that run.
- opc (openapi-python-client) runs with its defaults, which include its ruff post-hooks
  (`ruff check --fix`, `ruff format`); its *note* counts the model modules it wrote.
- The machine may be shared: the load average at the start and end is shown above. Compare
  ratios taken in the same run rather than absolute times across runs.
"""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _header(info: dict[str, Any]) -> str:
    venv = ", ".join(f"{k} {v}" for k, v in info.get("bench venv", {}).items())
    load = info.get("load_average_start"), info.get("load_average_end")
    rows = [
        ["CPU", f"{info['cpu']}, {info['cores']} cores"],
        ["memory", f"{info['memory_gb']} GB"],
        ["OS", info["os"]],
        ["Python", info["python"]],
        ["clientgen", info["clientgen"]],
        ["black", info["black"]],
        ["bench venv", venv],
        ["node", info["node"]],
        ["`--no-cache`", "yes" if info["no_cache_flag"] else "not in this generator yet"],
        ["load average (1 min) start, end", " , ".join(f"{v[0]:.2f}" for v in load if v)],
        ["generated output and clientgen's cache", info.get("work", "bench/.cache/out (disk)")],
        ["bench duration", f"{info.get('seconds', 0):.0f} s"],
    ]
    warning = ""
    if info.get("changed_during_run"):
        warning = "\n**generator/ or templates/ changed during the run: run again.**\n"
    return "# clientgen benchmark (`make bench`)\n\n" + _table(["", ""], rows) + warning


def _targets_table(targets: list[Target]) -> str:
    rows = [[t.text, t.measured, t.verdict] for t in targets]
    return "## Targets of issue 8\n\n" + _table(["target", "measured", "verdict"], rows)


def _comparison_table(runs: list[Row], specs: dict[str, Row]) -> str:
    rows = []
    for key, spec in specs.items():
        ours, theirs = find(runs, key, "clientgen"), find(runs, key, "opc")
        if ours is None or theirs is None:
            continue
        both = ok(ours) and ok(theirs)
        rows.append(
            [
                key,
                spec["operations"],
                f"{_seconds(ours)} ({ours['mode']})",
                _seconds(theirs),
                f"{ours['wall'] / theirs['wall']:.2f}×" if both else "",
                f"{ours['peak_mb']:.0f} / {theirs['peak_mb']:.0f}",
                f"{ours['peak_mb'] / theirs['peak_mb']:.2f}×" if both else "",
                "" if ok(theirs) else theirs["note"],
            ]
        )
    header = ["spec", "ops", "clientgen", "opc", "time ratio", "peak MB", "memory ratio", "opc"]
    return "## Cold generation: clientgen vs openapi-python-client\n\n" + _table(header, rows)


STAGE_NAMES = ("load", "validate", "build", "render", "format", "write")


def _runs_table(runs: list[Row], specs: dict[str, Row]) -> str:
    rows = []
    for run in runs:
        spec = specs.get(run["spec"], {})
        stages = [run["stages"].get(name) for name in STAGE_NAMES]
        rows.append(
            [
                run["spec"],
                spec.get("operations"),
                spec.get("schemas"),
                run["tool"],
                run["kind"],
                run["mode"],
                run["exit_code"],
                run["wall"],
                run["cpu"],
                f"{run['peak_mb']:.0f}",
                *stages,
                run["files"],
                run["lines"],
                run["changed"],
                run["warnings"],
                run["strict_errors"],
                run["note"],
            ]
        )
    header = ["spec", "ops", "schemas", "tool", "run", "mode", "exit", "wall s", "CPU s"]
    errors = [
        f"- {run['spec']} ({run['tool']}, {run['kind']}, {run['mode']}): `{line}`"
        for run in runs
        for line in run.get("errors", [])[:5]
    ]
    header += ["peak MB", *STAGE_NAMES, "files", "lines", "changed", "warnings"]
    header += ["strict errors", "note"]
    shown = "\n### First errors of failed runs\n\n" + "\n".join(errors) + "\n" if errors else ""
    return "## Every run\n\n" + _table(header, rows) + shown


def _scaling_table(runs: list[Row], specs: dict[str, Row]) -> str:
    rows = []
    for key, spec in specs.items():
        row = find(runs, key, "clientgen")
        if not spec["synthetic"] or not ok(row) or row is None:
            continue
        ops = spec["operations"]
        wall, cpu = row["wall"] * 1000 / ops, row["cpu"] * 1000 / ops
        shown = [
            f"{value:.2f}" if value is not None else ""
            for value in (
                per_operation(runs, specs).get(key),
                per_operation(runs, specs, "cpu").get(key),
            )
        ]
        rows.append([key, ops, row["wall"], f"{wall:.1f}", f"{cpu:.1f}", *shown])
    values = list(per_operation(runs, specs).values())
    found = spread(values)
    note = (
        f"\nSpread of the wall ms per operation beyond synth-10's, 100 to 5,000 operations: "
        f"{found:.0%} (what the target reads: per spec, the median of its runs' differences "
        "from the synth-10 run beside each; the plain ms/op include the fixed cost of a run, "
        "which a small spec cannot spread).\n"
        if found is not None
        else ""
    )
    header = ["spec", "ops", "wall s", "wall ms/op", "CPU ms/op"]
    header += ["wall ms/op beyond synth-10", "CPU ms/op beyond synth-10"]
    return "## Scaling (clientgen, cold)\n\n" + _table(header, rows) + note


def _imports_table(imports: dict[str, Any]) -> str:
    rows = []
    for name, found in imports.items():
        if "median" in found:
            rows.append([name, f"{found['median'] * 1000:.1f}", f"{found['min'] * 1000:.1f}", ""])
        else:
            rows.append([name, "", "", found.get("error", "")])
    intro = (
        "## Import cost: GitHub client\n\nA fresh `python -I` process per sample: milliseconds "
        "from before `import` to after `Client(...)` exists (opc's needs `base_url`). "
        "*first endpoint*: also the client attribute of `repos/get` (clientgen: "
        "`client.repos.repos_get`, which imports its resource group's module and the runtime; "
        "its models are imported when a call returns them) or importing `api.repos.reposget` "
        "(opc), which brings in opc's models.\n\n"
    )
    return intro + _table(["package", "median ms", "min ms", "error"], rows)


def _parse_table(parsing: dict[str, Any]) -> str:
    rows = []
    base = parsing.get("clientgen", {}).get("min")
    for name, found in parsing.items():
        if "min" in found:
            ratio = f"{base / found['min']:.2f}×" if base else ""
            rows.append([name, f"{found['min']:.3f}", f"{found['median']:.3f}", ratio, ""])
        else:
            rows.append([name, "", "", "", found.get("error", "")])
    intro = (
        "## from_dict: 10,000 Apideck customers\n\nBest and median of 5 passes in one "
        "process; *clientgen / this*: clientgen's time over this row's.\n\n"
    )
    header = ["model", "best s", "median s", "clientgen / this", "error"]
    return intro + _table(header, rows)
