"""ClientCore and HttpTransport against the local test server."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

import pytest
from runtime_server import FixedRandom, LocalServer, Reply, free_port, json_reply

from generator.runtime import _runtime as rt

MakeClient = Callable[..., rt.ClientCore]

GET_ITEM = rt.Operation("get-item", "GET", "/items/{id}")
LIST_ITEMS = rt.Operation("list-items", "GET", "/items")
CREATE_ITEM = rt.Operation("create-item", "POST", "/items")


def body(response: rt.Response) -> Any:
    return response.json()


def nothing(response: rt.Response) -> None:
    return None


# --- building requests -----------------------------------------------------------------------


def test_call_builds_url_headers_and_parses_json(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items/a%2Fb%20c", json_reply({"id": "a/b c"}, headers=[("X-Rate", "9")]))
    client = make_client(user_agent="acme/1.0")
    result = client.call(
        GET_ITEM,
        path={"id": "a/b c"},
        query=[rt.QueryParam("expand", ["x", "y"], "form", False), ("skip", None)],
        headers=[("X-Trace", "t1"), ("X-Skipped", None), ("X-Flag", True)],
        parse=body,
    )
    assert result.status == 200
    assert result.data == {"id": "a/b c"}
    assert result.headers["x-rate"] == "9"
    assert result.raw.request.method == "GET"
    [seen] = server.requests
    assert (seen.method, seen.path, seen.raw_query) == ("GET", "/v1/items/a%2Fb%20c", "expand=x,y")
    assert seen.header("User-Agent") == "acme/1.0"
    assert seen.header("Accept") == "application/json"
    assert seen.header("X-Trace") == "t1" and seen.header("X-Flag") == "true"
    assert seen.header("X-Skipped") is None


def test_every_query_style_on_the_wire(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", json_reply([]))
    make_client().call(
        LIST_ITEMS,
        query=[
            rt.QueryParam("ids", [1, 2]),
            rt.QueryParam("tags", ["a", "b c"], "form", False),
            rt.QueryParam("words", ["x", "y"], "spaceDelimited", False),
            rt.QueryParam("pipes", ["p", "q"], "pipeDelimited", False),
            rt.QueryParam("filter", {"status": "open", "range": {"min": 1}}, "deepObject"),
            rt.QueryParam("point", {"lat": 1.5, "lon": 2}),
            rt.QueryParam("missing", None),
        ],
        parse=body,
    )
    assert server.requests[0].raw_query == (
        "ids=1&ids=2&tags=a,b%20c&words=x%20y&pipes=p|q"
        "&filter[status]=open&filter[range][min]=1&lat=1.5&lon=2"
    )


def test_base_url_path_is_kept(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/api/v2/items/7", json_reply({}))
    make_client(base_url=server.url + "/api/v2/").call(GET_ITEM, path={"id": 7}, parse=body)
    assert server.paths() == ["/api/v2/items/7"]


def test_json_form_and_raw_bodies(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", json_reply({"ok": True}, status=201))
    client = make_client()
    created = client.call(CREATE_ITEM, json_body={"name": "é", "n": [1, None]}, parse=body)
    client.call(CREATE_ITEM, form={"a": "x y", "b": [1, 2], "c": None}, parse=body)
    client.call(CREATE_ITEM, content=b"\x00\x01", content_type="application/x-raw", parse=body)
    client.call(CREATE_ITEM, parse=body)
    assert created.status == 201
    json_request, form_request, raw_request, empty_request = server.requests
    assert json_request.body == '{"name":"é","n":[1,null]}'.encode()
    assert json_request.header("Content-Type") == "application/json"
    assert json_request.header("Content-Length") == str(len(json_request.body))
    assert form_request.body == b"a=x+y&b=1&b=2"
    assert form_request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert (raw_request.body, raw_request.header("Content-Type")) == (
        b"\x00\x01",
        "application/x-raw",
    )
    assert (empty_request.body, empty_request.header("Content-Length")) == (b"", "0")
    with pytest.raises(ValueError):
        client.call(CREATE_ITEM, json_body={}, content=b"x", parse=body)


def test_cookie_parameters(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", json_reply([]))
    make_client().call(
        LIST_ITEMS, cookies=[("a", 1), ("b", ["x", "y"]), ("c", None), ("d", "sp ace")], parse=body
    )
    assert server.requests[0].header("Cookie") == "a=1; b=x,y; d=sp%20ace"


def test_head_request_and_empty_body(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", Reply(status=200, body=b'{"x": 1}'))
    result = make_client().call(rt.Operation("head", "HEAD", "/items"), parse=nothing)
    assert result.status == 200 and result.raw.body == b""
    server.route("/v1/items", Reply(status=204))
    assert make_client().call(LIST_ITEMS, parse=body).data is None


def test_hooks_see_every_attempt_and_can_replace_the_request(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items", Reply(status=503), json_reply([1]))
    seen_requests: list[str] = []
    statuses: list[int] = []

    def add_header(request: rt.Request) -> rt.Request:
        return rt.Request(
            request.method, request.url, [*request.headers, ("X-Hooked", "1")], request.body
        )

    def remember(request: rt.Request) -> None:
        seen_requests.append(request.header("X-Hooked") or "")

    client = make_client(
        before_request=[add_header, remember], after_response=lambda r: statuses.append(r.status)
    )
    assert client.call(LIST_ITEMS, parse=body).data == [1]
    assert seen_requests == ["1", "1"]
    assert statuses == [503, 200]
    assert [request.header("X-Hooked") for request in server.requests] == ["1", "1"]


# --- retries ---------------------------------------------------------------------------------


def test_retries_with_exact_backoff_schedule(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(status=503), Reply(status=500), json_reply(["ok"]))
    client = make_client(retries=rt.RetryConfig(attempts=4, initial_backoff=0.5, multiplier=3))
    assert client.call(LIST_ITEMS, parse=body).data == ["ok"]
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.5]


def test_jitter_comes_from_the_injected_rng(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(status=502))
    client = make_client(retries=rt.RetryConfig(attempts=3, jitter=0.2), rng=FixedRandom(0.0, 1.0))
    with pytest.raises(rt.ServerError):
        client.call(LIST_ITEMS, parse=body)
    assert sleeps == pytest.approx([0.4, 1.2])
    assert len(server.requests) == 3


def test_exhausted_retries_raise_the_last_error(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(status=429), Reply(status=408), Reply(status=503))
    with pytest.raises(rt.ServerError) as info:
        make_client().call(LIST_ITEMS, parse=body)
    assert info.value.status == 503
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_per_call_retry_config_and_disabling(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(status=503))
    client = make_client(retries=rt.RetryConfig.NONE)
    with pytest.raises(rt.ServerError):
        client.call(LIST_ITEMS, parse=body)
    assert len(server.requests) == 1
    with pytest.raises(rt.ServerError):
        client.call(LIST_ITEMS, parse=body, retries=rt.RetryConfig(attempts=2, jitter=0))
    assert len(server.requests) == 3
    assert sleeps == [0.5]


def test_non_retryable_status_is_not_retried(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(status=400))
    with pytest.raises(rt.BadRequestError):
        make_client().call(LIST_ITEMS, parse=body)
    assert len(server.requests) == 1 and sleeps == []


def test_retry_after_seconds_and_cap(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route(
        "/v1/items",
        Reply(status=429, headers=[("Retry-After", "7")]),
        Reply(status=503, headers=[("Retry-After", "120")]),
        json_reply([]),
    )
    make_client(retries=rt.RetryConfig(attempts=3, max_backoff=30)).call(LIST_ITEMS, parse=body)
    assert sleeps == [7.0, 30.0]


def test_retry_after_http_date_against_the_date_header(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    now = 1_700_000_000
    headers = [
        ("Date", formatdate(now, usegmt=True)),
        ("Retry-After", formatdate(now + 5, usegmt=True)),
    ]
    server.route("/v1/items", Reply(status=503, headers=headers, date=False), json_reply([]))
    make_client(wall_clock=lambda: 0.0).call(LIST_ITEMS, parse=body)
    assert sleeps == [5.0]


def test_retry_after_http_date_against_the_wall_clock(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    now = 1_700_000_000
    late = [("Retry-After", formatdate(now + 12, usegmt=True))]
    past = [("Retry-After", formatdate(now - 50, usegmt=True))]
    server.route(
        "/v1/items",
        Reply(status=429, headers=late, date=False),
        Reply(status=429, headers=past, date=False),
        json_reply([]),
    )
    make_client(wall_clock=lambda: float(now)).call(LIST_ITEMS, parse=body)
    assert sleeps == [12.0, 0.0]


def test_post_is_not_retried_unless_idempotent(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(status=503), json_reply({}, status=201))
    client = make_client()
    with pytest.raises(rt.ServerError):
        client.call(CREATE_ITEM, json_body={"a": 1}, parse=body)
    assert len(server.requests) == 1 and sleeps == []

    server.route("/v1/items", Reply(status=503), json_reply({}, status=201))
    idempotent = rt.Operation("create-item", "POST", "/items", idempotent=True)
    assert client.call(idempotent, json_body={"a": 1}, parse=body).status == 201
    assert len(server.requests) == 3 and sleeps == [0.5]
    assert server.requests[1].body == server.requests[2].body == b'{"a":1}'


def test_idempotent_false_disables_retries_for_get(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items", Reply(status=503))
    with pytest.raises(rt.ServerError):
        make_client().call(rt.Operation("x", "GET", "/items", idempotent=False), parse=body)
    assert len(server.requests) == 1


# --- transport failures ----------------------------------------------------------------------


def test_connection_refused_is_a_transport_error_and_is_retried(
    make_client: MakeClient, sleeps: list[float]
) -> None:
    client = make_client(base_url=f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(rt.TransportError) as info:
        client.call(GET_ITEM, path={"id": 1}, parse=body)
    error = info.value
    assert not isinstance(error, rt.ApiTimeoutError)
    assert sleeps == [0.5, 1.0]
    assert error.operation_id == "get-item" and error.method == "GET"
    assert "connection refused" in str(error)
    assert str(error).startswith(f"GET {error.url} failed: ")
    assert str(error).endswith("(operation get-item)")


def test_read_timeout_waiting_for_headers(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", Reply(delay=5, body=b"[]"))
    client = make_client(timeout=rt.Timeout(connect=2, read=0.2), retries=rt.RetryConfig.NONE)
    started = time.monotonic()
    with pytest.raises(rt.ApiTimeoutError) as info:
        client.call(LIST_ITEMS, parse=body)
    assert time.monotonic() - started < 2
    assert "timed out after 0.2s" in str(info.value)
    assert info.value.operation_id == "list-items"


def test_read_timeout_in_the_body(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", Reply(body=b"[" + b"1," * 100 + b"1]", body_delay=5))
    with pytest.raises(rt.ApiTimeoutError) as info:
        make_client(retries=rt.RetryConfig.NONE).call(LIST_ITEMS, parse=body, timeout=0.2)
    assert "reading the response body" in str(info.value)


def test_timeouts_are_retried(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(delay=5, body=b"[]"), json_reply([1]))
    client = make_client(timeout=rt.Timeout(connect=2, read=0.2))
    assert client.call(LIST_ITEMS, parse=body).data == [1]
    assert sleeps == [0.5]
    assert len(server.requests) == 2


@pytest.mark.parametrize("reset", [True, False])
def test_connection_broken_mid_body(
    server: LocalServer, make_client: MakeClient, reset: bool
) -> None:
    server.route(
        "/v1/items", Reply(body=b'{"data": "' + b"x" * 500 + b'"}', truncate=20, reset=reset)
    )
    with pytest.raises(rt.TransportError) as info:
        make_client(retries=rt.RetryConfig.NONE).call(LIST_ITEMS, parse=body)
    assert not isinstance(info.value, rt.ApiTimeoutError)
    assert "response body" in str(info.value)


def test_broken_body_is_retried_for_get(
    server: LocalServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    server.route("/v1/items", Reply(body=b"[1, 2, 3, 4]", truncate=3, reset=True), json_reply([5]))
    assert make_client().call(LIST_ITEMS, parse=body).data == [5]
    assert sleeps == [0.5]


def test_third_party_transport_oserrors_become_transport_errors(make_client: MakeClient) -> None:
    class Broken:
        def send(self, request: rt.Request, timeout: rt.Timeout) -> rt.Response:
            raise ConnectionAbortedError("boom")

        def close(self) -> None:
            pass

    with pytest.raises(
        rt.TransportError, match=r"ConnectionAbortedError.*\(operation list-items\)"
    ):
        make_client(transport=Broken(), retries=rt.RetryConfig.NONE).call(LIST_ITEMS, parse=body)


# --- bodies that are not what the client expects ---------------------------------------------


def test_malformed_json_raises_response_decode_error(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items", Reply(body=b'{"a": '))
    with pytest.raises(rt.ResponseDecodeError) as info:
        make_client().call(LIST_ITEMS, parse=body)
    error = info.value
    assert (error.status, error.body, error.operation_id) == (200, b'{"a": ', "list-items")
    assert error.headers["content-type"] == "application/json"
    assert "not valid JSON" in str(error) and "(operation list-items)" in str(error)


def test_wrong_content_type_raises_response_decode_error(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items", Reply(body=b"<html>hi</html>", content_type="text/html"))
    with pytest.raises(rt.ResponseDecodeError, match="content type 'text/html'"):
        make_client().call(LIST_ITEMS, parse=body)


def test_json_suffix_content_types_are_accepted(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route(
        "/v1/items", Reply(body=b'{"a": 1}', content_type="application/problem+json; charset=utf-8")
    )
    assert make_client().call(LIST_ITEMS, parse=body).data == {"a": 1}


def test_unexpected_shape_raises_response_decode_error(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items", json_reply({"other": 1}))
    with pytest.raises(rt.ResponseDecodeError, match="KeyError") as info:
        make_client().call(LIST_ITEMS, parse=lambda r: r.json()["items"])
    assert isinstance(info.value.__cause__, KeyError)


# --- error statuses --------------------------------------------------------------------------


@dataclass
class Problem:
    code: str
    status: int

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        return cls(code=data["code"], status=data["status"])


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
        (500, rt.ServerError),
        (503, rt.ServerError),
        (418, rt.ApiError),
        (302, rt.ApiError),
    ],
)
def test_each_status_raises_its_error_with_the_parsed_model(
    server: LocalServer, make_client: MakeClient, status: int, cls: type[rt.ApiError]
) -> None:
    server.route("/v1/items/9", json_reply({"code": f"E{status}", "status": status}, status=status))
    op = rt.Operation("get-item", "GET", "/items/{id}", errors={status: Problem.from_json})
    with pytest.raises(rt.ApiError) as info:
        make_client(retries=rt.RetryConfig.NONE).call(op, path={"id": 9}, parse=body)
    error = info.value
    assert type(error) is cls
    assert error.status == status
    assert error.model == Problem(f"E{status}", status)
    assert error.operation_id == "get-item" and error.method == "GET"
    assert error.url == f"{server.url}/v1/items/9"
    assert error.headers["Content-Type"] == "application/json"
    assert error.body == f'{{"code": "E{status}", "status": {status}}}'.encode()
    phrase = HTTPStatus(status).phrase  # Python's reason phrase (3.13 renamed 422's)
    assert str(error) == f"GET {server.url}/v1/items/9 -> {status} {phrase} (operation get-item)"


def test_error_model_lookup_uses_ranges_then_default(
    server: LocalServer, make_client: MakeClient
) -> None:
    op = rt.Operation(
        "get-item",
        "GET",
        "/items/{id}",
        errors={"4XX": lambda data: ("4XX", data), "default": lambda data: ("default", data)},
    )
    client = make_client(retries=rt.RetryConfig.NONE)
    server.route("/v1/items/1", json_reply({"e": 1}, status=404))
    server.route("/v1/items/2", json_reply({"e": 2}, status=500))
    with pytest.raises(rt.NotFoundError) as not_found:
        client.call(op, path={"id": 1}, parse=body)
    with pytest.raises(rt.ServerError) as server_error:
        client.call(op, path={"id": 2}, parse=body)
    assert not_found.value.model == ("4XX", {"e": 1})
    assert server_error.value.model == ("default", {"e": 2})


def test_a_failing_error_parser_leaves_the_model_empty(
    server: LocalServer, make_client: MakeClient
) -> None:
    op = rt.Operation("get-item", "GET", "/items/{id}", errors={404: Problem.from_json})
    client = make_client()
    server.route("/v1/items/1", json_reply({"unexpected": True}, status=404))
    server.route("/v1/items/2", Reply(status=404, body=b"<html>", content_type="text/html"))
    for item in (1, 2):
        with pytest.raises(rt.NotFoundError) as info:
            client.call(op, path={"id": item}, parse=body)
        assert info.value.model is None


def test_error_message_example(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/customers/c1", Reply(status=404))
    op = rt.Operation("get-commerce-customer", "GET", "/customers/{id}")
    with pytest.raises(rt.NotFoundError) as info:
        make_client().call(op, path={"id": "c1"}, parse=body)
    assert str(info.value) == (
        f"GET {server.url}/v1/customers/c1 -> 404 Not Found (operation get-commerce-customer)"
    )


# --- secrets ---------------------------------------------------------------------------------

SECRET = "SECRET-7f3a"


def test_secrets_are_absent_from_errors_reprs_and_logs(
    server: LocalServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=rt.__name__)
    server.route("/v1/items", Reply(status=503), Reply(status=403, body=b'{"e": 1}'))
    client = make_client(
        auth=[
            rt.ApiKeyAuth("api_key", "query", SECRET),
            rt.ApiKeyAuth("X-Custom-Key", "header", SECRET + "h"),
            rt.ApiKeyAuth("sid", "cookie", SECRET + "c"),
        ]
    )
    with pytest.raises(rt.PermissionDeniedError) as info:
        client.call(LIST_ITEMS, parse=body)
    error = info.value
    assert server.requests[0].query["api_key"] == [SECRET]
    texts = [str(error), repr(error), error.url, repr(error.response), repr(error.headers)]
    assert error.response is not None
    texts += [repr(error.response.request), error.response.request.redacted_url]
    for text in texts:
        assert SECRET not in text
    assert "api_key=***" in str(error)
    assert "retrying GET" in caplog.text and "-> 503" in caplog.text
    assert SECRET not in caplog.text


def test_secrets_are_absent_from_transport_and_decode_errors(
    server: LocalServer, make_client: MakeClient
) -> None:
    auth = rt.ApiKeyAuth("key", "query", SECRET)
    refused = make_client(base_url=f"http://127.0.0.1:{free_port()}", auth=auth)
    with pytest.raises(rt.TransportError) as transport_error:
        refused.call(LIST_ITEMS, parse=body, retries=rt.RetryConfig.NONE)
    server.route("/v1/items", Reply(body=b"{oops"))
    with pytest.raises(rt.ResponseDecodeError) as decode_error:
        make_client(auth=auth).call(LIST_ITEMS, parse=body)
    for error in (transport_error.value, decode_error.value):
        assert SECRET not in str(error) and SECRET not in repr(error) and "key=***" in str(error)


# --- connections -----------------------------------------------------------------------------


def test_keep_alive_reuses_one_connection(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", json_reply([1]))
    client = make_client()
    for _ in range(4):
        client.call(LIST_ITEMS, parse=body)
    client.call(CREATE_ITEM, json_body={"x": 1}, parse=body)
    assert len(server.requests) == 5
    assert len(set(server.connection_ids())) == 1


def test_pool_is_thread_safe(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/items", json_reply([1]))
    client = make_client()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                assert client.call(LIST_ITEMS, parse=body).data == [1]
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(server.requests) == 30
    assert len(set(server.connection_ids())) <= 6


def test_a_connection_closed_by_the_server_is_not_reused(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items", json_reply([1], close=True), json_reply([2]))
    client = make_client(retries=rt.RetryConfig.NONE)
    assert client.call(LIST_ITEMS, parse=body).data == [1]
    time.sleep(0.05)
    assert client.call(LIST_ITEMS, parse=body).data == [2]
    assert len(set(server.connection_ids())) == 2


def test_a_stale_kept_alive_connection_is_retried_transparently_once(
    server: LocalServer,
    make_client: MakeClient,
    sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pretend the idle check missed the close, as in a race with the server's idle timeout.
    monkeypatch.setattr(rt, "_socket_dropped", lambda sock: False)
    server.route("/v1/items", json_reply({}, close=True), json_reply({"n": 2}, status=201))
    client = make_client(retries=rt.RetryConfig.NONE)
    client.call(CREATE_ITEM, json_body={"n": 1}, parse=body)
    time.sleep(0.05)
    assert client.call(CREATE_ITEM, json_body={"n": 2}, parse=body).data == {"n": 2}
    assert sleeps == []
    assert [request.body for request in server.requests] == [b'{"n":1}', b'{"n":2}']
    assert len(set(server.connection_ids())) == 2


def test_chunked_responses_are_decoded(server: LocalServer, make_client: MakeClient) -> None:
    payload = {"items": list(range(40))}
    server.route("/v1/items", Reply(body=payload, chunked=True))
    client = make_client()
    assert client.call(LIST_ITEMS, parse=body).data == payload
    assert client.call(LIST_ITEMS, parse=body).data == payload
    assert len(set(server.connection_ids())) == 1


def test_closing_the_client_closes_its_own_transport_only(server: LocalServer) -> None:
    server.route("/v1/items", json_reply([]))
    with rt.ClientCore(base_url=server.url + "/v1") as client:
        client.call(LIST_ITEMS, parse=body)
    with pytest.raises(rt.ClientError, match="closed"):
        client.call(LIST_ITEMS, parse=body)
    shared = rt.HttpTransport()
    rt.ClientCore(base_url=server.url + "/v1", transport=shared).close()
    assert isinstance(
        shared.send(rt.Request("GET", server.url + "/v1/items", []), rt.Timeout()), rt.Response
    )
    shared.close()


def test_tls_is_verified(
    tls_server: LocalServer, trusting_context: ssl.SSLContext, sleeps: list[float]
) -> None:
    tls_server.route("/items", json_reply({"secure": True}))
    transport = rt.HttpTransport(ssl_context=trusting_context)
    with rt.ClientCore(base_url=tls_server.url, transport=transport, sleep=sleeps.append) as client:
        assert client.call(LIST_ITEMS, parse=body).data == {"secure": True}
        assert client.call(LIST_ITEMS, parse=body).data == {"secure": True}
    transport.close()
    assert len(set(tls_server.connection_ids())) == 1
    with rt.ClientCore(base_url=tls_server.url, retries=rt.RetryConfig.NONE) as untrusting:
        with pytest.raises(rt.TransportError, match="certificate verification failed"):
            untrusting.call(LIST_ITEMS, parse=body)


# --- URLs ------------------------------------------------------------------------------------


def test_explicit_urls_are_resolved_and_other_origins_refused(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/things", json_reply([]))
    server.route("/v1/items", json_reply([]))
    client = make_client()
    client.call(LIST_ITEMS, url="/v1/things?offset=3", parse=body)
    client.call(LIST_ITEMS, url="items?cursor=x", parse=body)
    client.call(LIST_ITEMS, url=f"{server.url}/v1/things?offset=6", parse=body)
    assert [(r.path, r.raw_query) for r in server.requests] == [
        ("/v1/things", "offset=3"),
        ("/v1/items", "cursor=x"),
        ("/v1/things", "offset=6"),
    ]
    for foreign in ("https://evil.test/v1/things", f"https://127.0.0.1:{server.port}/v1/x"):
        with pytest.raises(rt.ClientError, match="not on the API's origin"):
            client.call(LIST_ITEMS, url=foreign, parse=body)
    assert len(server.requests) == 3


@pytest.mark.parametrize("base_url", ["ftp://h.test", "/relative", "https://h.test/a b"])
def test_invalid_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ValueError):
        rt.ClientCore(base_url=base_url)
