"""Auto-paging over cursor, page-number and next-URL lists, sync and async."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from runtime_server import (
    LocalServer,
    Recorded,
    Reply,
    async_client,
    cursor_pages,
    json_reply,
    next_url_pages,
    numbered_pages,
)

from generator.runtime import _runtime as rt

MakeClient = Callable[..., rt.ClientCore]
Fetch = Callable[[Any], rt.ApiResponse[Any]]

CURSOR_OP = rt.Operation("list-cursor", "GET", "/cursor")
PAGE_OP = rt.Operation("list-page", "GET", "/numbered")
NEXT_OP = rt.Operation("list-next", "GET", "/things")
SIZE = 5
# (items on the server, pages they fill): one page, two pages, many pages.
SHAPES = [(3, 1), (7, 2), (23, 5)]


def body(response: rt.Response) -> Any:
    return response.json()


def ids(items: Any) -> list[int]:
    return [item["id"] for item in items]


# A pager whose stop condition broke would fetch forever: fail instead of hanging.
RUNAWAY = 30


def runaway_guard() -> Callable[[], None]:
    calls = [0]

    def check() -> None:
        calls[0] += 1
        if calls[0] > RUNAWAY:
            raise AssertionError("the pager does not stop")

    return check


def cursor_fetch(client: rt.ClientCore) -> Fetch:
    guard = runaway_guard()

    def fetch(cursor: Any) -> rt.ApiResponse[Any]:
        guard()
        return client.call(CURSOR_OP, query=[("cursor", cursor), ("limit", SIZE)], parse=body)

    return fetch


def page_fetch(client: rt.ClientCore) -> Fetch:
    guard = runaway_guard()

    def fetch(page: Any) -> rt.ApiResponse[Any]:
        guard()
        return client.call(PAGE_OP, query=[("page", page), ("per_page", SIZE)], parse=body)

    return fetch


def next_fetch(client: rt.ClientCore) -> Fetch:
    guard = runaway_guard()

    def fetch(url: Any) -> rt.ApiResponse[Any]:
        guard()
        if url is None:
            return client.call(NEXT_OP, query=[("limit", SIZE)], parse=body)
        return client.call(NEXT_OP, url=url, parse=body)

    return fetch


@pytest.mark.parametrize(("count", "pages"), SHAPES)
def test_cursor_paging(
    server: LocalServer, make_client: MakeClient, count: int, pages: int
) -> None:
    server.route("/v1/cursor", cursor_pages(count, SIZE))
    items = rt.iterate_pages(
        cursor_fetch(make_client()),
        style="cursor",
        items=lambda data: data["data"],
        next_value="meta.next_cursor",
    )
    assert ids(items) == list(range(count))
    assert len(server.requests) == pages
    cursors = [request.query.get("cursor") for request in server.requests]
    assert cursors == [None] + [[f"c{SIZE * n}"] for n in range(1, pages)]


@pytest.mark.parametrize(("count", "pages"), SHAPES)
def test_page_number_paging_stops_at_the_first_empty_page(
    server: LocalServer, make_client: MakeClient, count: int, pages: int
) -> None:
    server.route("/v1/numbered", numbered_pages(count, SIZE))
    items = rt.iterate_pages(
        page_fetch(make_client()), style="page", items=lambda data: data["results"]
    )
    assert ids(items) == list(range(count))
    assert [request.query["page"] for request in server.requests] == [
        [str(n)] for n in range(1, pages + 2)
    ]


@pytest.mark.parametrize(("count", "pages"), SHAPES + [(10, 2)])
def test_page_number_paging_stops_at_the_total(
    server: LocalServer, make_client: MakeClient, count: int, pages: int
) -> None:
    server.route("/v1/numbered", numbered_pages(count, SIZE, with_total=True))
    items = rt.iterate_pages(
        page_fetch(make_client()), style="page", items=lambda data: data["results"], total="total"
    )
    assert ids(items) == list(range(count))
    assert len(server.requests) == pages == math.ceil(count / SIZE)


@pytest.mark.parametrize("absolute", [False, True])
@pytest.mark.parametrize(("count", "pages"), SHAPES)
def test_next_url_paging(
    server: LocalServer, make_client: MakeClient, count: int, pages: int, absolute: bool
) -> None:
    server.route("/v1/things", next_url_pages(count, SIZE, base=server.url if absolute else ""))
    items = rt.iterate_pages(
        next_fetch(make_client()),
        style="next_url",
        items=lambda data: data["items"],
        next_value="links.next",
    )
    assert ids(items) == list(range(count))
    assert [request.raw_query for request in server.requests] == [f"limit={SIZE}"] + [
        f"offset={SIZE * n}" for n in range(1, pages)
    ]


@pytest.mark.parametrize("style", ["cursor", "page", "next_url"])
def test_max_pages(server: LocalServer, make_client: MakeClient, style: str) -> None:
    server.route("/v1/cursor", cursor_pages(50, SIZE))
    server.route("/v1/numbered", numbered_pages(50, SIZE))
    server.route("/v1/things", next_url_pages(50, SIZE))
    client = make_client()
    fetch, key, following = {
        "cursor": (cursor_fetch(client), "data", "meta.next_cursor"),
        "page": (page_fetch(client), "results", None),
        "next_url": (next_fetch(client), "items", "links.next"),
    }[style]
    items = rt.iterate_pages(
        fetch,
        style=style,  # type: ignore[arg-type]
        items=lambda data: data[key],
        next_value=following,
        max_pages=3,
    )
    assert ids(items) == list(range(15))
    assert len(server.requests) == 3


def test_paging_is_lazy(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/cursor", cursor_pages(23, SIZE))
    items = rt.iterate_pages(
        cursor_fetch(make_client()),
        style="cursor",
        items=lambda data: data["data"],
        next_value="meta.next_cursor",
    )
    assert server.requests == []
    assert next(items) == {"id": 0}
    assert len(server.requests) == 1
    for _ in range(SIZE):
        next(items)
    assert len(server.requests) == 2


def test_page_style_with_a_has_more_flag_and_a_custom_start(
    server: LocalServer, make_client: MakeClient
) -> None:
    def handle(request: Recorded) -> Reply:
        page = int(request.query["page"][0])
        return json_reply({"results": [{"id": page}], "has_more": page < 2})

    server.route("/v1/numbered", handle)
    items = rt.iterate_pages(
        page_fetch(make_client()),
        style="page",
        items=lambda data: data["results"],
        next_value="has_more",
        start=0,
    )
    assert ids(items) == [0, 1, 2]
    assert [request.query["page"] for request in server.requests] == [["0"], ["1"], ["2"]]


def test_callable_next_value_can_read_headers(server: LocalServer, make_client: MakeClient) -> None:
    def handle(request: Recorded) -> Reply:
        offset = int(request.query.get("cursor", ["0"])[0])
        headers = [("X-Next", str(offset + 1))] if offset < 2 else []
        return json_reply({"data": [{"id": offset}]}, headers=headers)

    server.route("/v1/cursor", handle)
    items = rt.iterate_pages(
        cursor_fetch(make_client()),
        style="cursor",
        items=lambda data: data["data"],
        next_value=lambda page: page.headers.get("X-Next"),
    )
    assert ids(items) == [0, 1, 2]


def test_a_repeated_cursor_stops_paging(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/cursor", json_reply({"data": [{"id": 1}], "meta": {"next_cursor": "same"}}))
    items = rt.iterate_pages(
        cursor_fetch(make_client()),
        style="cursor",
        items=lambda data: data["data"],
        next_value="meta.next_cursor",
    )
    assert ids(items) == [1, 1]
    assert len(server.requests) == 2


def test_a_cursor_that_is_not_a_string_is_an_error(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/cursor", json_reply({"data": [], "meta": {"next_cursor": {"a": 1}}}))
    items = rt.iterate_pages(
        cursor_fetch(make_client()),
        style="cursor",
        items=lambda data: data["data"],
        next_value="meta.next_cursor",
    )
    with pytest.raises(rt.ClientError, match="dict"):
        list(items)


def test_page_responses(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/cursor", cursor_pages(12, SIZE))
    pages = rt.iterate_page_responses(
        cursor_fetch(make_client()),
        style="cursor",
        items=lambda data: data["data"],
        next_value="meta.next_cursor",
    )
    collected = list(pages)
    assert [len(page.data["data"]) for page in collected] == [5, 5, 2]
    assert all(isinstance(page, rt.ApiResponse) and page.status == 200 for page in collected)


@pytest.mark.parametrize(
    "options",
    [
        {"style": "cursor"},
        {"style": "next_url"},
        {"style": "cursor", "next_value": "n", "total": "t"},
        {"style": "page", "max_pages": 0},
        {"style": "sideways"},
    ],
)
def test_bad_paging_arguments_fail_immediately(options: dict[str, Any]) -> None:
    calls: list[Any] = []

    def fetch(token: Any) -> rt.ApiResponse[Any]:
        calls.append(token)
        raise AssertionError("not reached")

    with pytest.raises(ValueError):
        rt.iterate_pages(fetch, items=lambda data: data, **options)
    assert calls == []


# --- async -----------------------------------------------------------------------------------


async def collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


def run_async_paging(server: LocalServer, style: str, max_pages: int | None = None) -> list[Any]:
    async def main() -> list[Any]:
        async with async_client(server, []) as client:
            guard = runaway_guard()

            async def fetch(token: Any) -> rt.ApiResponse[Any]:
                guard()
                if style == "cursor":
                    query: list[Any] = [("cursor", token), ("limit", SIZE)]
                    return await client.call(CURSOR_OP, query=query, parse=body)
                if style == "page":
                    query = [("page", token), ("per_page", SIZE)]
                    return await client.call(PAGE_OP, query=query, parse=body)
                if token is None:
                    return await client.call(NEXT_OP, query=[("limit", SIZE)], parse=body)
                return await client.call(NEXT_OP, url=token, parse=body)

            key, following = {
                "cursor": ("data", "meta.next_cursor"),
                "page": ("results", None),
                "next_url": ("items", "links.next"),
            }[style]
            return await collect(
                rt.aiterate_pages(
                    fetch,
                    style=style,  # type: ignore[arg-type]
                    items=lambda data: data[key],
                    next_value=following,
                    max_pages=max_pages,
                )
            )

    return asyncio.run(main())


@pytest.fixture
def paged_server(server: LocalServer) -> Iterator[Callable[[int], None]]:
    def load(count: int) -> None:
        server.route("/v1/cursor", cursor_pages(count, SIZE))
        server.route("/v1/numbered", numbered_pages(count, SIZE))
        server.route("/v1/things", next_url_pages(count, SIZE))

    yield load


@pytest.mark.parametrize("style", ["cursor", "page", "next_url"])
@pytest.mark.parametrize(("count", "pages"), SHAPES)
def test_async_paging(
    server: LocalServer,
    paged_server: Callable[[int], None],
    style: str,
    count: int,
    pages: int,
) -> None:
    paged_server(count)
    assert ids(run_async_paging(server, style)) == list(range(count))
    assert len(server.requests) == pages + (1 if style == "page" else 0)


@pytest.mark.parametrize("style", ["cursor", "page", "next_url"])
def test_async_max_pages(
    server: LocalServer, paged_server: Callable[[int], None], style: str
) -> None:
    paged_server(50)
    assert ids(run_async_paging(server, style, max_pages=2)) == list(range(10))
    assert len(server.requests) == 2


def test_async_page_responses(server: LocalServer) -> None:
    server.route("/v1/cursor", cursor_pages(7, SIZE))

    async def main() -> list[int]:
        async with async_client(server, []) as client:
            guard = runaway_guard()

            async def fetch(token: Any) -> rt.ApiResponse[Any]:
                guard()
                return await client.call(CURSOR_OP, query=[("cursor", token)], parse=body)

            pages = rt.aiterate_page_responses(
                fetch, style="cursor", items=lambda d: d["data"], next_value="meta.next_cursor"
            )
            return [len(page.data["data"]) async for page in pages]

    assert asyncio.run(main()) == [5, 2]
