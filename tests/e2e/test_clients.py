"""End-to-end tests of every generated client against Prism, over real HTTP on 127.0.0.1.

Every spec in ``specs/`` and every operation in it is discovered at collection time (see
``client_calls.py``), so a new spec or operation is covered without editing this file:

* static mode: each operation is called through its generated method with the spec's
  parameter and request body examples; Prism must report no violation (problem+json,
  ``sl-violations`` header, or its log), the request on the wire must match the spec, and the
  result must be the declared model, equal to the example Prism served;
* dynamic mode (``prism mock -d`` with fixed seeds): each operation's generated data must
  parse, and ``Model.from_dict(d).to_dict() == d``;
* error paths: every documented error status (``Prefer: code=NNN``; ``4XX``/``default`` via
  representative codes) must raise the right ``ApiError`` subclass carrying the status and
  the declared error model, equal to the served example;
* pagination: each ``x-clientgen-pagination`` operation's ``<method>_iter`` must yield typed
  items and stop as the README documents.

One Prism process per spec serves the static tests, one per spec and seed the dynamic ones;
the module-scoped ``prisms`` fixture starts them several at a time when first needed, keeps
the dynamic ones of one spec at a time, and stops every server it started. A local stdlib
server answers the one test whose responses Prism cannot serve (malformed values in a 2xx
body).

``CLIENTGEN_E2E_GENERATED=/some/dir`` runs the same tests against another folder of generated
projects (e.g. a deliberately broken copy, to see the tests fail).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import typing
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .client_calls import (
    MISSING,
    CallArguments,
    OperationCase,
    Project,
    Recorder,
    assert_fields_mapped,
    assert_same_json,
    bound_method,
    call_arguments,
    check_request,
    corrupt_formatted,
    discover_operations,
    discover_projects,
    dig,
    dump,
    expected_pages,
    load_package,
    make_client,
    model_class_for,
    norm,
    submodule,
    type_hints,
)
from .prism import PrismNotInstalledError, PrismServer, PrismStartError, find_violations, prefer

PROJECTS = discover_projects()
OPERATIONS = discover_operations(PROJECTS)
DYNAMIC_SEEDS = ("clientgen-e2e-1", "clientgen-e2e-2", "clientgen-e2e-3")
"""Each seed is one Prism process per spec; each operation is called twice per seed."""
DYNAMIC_CALLS_PER_SEED = 2
MAX_PAGES = 3


# -- Prism servers ---------------------------------------------------------------------------------


class PrismPool:
    """Prism servers keyed by (spec, seed), started on first use, several at once.

    The first static request starts the static servers of every spec in parallel; they live
    until the pool closes. The first dynamic request for a spec starts its servers for every
    seed in parallel and stops the dynamic servers of the other specs (the dynamic tests run
    spec by spec), so at most ``len(specs) + len(seeds)`` processes are alive.
    """

    def __init__(self, projects: list[Project], seeds: tuple[str, ...]) -> None:
        self.projects = projects
        self.seeds = seeds
        self._servers: dict[tuple[str, str | None], PrismServer] = {}
        self._failures: dict[tuple[str, str | None], str] = {}

    def get(self, project: Project, *, seed: str | None = None) -> PrismServer:
        """The static server of ``project``, or its dynamic one for ``seed``."""
        key = (project.name, seed)
        server = self._servers.get(key)
        if server is not None and not server.running:  # it died: collect it, start anew
            self._servers.pop(key).stop()
            server = None
        if server is None and key not in self._failures:
            wanted: list[tuple[Project, str | None]]
            if seed is None:
                wanted = [(p, None) for p in self.projects]
            else:
                for other in [k for k in self._servers if k[1] is not None and k[0] != key[0]]:
                    self._servers.pop(other).stop()
                wanted = [(project, s) for s in dict.fromkeys((*self.seeds, seed))]
            self._start([(p, s) for p, s in wanted if (p.name, s) not in self._servers])
            server = self._servers.get(key)
        if server is None:
            pytest.fail(self._failures[key], pytrace=False)
        return server

    def _start(self, wanted: list[tuple[Project, str | None]]) -> None:
        def start(project: Project, seed: str | None) -> None:
            key = (project.name, seed)
            server = PrismServer(project.spec_path, dynamic=seed is not None, seed=seed)
            try:
                server.start()
            except (PrismNotInstalledError, PrismStartError) as err:
                self._failures[key] = str(err)
            else:
                self._servers[key] = server

        threads = [threading.Thread(target=start, args=pair) for pair in wanted]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def close(self) -> None:
        while self._servers:
            _, server = self._servers.popitem()
            server.stop()


@pytest.fixture(scope="module")
def prisms() -> Iterator[PrismPool]:
    pool = PrismPool(PROJECTS, DYNAMIC_SEEDS)
    try:
        yield pool
    finally:
        pool.close()


# -- parametrization -----------------------------------------------------------------------------


def _op_params(cases: list[OperationCase]) -> list[Any]:
    return [pytest.param(case, id=case.id) for case in cases]


ERROR_CASES = [
    pytest.param(case, key, status, id=f"{case.id}:{key}->{status}")
    for case in OPERATIONS
    for key, status in case.error_statuses()
]
DYNAMIC_CASES = [
    pytest.param(case, id=case.id)
    for project in PROJECTS
    for case in OPERATIONS
    if case.project is project
]
MIN_VALID_SEEDS = 2
"""Seeds whose data Prism itself generated against its schema may be set aside, not more."""


def prism_broke_its_own_schema(recorder: Recorder) -> list[str]:
    """The violations of a 500 that Prism sent because the data *it generated* breaks the
    schema (every violation on the response side): a mock-server limit, e.g. with deep
    recursion, not a client fault. Empty when that is not what happened."""
    if len(recorder.responses) != 1 or recorder.responses[0].status != 500:
        return []
    response = recorder.responses[0]
    found = find_violations(response.status, dict(response.headers), response.body)
    if found and all(v.location[:1] == ("response",) for v in found):
        return [str(v) for v in found]
    return []


PAGINATED = [case for case in OPERATIONS if case.pagination is not None]

ERROR_CLASSES = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}


def expected_error_class(status: int) -> str:
    """The README's mapping of statuses to ``ApiError`` subclasses."""
    if 500 <= status <= 599:
        return "ServerError"
    return ERROR_CLASSES.get(status, "ApiError")


