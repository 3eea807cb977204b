"""Generated packages import lazily (issue 8): making a client imports nothing but the package
and its ``client`` module; a call imports the runtime, its resource group's module and the
modules of the models it returns, and nothing else. Each case runs in a fresh interpreter, so
what ``sys.modules`` holds is what the code imported. (How long it takes is ``make bench``'s
business, not a test's.)"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.model import ir
from generator.parser.build import build
from generator.parser.modules import references
from tests.conftest import FIXTURE_SPECS, GENERATED, GOLDEN, SPECS

PROJECTS = [(spec, GENERATED / spec.stem) for spec in SPECS]
PROJECTS += [(spec, GOLDEN / spec.stem) for spec in FIXTURE_SPECS]
IDS = [spec.stem for spec, _ in PROJECTS]

_APIS: dict[Path, ir.Api] = {}


def api_of(spec: Path) -> ir.Api:
    if spec not in _APIS:
        _APIS[spec] = build(pipeline._load(spec), spec.stem)
    return _APIS[spec]


def fresh(folder: Path, code: str) -> Any:
    """Run ``code`` in a fresh ``python -I`` with ``folder`` on ``sys.path``; ``code`` sets
    ``result``, which comes back through JSON. ``new_modules(prefix)`` in the code: the modules
    imported since it started whose names start with ``prefix``."""
    prologue = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        "_before = set(sys.modules)\n"
        "def new_modules(prefix=''):\n"
        "    return sorted(m for m in set(sys.modules) - _before if m.startswith(prefix))\n"
    )
    epilogue = "\nprint(json.dumps(result))\n"
    done = subprocess.run(
        [sys.executable, "-I", "-c", prologue + code + epilogue],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def model_modules(api: ir.Api, names: Iterable[str]) -> set[str]:
    """The models modules that using ``names`` imports: theirs, and those of what they refer
    to, transitively."""
    by_module = {module.name: module for module in api.model_modules}
    todo = [api.module_of[name] for name in names]
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        module = by_module[name]
        refs: list[ir.TypeRef | None] = []
        for model in module.models:
            refs += [f.type for f in model.fields] + [model.extra]
        for union in module.unions:
            refs += list(union.others)
            todo += [api.module_of[v.model] for v in union.variants]
        todo += [api.module_of[n] for ref in refs for n in references(ref)]
    return found


def _package(folder: Path) -> str:
    (marker,) = folder.glob("*/py.typed")
    return marker.parent.name


@pytest.mark.parametrize(("spec", "folder"), PROJECTS, ids=IDS)
def test_making_a_client_imports_only_the_package_and_its_client_module(
    spec: Path, folder: Path
) -> None:
    pkg = _package(folder)
    result = fresh(
        folder,
        f"import {pkg}\n{pkg}.Client()\n{pkg}.AsyncClient()\nresult = new_modules()\n",
    )
    # not even the standard library: no runtime, resource group, model, typing or json
    assert set(result) - {"__future__"} == {pkg, f"{pkg}.client"}


@pytest.mark.parametrize(("spec", "folder"), PROJECTS, ids=IDS)
def test_every_exported_name_resolves_and_is_listed(spec: Path, folder: Path) -> None:
    pkg = _package(folder)
    code = f"""
import {pkg} as package
from {pkg} import models
missing = [n for n in package.__all__ + models.__all__ if n not in dir(package) + dir(models)]
kinds = {{n: type(getattr(package, n)).__name__ for n in package.__all__}}
homes = {{n: getattr(models, n).__module__ for n in models.__all__}}
try:
    package.NoSuchName
    unknown = "found"
except AttributeError as error:
    unknown = str(error)
