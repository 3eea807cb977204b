"""The httpx adapters, driven through a small fake ``httpx`` module (httpx is not installed)."""

from __future__ import annotations

import asyncio
import sys
import types
from typing import Any

import pytest

from generator.runtime import _runtime as rt

LIST_ITEMS = rt.Operation("list-items", "GET", "/items")


class TimeoutException(Exception):
    pass


class ReadTimeout(TimeoutException):
    pass


class TransportError(Exception):
    pass


class ConnectError(TransportError):
    pass


class Timeout:
    def __init__(self, **parts: Any) -> None:
        self.parts = parts


class FakeHeaders:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def multi_items(self) -> list[tuple[str, str]]:
        return list(self.pairs)


class FakeResponse:
    def __init__(self, status: int, content: bytes) -> None:
        self.status_code = status
        self.content = content
        self.reason_phrase = "OK"
        self.headers = FakeHeaders([("Content-Type", "application/json"), ("X-A", "1")])


class BaseClient:
    def __init__(self, **options: Any) -> None:
        self.options = options
        self.calls: list[dict[str, Any]] = []
        self.script: list[Any] = [FakeResponse(200, b'{"ok": true}')]
        self.closed = False

    def _next(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append({"method": method, "url": url, **kwargs})
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, FakeResponse)
        return step


class Client(BaseClient):
    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        return self._next(method, url, **kwargs)

    def close(self) -> None:
        self.closed = True


class AsyncClient(BaseClient):
    async def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        return self._next(method, url, **kwargs)

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def fake_httpx(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("httpx")
    for item in (TimeoutException, ReadTimeout, TransportError, ConnectError, Timeout):
        setattr(module, item.__name__, item)
    module.Client = Client  # type: ignore[attr-defined]
    module.AsyncClient = AsyncClient  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "httpx", module)
    return module


def body(response: rt.Response) -> Any:
    return response.json()


def test_httpx_is_only_imported_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)  # makes "import httpx" fail
    with pytest.raises(ImportError):
        rt.httpx_transport()
    with pytest.raises(ImportError):
        rt.async_httpx_transport()


def test_sync_adapter_sends_and_maps_the_response(fake_httpx: types.ModuleType) -> None:
    transport = rt.httpx_transport(http2=False)
    client_core = rt.ClientCore(base_url="https://api.test/v1", transport=transport)
    result = client_core.call(
        LIST_ITEMS, query=[("q", "a b")], json_body={"x": 1}, parse=body, timeout=rt.Timeout(1, 2)
    )
    assert (result.status, result.data, result.headers["x-a"]) == (200, {"ok": True}, "1")
    client = transport._client  # type: ignore[attr-defined]
    assert client.options == {"http2": False}
    [call] = client.calls
    assert (call["method"], call["url"]) == ("GET", "https://api.test/v1/items?q=a%20b")
    assert call["content"] == b'{"x":1}'
    assert ("Content-Type", "application/json") in call["headers"]
    assert call["timeout"].parts == {"connect": 1, "read": 2, "write": 2, "pool": 1}
    assert call["follow_redirects"] is False
    client_core.close()
    assert client.closed is False  # a transport passed in belongs to the caller
    transport.close()
    assert client.closed is True


def test_sync_adapter_maps_errors(fake_httpx: types.ModuleType) -> None:
    own = Client()
    own.script = [ReadTimeout("slow"), ConnectError("refused"), ValueError("bug")]
    transport = rt.httpx_transport(own)
    sleeps: list[float] = []
    retries = rt.RetryConfig(attempts=2, jitter=0)
    core = rt.ClientCore(
        base_url="https://api.test", transport=transport, retries=retries, sleep=sleeps.append
    )
    with pytest.raises(rt.TransportError) as info:
        core.call(LIST_ITEMS, parse=body)
    assert type(info.value) is rt.TransportError and "ConnectError" in str(info.value)
    assert sleeps == [0.5]
    with pytest.raises(ValueError, match="bug"):
        core.call(LIST_ITEMS, parse=body)
    own.script = [ReadTimeout("slow")]
    with pytest.raises(rt.ApiTimeoutError, match=r"ReadTimeout \(operation list-items\)"):
        core.call(LIST_ITEMS, parse=body, retries=rt.RetryConfig.NONE)
    transport.close()
    assert own.closed is False


def test_async_adapter(fake_httpx: types.ModuleType) -> None:
    async def main() -> tuple[Any, AsyncClient]:
        transport = rt.async_httpx_transport()
        async with rt.AsyncClientCore(base_url="https://api.test", transport=transport) as core:
            result = await core.call(LIST_ITEMS, parse=body)
            client = transport._client  # type: ignore[attr-defined]
            client.script = [ConnectError("down")]
            with pytest.raises(rt.TransportError):
                await core.call(LIST_ITEMS, parse=body, retries=rt.RetryConfig.NONE)
        await transport.aclose()
        return result.data, client

    data, client = asyncio.run(main())
    assert data == {"ok": True}
    assert client.closed is True
