"""Every generated client's auto-paging against its vendor's real page shape, over HTTP.

A local server (127.0.0.1, started and stopped by the fixture) serves each paginated operation
of each spec in `specs/`: the envelope is the spec's own 200 example, with the items and the
next cursor / page totals rewritten to spread ITEMS items over several pages. The generated
`<method>_iter` (sync and async) must yield every item, in order, and stop by itself.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import json
import sys
import threading
from dataclasses import dataclass
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.loader import load
from generator.model import ir
from generator.parser.build import build
from tests.conftest import GENERATED, SPECS

ITEMS = 5
PAGE_SIZE = 2


def _paginated() -> list[tuple[Path, ir.Api, ir.Operation]]:
    cases = []
    for spec in SPECS:
        api = build(load(spec), spec.stem)
        cases += [(spec, api, op) for op in api.operations if op.pagination]
    return cases


CASES = _paginated()


def _set(obj: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        obj = obj.setdefault(part, {})
    obj[last] = value


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = obj[part]
    return obj


class Pager:
    """Serves one operation's pages; records the requests it got."""

    def __init__(self, op: ir.Operation, example: dict[str, Any]) -> None:
        assert op.pagination is not None
        self.op = op
        self.pg = op.pagination
        self.example = example
        template = _get(example, self.pg.items_path)[0]
        self.items = []
        for n in range(ITEMS):
            item = copy.deepcopy(template)
            item["__marker"] = n  # an unknown key: kept by the models, so items stay tellable
            self.items.append(item)
        self.requests: list[dict[str, list[str]]] = []

    def page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        self.requests.append(query)
        pg = self.pg
        wire = {p.name: p.wire_name for p in self.op.parameters}
        if pg.style == "page":
            index = int(query.get(wire[pg.param or ""], ["1"])[0]) - 1
        else:
            token = query.get(wire[pg.param or ""], [""])[0]
            index = int(token[1:]) if token.startswith("c") else 0
        start = index * PAGE_SIZE
        body = copy.deepcopy(self.example)
        _set(body, pg.items_path, self.items[start : start + PAGE_SIZE])
        more = start + PAGE_SIZE < ITEMS
        if pg.style == "cursor" and pg.next:
            _set(body, pg.next, f"c{index + 1}" if more else None)
        if pg.total:
            _set(body, pg.total, ITEMS)
        return body


class _Handler(BaseHTTPRequestHandler):
    pager: Pager

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        query = parse_qs(urlsplit(self.path).query)
        data = json.dumps(self.server.pager.page(query)).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def _client_module(api: ir.Api) -> Any:
    root = str(GENERATED / api.project)
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(api.package)


def _required_arguments(op: ir.Operation) -> dict[str, Any]:
    args = {}
    for p in op.parameters:
        if p.required:
            assert p.constraints.example is not None, f"{p.wire_name} needs an example"
            args[p.name] = json.loads(p.constraints.example)
    return args


def _method(client: Any, op: ir.Operation) -> Any:
    target = client
    for part in op.group:
        target = getattr(target, part)
    return getattr(target, op.method_name + "_iter")


@dataclass(frozen=True)
class Served:
    api: ir.Api
    client_module: Any
    base_url: str
    pager: Pager

    def arguments(self, **extra: Any) -> dict[str, Any]:
        return {**_required_arguments(self.pager.op), **extra}

    def credentials(self) -> dict[str, Any]:
        creds = {arg: "secret" for s in self.api.security for arg in s.arguments}
        return {"base_url": self.base_url, **creds}


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    spec, api, op = request.param
    success = op.success[0]
    assert success.example is not None, f"{op.operation_id}: the 200 response needs an example"
    pager = Pager(op, json.loads(success.example))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.pager = pager  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
        yield Served(api, _client_module(api), base_url, pager)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


IDS = [f"{api.project}-{op.operation_id}" for _, api, op in CASES]


def _markers(items: list[Any]) -> list[int]:
    return [item.additional_properties["__marker"] for item in items]


@pytest.mark.parametrize("served", CASES, ids=IDS, indirect=True)
def test_sync_auto_paging_yields_every_item(served: Served) -> None:
    with served.client_module.Client(**served.credentials()) as client:
        items = list(_method(client, served.pager.op)(**served.arguments()))
    assert _markers(items) == list(range(ITEMS))
    assert len(served.pager.requests) == -(-ITEMS // PAGE_SIZE)


@pytest.mark.parametrize("served", CASES, ids=IDS, indirect=True)
def test_async_auto_paging_yields_every_item(served: Served) -> None:
    async def collect() -> list[Any]:
        async with served.client_module.AsyncClient(**served.credentials()) as client:
            return [i async for i in _method(client, served.pager.op)(**served.arguments())]

    assert _markers(asyncio.run(collect())) == list(range(ITEMS))


@pytest.mark.parametrize("served", CASES, ids=IDS, indirect=True)
def test_max_pages_bounds_the_requests(served: Served) -> None:
    with served.client_module.Client(**served.credentials()) as client:
        items = list(_method(client, served.pager.op)(**served.arguments(max_pages=2)))
    assert _markers(items) == list(range(2 * PAGE_SIZE))
    assert len(served.pager.requests) == 2


def test_every_seed_pagination_style_is_covered() -> None:
    styles = {(api.project, op.pagination.style) for _, api, op in CASES if op.pagination}
    assert styles == {
        ("apideck-ecommerce", "cursor"),
        ("codat-lending", "page"),
        ("square", "cursor"),
        ("telness-connect", "cursor"),
    }
