"""Every authentication scheme on the wire, OAuth2 client credentials included."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
from runtime_server import FakeClock, LocalServer, Reply, TokenEndpoint, json_reply

from generator.runtime import _runtime as rt

MakeClient = Callable[..., rt.ClientCore]
LIST_ITEMS = rt.Operation("list-items", "GET", "/items")
PUBLIC = rt.Operation("ping", "GET", "/items", authenticated=False)
CLIENT_SECRET = "CS-very-secret-1"


def body(response: rt.Response) -> Any:
    return response.json()


@pytest.fixture
def items(server: LocalServer) -> LocalServer:
    server.route("/v1/items", json_reply([]))
    return server


def test_api_key_in_a_header(items: LocalServer, make_client: MakeClient) -> None:
    make_client(auth=rt.ApiKeyAuth("X-Api-Key", "header", "k1")).call(LIST_ITEMS, parse=body)
    assert items.requests[0].header("X-Api-Key") == "k1"


def test_api_key_in_the_query(items: LocalServer, make_client: MakeClient) -> None:
    client = make_client(auth=rt.ApiKeyAuth("api_key", "query", "k 2"))
    client.call(LIST_ITEMS, query=[("page", 2)], parse=body)
    assert items.requests[0].raw_query == "page=2&api_key=k%202"


def test_api_key_in_a_cookie(items: LocalServer, make_client: MakeClient) -> None:
    client = make_client(auth=rt.ApiKeyAuth("sid", "cookie", "k3"))
    client.call(LIST_ITEMS, cookies=[("theme", "dark")], parse=body)
    assert items.requests[0].header("Cookie") == "theme=dark; sid=k3"


def test_http_basic(items: LocalServer, make_client: MakeClient) -> None:
    make_client(auth=rt.HttpBasicAuth("bob", "pä:ss")).call(LIST_ITEMS, parse=body)
    header = items.requests[0].header("Authorization") or ""
    assert header.startswith("Basic ")
    assert base64.b64decode(header[6:]).decode() == "bob:pä:ss"


def test_http_bearer(items: LocalServer, make_client: MakeClient) -> None:
    make_client(auth=rt.HttpBearerAuth("t0k")).call(LIST_ITEMS, parse=body)
    assert items.requests[0].header("Authorization") == "Bearer t0k"


def test_several_schemes_and_unauthenticated_operations(
    items: LocalServer, make_client: MakeClient
) -> None:
    client = make_client(auth=[rt.ApiKeyAuth("X-App", "header", "app"), rt.HttpBearerAuth("user")])
    client.call(LIST_ITEMS, parse=body)
    client.call(PUBLIC, parse=body)
    first, public = items.requests
    assert (first.header("X-App"), first.header("Authorization")) == ("app", "Bearer user")
    assert (public.header("X-App"), public.header("Authorization")) == (None, None)


def test_a_401_is_not_resent_for_static_credentials(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.route("/v1/items", Reply(status=401))
    with pytest.raises(rt.AuthenticationError):
        make_client(auth=rt.HttpBearerAuth("t")).call(LIST_ITEMS, parse=body)
    assert len(server.requests) == 1


# --- OAuth2 client credentials ---------------------------------------------------------------


@pytest.fixture
def endpoint(server: LocalServer) -> TokenEndpoint:
    tokens = TokenEndpoint("cid", CLIENT_SECRET, expires_in=100)
    server.route("/oauth/token", tokens)
    server.route("/v1/items", tokens.protected)
    return tokens


def oauth(server: LocalServer, **options: Any) -> rt.OAuth2ClientCredentials:
    return rt.OAuth2ClientCredentials(
        server.url + "/oauth/token", "cid", CLIENT_SECRET, ["read", "write"], **options
    )


def test_oauth2_fetches_once_and_caches(
    server: LocalServer, endpoint: TokenEndpoint, make_client: MakeClient
) -> None:
    client = make_client(auth=oauth(server), user_agent="acme/2")
    for _ in range(3):
        assert client.call(LIST_ITEMS, parse=body).data == {"ok": True, "token": "tok-1"}
    assert endpoint.issued == ["tok-1"]
    assert server.paths() == ["/oauth/token", "/v1/items", "/v1/items", "/v1/items"]
    token_request = server.requests[0]
    assert token_request.method == "POST"
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["read write"],
    }
    assert token_request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert token_request.header("User-Agent") == "acme/2"
    basic = base64.b64decode((token_request.header("Authorization") or "")[6:]).decode()
    assert basic == f"cid:{CLIENT_SECRET}"
    assert [r.header("Authorization") for r in server.requests[1:]] == ["Bearer tok-1"] * 3


def test_oauth2_refreshes_shortly_before_expiry(
    server: LocalServer, endpoint: TokenEndpoint, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(auth=oauth(server))  # expires_in 100, refresh margin 30
    client.call(LIST_ITEMS, parse=body)
    clock.advance(69.9)
    assert client.call(LIST_ITEMS, parse=body).data["token"] == "tok-1"
    clock.advance(0.1)
    assert client.call(LIST_ITEMS, parse=body).data["token"] == "tok-2"
    assert endpoint.issued == ["tok-1", "tok-2"]


def test_oauth2_margin_is_at_most_half_the_lifetime(
    server: LocalServer, make_client: MakeClient, clock: FakeClock
) -> None:
    tokens = TokenEndpoint("cid", CLIENT_SECRET, expires_in=10)
    server.route("/oauth/token", tokens)
    server.route("/v1/items", tokens.protected)
    client = make_client(auth=oauth(server))
    client.call(LIST_ITEMS, parse=body)
    clock.advance(4.9)
    client.call(LIST_ITEMS, parse=body)
    assert tokens.issued == ["tok-1"]
    clock.advance(0.1)
    client.call(LIST_ITEMS, parse=body)
    assert tokens.issued == ["tok-1", "tok-2"]


def test_oauth2_token_without_expiry_is_kept(
    server: LocalServer, make_client: MakeClient, clock: FakeClock
) -> None:
    tokens = TokenEndpoint("cid", CLIENT_SECRET, expires_in=None)
    server.route("/oauth/token", tokens)
    server.route("/v1/items", tokens.protected)
    client = make_client(auth=oauth(server))
    client.call(LIST_ITEMS, parse=body)
    clock.advance(1e9)
    client.call(LIST_ITEMS, parse=body)
    assert tokens.issued == ["tok-1"]


def test_oauth2_refreshes_after_a_401(
    server: LocalServer, endpoint: TokenEndpoint, make_client: MakeClient, sleeps: list[float]
) -> None:
    client = make_client(auth=oauth(server))
    client.call(LIST_ITEMS, parse=body)
    endpoint.valid.discard("tok-1")  # the server revokes the token early
    assert client.call(LIST_ITEMS, parse=body).data["token"] == "tok-2"
    assert server.paths() == ["/oauth/token", "/v1/items", "/v1/items", "/oauth/token", "/v1/items"]
    assert sleeps == []


def test_oauth2_refreshes_only_once_per_call(
    server: LocalServer, endpoint: TokenEndpoint, make_client: MakeClient
) -> None:
    server.route("/v1/items", json_reply({"error": "nope"}, status=401))
    op = rt.Operation("create", "POST", "/items")
    with pytest.raises(rt.AuthenticationError) as info:
        make_client(auth=oauth(server)).call(op, json_body={}, parse=body)
    assert endpoint.issued == ["tok-1", "tok-2"]
    assert server.paths() == ["/oauth/token", "/v1/items", "/oauth/token", "/v1/items"]
    assert "tok-" not in str(info.value) and "tok-" not in repr(info.value.response)


def test_oauth2_client_secret_in_the_body(
    server: LocalServer, endpoint: TokenEndpoint, make_client: MakeClient
) -> None:
    make_client(auth=oauth(server, client_auth="body", extra_params={"audience": "api"})).call(
        LIST_ITEMS, parse=body
    )
    token_request = server.requests[0]
    assert token_request.header("Authorization") is None
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["read write"],
        "audience": ["api"],
        "client_id": ["cid"],
        "client_secret": [CLIENT_SECRET],
    }


def test_oauth2_relative_token_url(
    server: LocalServer, endpoint: TokenEndpoint, make_client: MakeClient
) -> None:
    auth = rt.OAuth2ClientCredentials("/oauth/token", "cid", CLIENT_SECRET)
    assert make_client(auth=auth).call(LIST_ITEMS, parse=body).data["ok"] is True
    assert server.paths()[0] == "/oauth/token"


def test_oauth2_rejected_credentials(
    server: LocalServer,
    endpoint: TokenEndpoint,
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=rt.__name__)
    auth = rt.OAuth2ClientCredentials(server.url + "/oauth/token", "cid", "wrong-" + CLIENT_SECRET)
    with pytest.raises(rt.AuthenticationError) as info:
        make_client(auth=auth).call(LIST_ITEMS, parse=body)
    error = info.value
    assert error.operation_id == "oauth2-client-credentials"
    assert error.model == {"error": "invalid_client"}
    assert str(error) == (
        f"POST {server.url}/oauth/token -> 401 Unauthorized (operation oauth2-client-credentials)"
    )
    assert error.response is not None
    for text in (str(error), repr(error), repr(error.response), repr(auth), caplog.text):
        assert CLIENT_SECRET not in text
    assert server.paths() == ["/oauth/token"]


def test_oauth2_token_response_without_token(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/oauth/token", json_reply({"token_type": "Bearer"}))
    with pytest.raises(rt.ResponseDecodeError, match="no access_token"):
        make_client(auth=oauth(server)).call(LIST_ITEMS, parse=body)


def test_oauth2_fetches_one_token_for_concurrent_threads(
    server: LocalServer, endpoint: TokenEndpoint, make_client: MakeClient
) -> None:
    client = make_client(auth=oauth(server))
    start = threading.Barrier(5)
    results: list[Any] = []

    def work() -> None:
        start.wait()
        results.append(client.call(LIST_ITEMS, parse=body).data)

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"ok": True, "token": "tok-1"}] * 5
    assert endpoint.issued == ["tok-1"]