# -- helpers -----------------------------------------------------------------------------------------


def prepare(case: OperationCase) -> Any:
    if case.skipped_reason is not None:
        pytest.skip(f"clientgen skipped this operation: {case.skipped_reason}")
    return load_package(case.project)


def return_class(case: OperationCase, package: Any) -> Any:
    """The method's declared return type; for a ``$ref`` schema, also checked by name."""
    declared = declared_return(case, package)
    schema = case.response_schema(case.success_status)
    by_name = model_class_for(case, schema, package)
    if by_name is not None:
        assert declared is by_name, (
            f"{case.id}: the method returns {declared}, but the {case.success_status} response "
            f"schema is {schema['$ref']} ({by_name})"
        )
    return declared


def check_instance(value: Any, declared: Any, what: str) -> None:
    origin = typing.get_origin(declared)
    if declared is type(None):
        assert value is None, f"{what}: expected None, got {value!r}"
    elif origin is list:
        assert isinstance(value, list), f"{what}: expected a list, got {type(value)}"
        (inner,) = typing.get_args(declared)
        for index, item in enumerate(value):
            check_instance(item, inner, f"{what}[{index}]")
    elif isinstance(declared, type):
        assert isinstance(value, declared), f"{what}: {type(value)} is not a {declared}"


FLAVORS = ("sync", "async")


def flavor_of(package: Any, flavor: str) -> None:
    if flavor == "async" and not hasattr(package, "AsyncClient"):
        pytest.skip("this generated package has no AsyncClient")


def invoke(
    package: Any,
    base_url: str,
    recorder: Recorder,
    case: OperationCase,
    flavor: str,
    suffix: str,
    build: Callable[[Any], CallArguments],
    **extra: Any,
) -> tuple[CallArguments, Any]:
    """Call ``<method><suffix>`` on a fresh Client or AsyncClient; an ``_iter`` is drained."""
    if flavor == "sync":
        with make_client(package, base_url, recorder) as client:
            method = bound_method(client, case, suffix)
            args = build(method)
            result = method(**args.kwargs, **extra)
            return args, list(result) if suffix == "_iter" else result

    async def main() -> tuple[CallArguments, Any]:
        async with make_client(package, base_url, recorder, flavor="async") as client:
            method = bound_method(client, case, suffix)
            args = build(method)
            result = method(**args.kwargs, **extra)
            if suffix == "_iter":
                return args, [item async for item in result]
            return args, await result

    return asyncio.run(main())


