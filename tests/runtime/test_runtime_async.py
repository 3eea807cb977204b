"""AsyncClientCore and AsyncHttpTransport against the local test server (via asyncio.run)."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, TypeVar

import pytest
from runtime_server import (
    FakeClock,
    FixedRandom,
    LocalServer,
    Reply,
    TokenEndpoint,
    async_client,
    free_port,
    json_reply,
)

from generator.runtime import _runtime as rt

T = TypeVar("T")

GET_ITEM = rt.Operation("get-item", "GET", "/items/{id}")
LIST_ITEMS = rt.Operation("list-items", "GET", "/items")
CREATE_ITEM = rt.Operation("create-item", "POST", "/items")


def body(response: rt.Response) -> Any:
    return response.json()


def run_with(
    server: LocalServer,
    use: Callable[[rt.AsyncClientCore], Awaitable[T]],
    sleeps: list[float] | None = None,
    **options: Any,
) -> T:
    """Run ``use(client)`` in a fresh event loop with a client that is closed afterwards."""

    async def main() -> T:
        async with async_client(server, sleeps if sleeps is not None else [], **options) as client:
            return await use(client)

    return asyncio.run(main())


def test_async_call_builds_the_request_and_parses_json(server: LocalServer) -> None:
    server.route("/v1/items/a%2Fb%20c", json_reply({"id": 1}, status=201, headers=[("X-A", "1")]))
    statuses: list[int] = []

    async def use(client: rt.AsyncClientCore) -> rt.ApiResponse[Any]:
        return await client.call(
            rt.Operation("put-item", "PUT", "/items/{id}"),
            path={"id": "a/b c"},
            query=[rt.QueryParam("f", {"a": {"b": 1}}, "deepObject"), ("n", None)],
            headers=[("X-Trace", "t")],
            json_body={"name": "x"},
            parse=body,
        )

    result = run_with(server, use, after_response=lambda r: statuses.append(r.status))
    assert (result.status, result.data, result.headers["x-a"]) == (201, {"id": 1}, "1")
    [seen] = server.requests
    assert (seen.method, seen.path, seen.raw_query) == ("PUT", "/v1/items/a%2Fb%20c", "f[a][b]=1")
    assert seen.body == b'{"name":"x"}' and seen.header("Content-Type") == "application/json"
    assert seen.header("X-Trace") == "t" and seen.header("Host") == f"127.0.0.1:{server.port}"
    assert statuses == [201]


def test_async_retries_with_exact_backoff(server: LocalServer) -> None:
    server.route("/v1/items", Reply(status=503), Reply(status=500), json_reply(["ok"]))
    sleeps: list[float] = []

    async def use(client: rt.AsyncClientCore) -> Any:
        return (await client.call(LIST_ITEMS, parse=body)).data

    assert run_with(server, use, sleeps, rng=FixedRandom(0.0, 1.0)) == ["ok"]
    assert sleeps == pytest.approx([0.45, 1.1])
    assert len(server.requests) == 3


def test_async_retry_after_both_forms(server: LocalServer) -> None:
    now = 1_700_000_000
    server.route(
        "/v1/items",
        Reply(status=429, headers=[("Retry-After", "3")]),
        Reply(status=503, headers=[("Retry-After", formatdate(now + 9, usegmt=True))], date=False),
        json_reply([]),
    )
    sleeps: list[float] = []

    async def use(client: rt.AsyncClientCore) -> Any:
        return await client.call(LIST_ITEMS, parse=body)

    run_with(server, use, sleeps, wall_clock=lambda: float(now))
    assert sleeps == [3.0, 9.0]


def test_async_post_is_not_retried_unless_idempotent(server: LocalServer) -> None:
    server.route("/v1/items", Reply(status=502), json_reply({}, status=201))
    sleeps: list[float] = []

    async def use(client: rt.AsyncClientCore) -> int:
        with pytest.raises(rt.ServerError):
            await client.call(CREATE_ITEM, json_body={}, parse=body)
        server.route("/v1/items", Reply(status=502), json_reply({}, status=201))
        op = rt.Operation("create-item", "POST", "/items", idempotent=True)
        return (await client.call(op, json_body={}, parse=body)).status

    assert run_with(server, use, sleeps) == 201
    assert len(server.requests) == 3 and sleeps == [0.5]


def test_async_read_timeouts(server: LocalServer) -> None:
    server.route("/v1/items", Reply(delay=5, body=b"[]"))
    server.route("/v1/items/1", Reply(body=b"[" + b"0," * 50 + b"0]", body_delay=5))

    async def use(client: rt.AsyncClientCore) -> list[str]:
        messages = []
        for op, path in ((LIST_ITEMS, {}), (GET_ITEM, {"id": 1})):
            with pytest.raises(rt.ApiTimeoutError) as info:
                await client.call(op, path=path, parse=body)
            messages.append(str(info.value))
        return messages

    started = time.monotonic()
    messages = run_with(server, use, retries=rt.RetryConfig.NONE, timeout=rt.Timeout(2, 0.2))
    assert time.monotonic() - started < 2
    assert "waiting for the response (operation list-items)" in messages[0]
    assert "reading the response (operation get-item)" in messages[1]


def test_async_connection_refused_is_retried_then_raised(server: LocalServer) -> None:
    sleeps: list[float] = []

    async def use(client: rt.AsyncClientCore) -> rt.TransportError:
        with pytest.raises(rt.TransportError) as info:
            await client.call(LIST_ITEMS, parse=body)
        return info.value

    error = run_with(server, use, sleeps, base_url=f"http://127.0.0.1:{free_port()}")
    assert not isinstance(error, rt.ApiTimeoutError)
    assert "connection refused" in str(error) and error.operation_id == "list-items"
    assert sleeps == [0.5, 1.0]


@dataclass
class Problem:
    code: str


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, rt.BadRequestError),
        (401, rt.AuthenticationError),
        (403, rt.PermissionDeniedError),
        (404, rt.NotFoundError),
        (409, rt.ConflictError),
        (422, rt.UnprocessableEntityError),
        (429, rt.RateLimitError),
        (504, rt.ServerError),
        (451, rt.ApiError),
    ],
)
def test_async_error_statuses(server: LocalServer, status: int, cls: type[rt.ApiError]) -> None:
    server.route("/v1/items/1", json_reply({"code": f"E{status}"}, status=status))
    op = rt.Operation("get-item", "GET", "/items/{id}", errors={"default": lambda d: Problem(**d)})

    async def use(client: rt.AsyncClientCore) -> rt.ApiError:
        with pytest.raises(rt.ApiError) as info:
            await client.call(op, path={"id": 1}, parse=body)
        return info.value

    error = run_with(server, use, retries=rt.RetryConfig.NONE)
    assert type(error) is cls and error.status == status
    assert error.model == Problem(f"E{status}")
    assert str(error).startswith(f"GET {server.url}/v1/items/1 -> {status} ")
    assert str(error).endswith("(operation get-item)")


def test_async_decode_errors(server: LocalServer) -> None:
    server.route("/v1/items/1", Reply(body=b"[1,"))
    server.route("/v1/items/2", Reply(body=b"plain", content_type="text/plain"))

    async def use(client: rt.AsyncClientCore) -> list[rt.ResponseDecodeError]:
        errors = []
        for item in (1, 2):
            with pytest.raises(rt.ResponseDecodeError) as info:
                await client.call(GET_ITEM, path={"id": item}, parse=body)
            errors.append(info.value)
        return errors

    malformed, wrong_type = run_with(server, use)
    assert malformed.body == b"[1," and malformed.status == 200
    assert "not valid JSON" in str(malformed) and "(operation get-item)" in str(malformed)
    assert "content type 'text/plain'" in str(wrong_type)


def test_async_keep_alive_and_body_framing(server: LocalServer) -> None:
    payload = {"values": list(range(30))}
    server.route("/v1/items", Reply(body=payload, chunked=True))
    server.route("/v1/items/1", json_reply(payload, interim=True))
    server.route("/v1/items/2", Reply(body=payload))

    async def use(client: rt.AsyncClientCore) -> list[Any]:
        results = [(await client.call(LIST_ITEMS, parse=body)).data for _ in range(3)]
        results.append((await client.call(GET_ITEM, path={"id": 1}, parse=body)).data)
        head = rt.Operation("head", "HEAD", "/items/{id}")
        results.append((await client.call(head, path={"id": 2}, parse=lambda r: r.body)).data)
        results.append((await client.call(GET_ITEM, path={"id": 2}, parse=body)).data)
        return results

    assert run_with(server, use) == [payload] * 4 + [b"", payload]
    assert len(server.requests) == 6
    assert len(set(server.connection_ids())) == 1


def test_async_body_until_close(server: LocalServer) -> None:
    server.route("/v1/items", Reply(body=b'{"eof": true}', length=False), json_reply([2]))

    async def use(client: rt.AsyncClientCore) -> list[Any]:
        return [(await client.call(LIST_ITEMS, parse=body)).data for _ in range(2)]

    assert run_with(server, use, retries=rt.RetryConfig.NONE) == [{"eof": True}, [2]]
    assert len(set(server.connection_ids())) == 2


@pytest.mark.parametrize("reset", [True, False])
def test_async_connection_broken_mid_body(server: LocalServer, reset: bool) -> None:
    server.route("/v1/items", Reply(body=b'{"x": "' + b"y" * 400 + b'"}', truncate=10, reset=reset))

    async def use(client: rt.AsyncClientCore) -> rt.TransportError:
        with pytest.raises(rt.TransportError) as info:
            await client.call(LIST_ITEMS, parse=body)
        return info.value

    error = run_with(server, use, retries=rt.RetryConfig.NONE)
    assert not isinstance(error, rt.ApiTimeoutError)
    assert "(operation list-items)" in str(error)


def test_async_server_closed_connection_is_not_reused(server: LocalServer) -> None:
    server.route("/v1/items", json_reply([1], close=True), json_reply([2]))

    async def use(client: rt.AsyncClientCore) -> list[Any]:
        first = (await client.call(LIST_ITEMS, parse=body)).data
        await asyncio.sleep(0.05)
        return [first, (await client.call(LIST_ITEMS, parse=body)).data]

    assert run_with(server, use, retries=rt.RetryConfig.NONE) == [[1], [2]]
    assert len(set(server.connection_ids())) == 2


def test_async_stale_connection_is_retried_transparently(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend the idle check missed the close, as in a race with the server's idle timeout.
    monkeypatch.setattr(rt._AsyncConnection, "usable", lambda self, loop: self.loop is loop)
    server.route("/v1/items", json_reply({}, close=True), json_reply({"n": 2}))
    sleeps: list[float] = []

    async def use(client: rt.AsyncClientCore) -> Any:
        await client.call(CREATE_ITEM, json_body={"n": 1}, parse=body)
        await asyncio.sleep(0.05)
        return (await client.call(CREATE_ITEM, json_body={"n": 2}, parse=body)).data

    assert run_with(server, use, sleeps, retries=rt.RetryConfig.NONE) == {"n": 2}
    assert sleeps == []
    assert [request.body for request in server.requests] == [b'{"n":1}', b'{"n":2}']


def test_async_concurrent_calls(server: LocalServer) -> None:
    server.route("/v1/items", json_reply([1]))

    async def use(client: rt.AsyncClientCore) -> list[Any]:
        calls = [client.call(LIST_ITEMS, parse=body) for _ in range(12)]
        return [result.data for result in await asyncio.gather(*calls)]

    assert run_with(server, use) == [[1]] * 12
    assert len(server.requests) == 12


def test_async_tls(tls_server: LocalServer, trusting_context: ssl.SSLContext) -> None:
    tls_server.route("/items", json_reply({"secure": True}))

    async def main() -> list[Any]:
        transport = rt.AsyncHttpTransport(ssl_context=trusting_context)
        async with rt.AsyncClientCore(base_url=tls_server.url, transport=transport) as client:
            results = [(await client.call(LIST_ITEMS, parse=body)).data for _ in range(2)]
        await transport.aclose()
        async with rt.AsyncClientCore(
            base_url=tls_server.url, retries=rt.RetryConfig.NONE
        ) as untrusting:
            with pytest.raises(rt.TransportError, match="certificate verification failed"):
                await untrusting.call(LIST_ITEMS, parse=body)
        return results

    assert asyncio.run(main()) == [{"secure": True}] * 2
    assert len(set(tls_server.connection_ids()[:2])) == 1


def test_async_hooks_and_auth(server: LocalServer) -> None:
    tokens = TokenEndpoint("cid", "csecret", expires_in=100)
    server.route("/oauth/token", tokens)
    server.route("/v1/items", tokens.protected)
    clock = FakeClock()
    seen: list[str | None] = []
    auth = rt.OAuth2ClientCredentials(server.url + "/oauth/token", "cid", "csecret")

    async def use(client: rt.AsyncClientCore) -> list[Any]:
        results = [(await client.call(LIST_ITEMS, parse=body)).data for _ in range(2)]
        tokens.valid.discard("tok-1")
        results.append((await client.call(LIST_ITEMS, parse=body)).data)
        clock.advance(71)
        results.append((await client.call(LIST_ITEMS, parse=body)).data)
        return results

    results = run_with(
        server,
        use,
        auth=auth,
        clock=clock,
        before_request=lambda request: seen.append(request.header("Authorization")),
    )
    assert [result["token"] for result in results] == ["tok-1", "tok-1", "tok-2", "tok-3"]
    assert tokens.issued == ["tok-1", "tok-2", "tok-3"]
    assert seen == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-3"]
    assert server.paths().count("/oauth/token") == 3


def test_async_api_key_in_query_and_secret_free_errors(server: LocalServer) -> None:
    server.route("/v1/items", Reply(status=404))

    async def use(client: rt.AsyncClientCore) -> rt.ApiError:
        with pytest.raises(rt.NotFoundError) as info:
            await client.call(LIST_ITEMS, parse=body)
        return info.value

    error = run_with(server, use, auth=rt.ApiKeyAuth("apiKey", "query", "SECRET-q"))
    assert server.requests[0].query["apiKey"] == ["SECRET-q"]
    assert "SECRET" not in str(error) and "SECRET" not in repr(error.response)


def test_async_client_closes_its_transport(server: LocalServer) -> None:
    server.route("/v1/items", json_reply([]))

    async def main() -> None:
        client = async_client(server, [])
        async with client:
            await client.call(LIST_ITEMS, parse=body)
        with pytest.raises(rt.ClientError, match="closed"):
            await client.call(LIST_ITEMS, parse=body)

    asyncio.run(main())


def test_async_default_sleep_is_asyncio_sleep(server: LocalServer) -> None:
    server.route("/v1/items", Reply(status=503), json_reply([1]))

    async def main() -> Any:
        retries = rt.RetryConfig(initial_backoff=0.01, jitter=0)
        async with rt.AsyncClientCore(base_url=server.url + "/v1", retries=retries) as client:
            return (await client.call(LIST_ITEMS, parse=body)).data

    assert asyncio.run(main()) == [1]
    assert len(server.requests) == 2