result = [missing, kinds, homes, unknown]
"""
    missing, kinds, homes, unknown = fresh(folder, code)
    api = api_of(spec)
    assert missing == []
    assert kinds["Client"] == kinds["AsyncClient"] == "type"
    assert kinds["models"] == "module"
    assert homes == {name: f"{pkg}.models.{module}" for name, module in api.module_of.items()}
    assert unknown == f"module {pkg!r} has no attribute 'NoSuchName'"


@pytest.mark.parametrize(("spec", "folder"), PROJECTS, ids=IDS)
def test_importing_a_model_imports_its_module_and_what_it_refers_to(
    spec: Path, folder: Path
) -> None:
    api = api_of(spec)
    if not api.models:
        pytest.skip("no models")
    # the model that refers to the most others: the widest closure
    model = max(api.models, key=lambda m: len(model_modules(api, [m.name])))
    pkg = _package(folder)
    found = fresh(
        folder,
        f"from {pkg}.models import {model.name}\nresult = new_modules({pkg!r})\n",
    )
    expected = {f"{pkg}.models.{m}" for m in model_modules(api, [model.name])}
    assert set(found) == {pkg, f"{pkg}.models", f"{pkg}._runtime"} | expected


# -- one call against a local server -----------------------------------------------------------


class _Canned(BaseHTTPRequestHandler):
    """Answers every request with ``answer``: (status, JSON text)."""

    answer: tuple[int, str] = (200, "{}")

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, body = _Canned.answer
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _reply  # noqa: N815

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _callable(op: ir.Operation) -> bool:
    """An operation the test can call without building arguments: no body to send, a typed
    success response with an example to answer with."""
    primary = op.primary
    return (
        not (op.body and op.body.required)
        and not any(p.required and p.location == "body" for p in op.parameters)
        and primary is not None
        and primary.example is not None
        and primary.decode == "json"
        and op.returns is not None
        and op.returns.kind in ("model", "oneof")
    )


def _call_code(pkg: str, api: ir.Api, op: ir.Operation, base_url: str) -> str:
    credentials = "".join(f"{arg}='x', " for arg, _ in api.credentials)
    args = [repr("x") for _ in op.path_params]
    args += [f"{p.name}='x'" for p in op.parameters if p.required and p.location != "path"]
    call = "client." + ".".join(op.group + (op.method_name,))
    return (
        f"import {pkg}\n"
        f"client = {pkg}.Client({credentials}base_url={base_url!r})\n"
        f"value = {call}({', '.join(args)})\n"
        f"result = [type(value).__module__, new_modules({pkg!r})]\n"
    )


CALLABLE = [
    (spec, folder)
    for spec, folder in PROJECTS
    if any(_callable(op) for op in api_of(spec).operations)
]


@pytest.mark.parametrize(("spec", "folder"), CALLABLE, ids=[s.stem for s, _ in CALLABLE])
def test_a_call_imports_its_group_the_runtime_and_the_models_it_returns(
    spec: Path, folder: Path, server: str
) -> None:
    api = api_of(spec)
    op = next(op for op in api.operations if _callable(op))
    assert op.primary is not None and op.primary.example is not None and op.returns is not None
    _Canned.answer = (int(op.primary.status), op.primary.example)
    pkg = _package(folder)
    home, found = fresh(folder, _call_code(pkg, api, op, server))
    group = next(g for g in api.resource_modules if op in g.module_operations)
    returned = references(op.returns)
    expected = {f"{pkg}.models.{m}" for m in model_modules(api, returned)}
    assert (
        set(found)
        == {
            pkg,
            f"{pkg}.client",
            f"{pkg}._runtime",
            f"{pkg}.resources",
            f"{pkg}.resources.{group.module}",
            f"{pkg}.models",
        }
        | expected
    )
    assert home.startswith(f"{pkg}.models.")


def test_an_error_imports_the_model_of_its_body_only(server: str) -> None:
    _Canned.answer = (404, json.dumps({"statusCode": 404, "error": "no such customer"}))
    code = f"""
import codat_lending
client = codat_lending.Client(auth_header="x", base_url={server!r})
try:
    client.sales.customers.get("c", "d", "e")
except codat_lending.NotFoundError as error:
    caught = type(error.model).__name__
result = [caught, new_modules("codat_lending.models")]
"""
    caught, found = fresh(GENERATED / "codat-lending", code)
    assert caught == "ErrorMessage"
    assert found == ["codat_lending.models", "codat_lending.models.error_message"]


def test_threads_racing_to_make_the_core_share_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two threads that both find the core missing both make one; both then use the first
    kept, and the group they get is built on it."""
    sys.path.insert(0, str(GENERATED / "codat-lending"))
    try:
        import codat_lending
        from codat_lending import client as client_module
    finally:
        sys.path.remove(str(GENERATED / "codat-lending"))
    barrier = threading.Barrier(2)
    made = client_module.Client._new_core

    def slow_new_core(self: Any) -> Any:
        barrier.wait(5)  # both threads are past the "missing?" check
        return made(self)

    monkeypatch.setattr(client_module.Client, "_new_core", slow_new_core)
    client = codat_lending.Client(auth_header="x")
    cores: list[Any] = []
    threads = [threading.Thread(target=lambda: cores.append(client._core)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(cores) == 2 and cores[0] is cores[1] is client._core
    assert client.sales._core is client._core