def call_once(
    prism: PrismServer,
    case: OperationCase,
    package: Any,
    recorder: Recorder,
    *,
    flavor: str = "sync",
    suffix: str = "",
) -> Any:
    """Call the operation with its examples and return the result.

    Asserts exactly one HTTP exchange, the request on the wire, and no violation in the
    response or in Prism's log; checked on the error path too.
    """
    built: list[CallArguments] = []

    def build(method: Any) -> CallArguments:
        built.append(call_arguments(case, method))
        return built[-1]

    mark = prism.log_mark()
    try:
        _, result = invoke(package, prism.base_url, recorder, case, flavor, suffix, build)
    except package.ClientError:
        raise
    except Exception as exc:
        if isinstance(exc, AssertionError):
            raise
        raise AssertionError(
            f"{case.id}: the client raised {type(exc).__module__}.{type(exc).__qualname__}, "
            f"which is not one of its documented ClientError subclasses: {exc!r}"
        ) from exc
    finally:
        # Also on the error path: a wrong request must not pass as an expected ApiError.
        recorder.assert_no_violations()
        prism.assert_no_logged_violations(mark)
        for request in recorder.requests:
            check_request(case, request, built[0])
    assert len(recorder.responses) == 1, f"{case.id}: {len(recorder.responses)} exchanges"
    return result


def declared_return(case: OperationCase, package: Any, suffix: str = "") -> Any:
    """The return type hint of the sync method (async methods declare the same)."""
    with make_client(package, "http://127.0.0.1:9", Recorder()) as client:
        return type_hints(bound_method(client, case, suffix))["return"]


# -- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("project", [pytest.param(p, id=p.name) for p in PROJECTS])
def test_manifest_lists_every_operation_of_the_spec(project: Project) -> None:
    in_spec = {case.operation_id for case in OPERATIONS if case.project is project}
    manifest = project.manifest
    listed = set(manifest.get("operations", {}))
    skipped = {
        op for op in in_spec if any(op in json.dumps(s) for s in manifest.get("skipped", []))
    }
    assert listed | skipped == in_spec, (
        f"missing from clientgen.json: {sorted(in_spec - listed - skipped)}; "
        f"unknown to the spec: {sorted(listed - in_spec)}"
    )
    package = load_package(project)
    assert submodule(package, "client").Client is package.Client


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("case", _op_params(OPERATIONS))
def test_operation_returns_the_served_example(
    prisms: PrismPool, case: OperationCase, flavor: str
) -> None:
    package = prepare(case)
    flavor_of(package, flavor)
    prism = prisms.get(case.project)
    recorder = Recorder()
    result = call_once(prism, case, package, recorder, flavor=flavor)

    response = recorder.responses[0]
    status = case.success_status
    assert response.status == int(status), f"{case.id}: HTTP {response.status}, expected {status}"
    declared = return_class(case, package)
    check_instance(result, declared, case.id)
    served = response.json()
    example = case.response_example(status)
    if example is not MISSING:
        assert served == example, f"{case.id}: Prism did not serve the spec's {status} example"
    schema = case.response_schema(status)
    if served is None:
        assert result is None, f"{case.id}: empty body, but the method returned {result!r}"
    else:
        assert_same_json(case.project, dump(result), served, schema, f"{case.id} result")
    assert_fields_mapped(result, case.id)

    # <method>_with_response: the same data plus status and headers.
    recorder = Recorder()
    full = call_once(prism, case, package, recorder, flavor=flavor, suffix="_with_response")
    assert full.status == int(status)
    assert full.headers.get("content-type") == response.headers.get("content-type")
    assert full.raw.body == response.body
    assert dump(full.data) == dump(result)


