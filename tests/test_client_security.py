"""Each operation is sent with the credentials its own security requirement names, no others,
and fails before sending when the client has none for it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import GOLDEN

sys.path.insert(0, str(GOLDEN / "constructs"))
import constructs  # noqa: E402

SECRETS = {
    "api_key_header": "k-header",
    "api_key_query": "k-query",
    "api_key_cookie": "k-cookie",
    "basic_auth_username": "u-basic",
    "basic_auth_password": "p-basic",
    "bearer_auth": "t-bearer",
}
WIDGET = {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "kind": "widget", "name": "w"}


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, dict[str, str]]] = []

    def _answer(self) -> None:
        _Recorder.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_DELETE = _answer  # noqa: N815 (http.server's naming)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _sent(headers: dict[str, str], path: str) -> set[str]:
    """Which of the secrets a request carried, anywhere."""
    text = path + " " + " ".join(f"{k}: {v}" for k, v in headers.items())
    found = {value for value in SECRETS.values() if value in text}
    if "authorization" in headers and headers["authorization"].startswith("Basic "):
        found.add("basic")
    return found


def test_only_the_operations_own_scheme_is_applied(server: str) -> None:
    client = constructs.Client(base_url=server, **SECRETS)
    widgets = client.shop.widgets
    widget_id = WIDGET["id"]
    calls = {
        "k-query": lambda: widgets.fetch_widget_with_response(widget_id),
        "basic": lambda: widgets.delete_widget(widget_id),
    }
    for expected, call in calls.items():
        _Recorder.seen.clear()
        try:
            call()
        except constructs.ClientError:
            pass  # an empty 204 where a body is declared: only the request matters here
        ((path, headers),) = _Recorder.seen
        assert _sent(headers, path) == {expected}, f"{expected}: sent {headers} {path}"


def test_missing_credentials_fail_before_sending(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env in ("CONSTRUCTS_BASIC_AUTH_USERNAME", "CONSTRUCTS_BASIC_AUTH_PASSWORD"):
        monkeypatch.delenv(env, raising=False)
    client = constructs.Client(base_url=server)
    with pytest.raises(constructs.ClientError) as caught:
        client.shop.widgets.delete_widget(WIDGET["id"])
    message = str(caught.value)
    assert "operation deleteWidget needs credentials for 'basicAuth'" in message
    assert "basic_auth_username and basic_auth_password" in message
    assert "CONSTRUCTS_BASIC_AUTH_USERNAME" in message
    assert _Recorder.seen == []


def test_credentials_come_from_the_environment(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSTRUCTS_BASIC_AUTH_USERNAME", "user")
    monkeypatch.setenv("CONSTRUCTS_BASIC_AUTH_PASSWORD", "pass")
    constructs.Client(base_url=server).shop.widgets.delete_widget(WIDGET["id"])
    ((path, headers),) = _Recorder.seen
    assert headers["authorization"] == "Basic dXNlcjpwYXNz"