@pytest.mark.parametrize("case", DYNAMIC_CASES)
def test_dynamic_responses_parse_and_round_trip(prisms: PrismPool, case: OperationCase) -> None:
    package = prepare(case)
    status = case.success_status
    schema = case.response_schema(status)
    declared = return_class(case, package)
    set_aside: dict[str, list[str]] = {}
    for seed in DYNAMIC_SEEDS:
        prism = prisms.get(case.project, seed=seed)
        bodies = []
        for _ in range(DYNAMIC_CALLS_PER_SEED):
            recorder = Recorder()
            try:
                result = call_once(prism, case, package, recorder)
            except (AssertionError, package.ClientError):
                broken = prism_broke_its_own_schema(recorder)
                if not broken:
                    raise
                set_aside[seed] = broken
                break
            response = recorder.responses[0]
            assert response.status == int(status)
            check_instance(result, declared, case.id)
            data = response.json()
            bodies.append(response.body)
            if data is None:
                assert result is None
                continue
            assert_same_json(case.project, dump(result), data, schema, f"{case.id} result")
            assert_fields_mapped(result, case.id)
            if hasattr(declared, "from_dict"):
                again = declared.from_dict(data)
                assert_same_json(
                    case.project, again.to_dict(), data, schema, f"{case.id} round trip"
                )
                assert_same_json(
                    case.project,
                    declared.from_dict(again.to_dict()).to_dict(),
                    data,
                    schema,
                    f"{case.id} second round trip",
                )
        if seed not in set_aside:
            assert len(set(bodies)) == 1, f"{case.id}: seed {seed} gave different data"
    valid = len(DYNAMIC_SEEDS) - len(set_aside)
    assert (
        valid >= MIN_VALID_SEEDS
    ), f"{case.id}: only {valid} seed(s) gave data Prism's own schema accepts: " + "; ".join(
        f"{seed}: {v[0]} (+{len(v) - 1} more)" for seed, v in set_aside.items()
    )


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize(("case", "key", "status"), ERROR_CASES)
def test_error_status_raises_the_typed_error(
    prisms: PrismPool, case: OperationCase, key: str, status: int, flavor: str
) -> None:
    package = prepare(case)
    flavor_of(package, flavor)
    prism = prisms.get(case.project)
    assert case.error_key_for(status) == key
    recorder = Recorder(prefer(code=status))
    expected_cls = getattr(package, expected_error_class(status))
    with pytest.raises(package.ApiError) as info:
        call_once(prism, case, package, recorder, flavor=flavor)
    error = info.value
    assert (
        type(error) is expected_cls
    ), f"{case.id}: HTTP {status} raised {type(error).__name__}, expected {expected_cls.__name__}"
    assert len(recorder.responses) == 1, "the error was retried (retries are off)"
    response = recorder.responses[0]
    assert error.status == status == response.status
    assert error.body == response.body
    assert error.operation_id == case.operation_id
    assert str(status) in str(error)

    served = response.json()
    example = case.response_example(key)
    if example is not MISSING:
        assert served == example, f"{case.id}: Prism did not serve the spec's {key} example"
    schema = case.response_schema(key)
    model_cls = model_class_for(case, schema, package)
    if served is None:
        assert error.model is None
        return
    assert error.model is not None, f"{case.id}: HTTP {status} body was not parsed: {served}"
    if model_cls is not None:
        assert isinstance(
            error.model, model_cls
        ), f"{case.id}: error model {type(error.model).__name__}, expected {model_cls.__name__}"
    assert_same_json(case.project, dump(error.model), served, schema, f"{case.id} error model")
    assert_fields_mapped(error.model, case.id)


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("case", _op_params(PAGINATED))
def test_pagination_yields_typed_items_and_stops(
    prisms: PrismPool, case: OperationCase, flavor: str
) -> None:
    package = prepare(case)
    flavor_of(package, flavor)
    prism = prisms.get(case.project)
    hint = case.pagination
    assert hint is not None
    leave_out = [hint["param"]] if "param" in hint else []

    def build(method: Any) -> CallArguments:
        return call_arguments(case, method, leave_out=leave_out)

    item_type = typing.get_args(declared_return(case, package, "_iter"))[0]
    recorder = Recorder()
    mark = prism.log_mark()
    try:
        args, items = invoke(
            package, prism.base_url, recorder, case, flavor, "_iter", build, max_pages=MAX_PAGES
        )
    finally:
        recorder.assert_no_violations()
        prism.assert_no_logged_violations(mark)

    status = case.success_status
    served = [response.json() for response in recorder.responses]
    assert served, f"{case.id}: no page fetched"
    pages = expected_pages(hint, lambda n: served[min(n, len(served) - 1)], MAX_PAGES)
    assert len(recorder.responses) == pages, (
        f"{case.id}: fetched {len(recorder.responses)} page(s); the documented rules give {pages} "
        f"for these pages: {[dig(body, hint.get('next', '') or '') for body in served]}"
    )
    for response in recorder.responses:
        assert response.status == int(status)
        assert response.body == recorder.responses[0].body  # static mode: the same page
    expected_items = [item for body in served for item in dig(body, hint["items"]) or []]
    assert len(items) == len(expected_items)
    item_schema = _item_schema(case, hint["items"])
    for index, (item, raw) in enumerate(zip(items, expected_items)):
        check_instance(item, item_type, f"{case.id} item {index}")
        assert_same_json(case.project, dump(item), raw, item_schema, f"{case.id} item {index}")
        assert_fields_mapped(item, f"{case.id} item {index}")

    # Each request is the first one's, plus the page number, cursor or next URL.
    style = hint["style"]
    for number, request in enumerate(recorder.requests, start=1):
        sent = dict(args.sent)
        if style == "page":
            sent[("query", hint["param"])] = number
        elif number > 1 and style == "cursor":
            sent[("query", hint["param"])] = dig(served[number - 2], hint["next"])
        elif number > 1:  # next_url: the URL of the previous page, resolved on the base URL
            assert request.url.endswith(str(dig(served[number - 2], hint["next"])))
            continue
        check_request(case, request, dataclasses.replace(args, sent=sent))

    # max_pages=1: exactly one request.
    recorder.clear()
    _, one = invoke(package, prism.base_url, recorder, case, flavor, "_iter", build, max_pages=1)
    assert len(recorder.requests) == 1
    assert [dump(item) for item in one] == [dump(item) for item in items[: len(one)]]
    assert len(one) == len(dig(served[0], hint["items"]) or [])


CORRUPTED_FORMATS = ("date-time", "date", "decimal")


def _corrupt_cases() -> list[Any]:
    out = []
    for case in OPERATIONS:
        example = case.response_example(case.success_status)
        if example is MISSING:
            continue
        schema = case.response_schema(case.success_status)
        for fmt in CORRUPTED_FORMATS:
            _, count = corrupt_formatted(case.project, example, schema, fmt)
            if count:
                out.append(pytest.param(case, fmt, id=f"{case.id}:{fmt}"))
    return out


class _FixedAnswer(BaseHTTPRequestHandler):
    """Answers every request with the server's ``answer`` (status, JSON body)."""

    server: Any

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def fixed_server() -> Iterator[Any]:
    """A plain HTTP server on 127.0.0.1 answering whatever ``server.answer`` says."""
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _FixedAnswer)
    server.answer = (200, b"{}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(("case", "fmt"), _corrupt_cases())
def test_malformed_formatted_value_raises_response_decode_error(
    fixed_server: Any, case: OperationCase, fmt: str
) -> None:
    """A 2xx body whose ``fmt`` strings are garbage raises ResponseDecodeError, a ClientError.

    Prism cannot serve this (it would flag its own response), so a local server does.
    """
    package = prepare(case)
    status = case.success_status
    body, _ = corrupt_formatted(
        case.project, case.response_example(status), case.response_schema(status), fmt
    )
    fixed_server.answer = (int(status), json.dumps(body).encode())
    base_url = f"http://127.0.0.1:{fixed_server.server_address[1]}"
    recorder = Recorder()
    with pytest.raises(Exception) as info:
        invoke(package, base_url, recorder, case, "sync", "", lambda m: call_arguments(case, m))
    error = info.value
    assert isinstance(error, package.ResponseDecodeError), (
        f"{case.id}: a malformed {fmt} value raised {type(error).__module__}."
        f"{type(error).__qualname__} ({error!r}), not ResponseDecodeError"
    )
    assert error.status == int(status)
    assert error.operation_id == case.operation_id
    assert len(recorder.responses) == 1


def _query(url: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def _item_schema(case: OperationCase, dotted: str) -> Any:
    """The schema of one item of the page's ``items`` array (for canonical comparison)."""
    from .client_calls import _schema_parts

    schema: Any = case.response_schema(case.success_status)
    for part in dotted.split("."):
        merged: dict[str, Any] = {}
        for piece in _schema_parts(case.project, schema):
            merged.update(piece.get("properties") or {})
        schema = merged.get(part, {})
    items = [p["items"] for p in _schema_parts(case.project, schema) if "items" in p]
    return {"anyOf": items} if items else {}


def test_discovery_found_every_spec_and_operation() -> None:
    assert PROJECTS, "no spec in specs/"
    for project in PROJECTS:
        assert any(case.project is project for case in OPERATIONS), f"{project.name}: no operation"
    ids = [case.id for case in OPERATIONS]
    assert len(ids) == len(set(ids)), "duplicate operation ids"
    assert all(norm(case.operation_id) for case in OPERATIONS)
