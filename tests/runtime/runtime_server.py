"""A scriptable, threaded HTTP/1.1 test server for the runtime tests (127.0.0.1 only).

Routes map a raw request path (as sent, percent-encoding included, without the query) to a
queue of replies: each request takes the next one and the last one repeats. A reply is a
:class:`Reply` or a callable ``(Recorded) -> Reply`` for dynamic answers (pagination, OAuth2
token endpoint, ...). Every request is recorded (method, path, query, headers, body and the id
of the TCP connection it came on) in ``server.requests``.
"""

from __future__ import annotations

import base64
import itertools
import json
import socket
import ssl
import struct
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from generator.runtime import _runtime as rt


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes
    connection: int

    @property
    def query(self) -> dict[str, list[str]]:
        """The decoded query string (values of repeated names in order)."""
        return parse_qs(self.raw_query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive) or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


@dataclass
class Reply:
    """What to answer. ``body`` that is not bytes/str is sent as JSON."""

    status: int = 200
    body: Any = b""
    headers: Sequence[tuple[str, str]] = ()
    content_type: str | None = "application/json"
    delay: float = 0.0  # wait before the status line
    body_delay: float = 0.0  # wait after the headers and the first half of the body
    chunked: bool = False
    close: bool = False  # silently close the connection afterwards (no "Connection: close")
    truncate: int | None = None  # send only this many body bytes, then end the connection
    reset: bool = False  # with truncate: end with a TCP reset instead of a clean close
    date: bool = True  # send a Date header
    length: bool = True  # send Content-Length (False: the body ends when the connection closes)
    interim: bool = False  # send a "100 Continue" interim response first

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


def json_reply(body: Any, status: int = 200, **options: Any) -> Reply:
    return Reply(status=status, body=body, **options)


Handler = Callable[[Recorded], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    owner: LocalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connections that tests break on purpose are not worth a traceback."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 10

    def setup(self) -> None:
        owner = self.server.owner
        self.connection_id = next(owner._connection_ids)
        owner._track(self.request)
        # Headers and body go out in separate writes: avoid Nagle + delayed-ACK stalls.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _dispatch(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = self.path.partition("?")
        recorded = Recorded(
            method=self.command,
            path=path,
            raw_query=raw_query,
            headers=list(self.headers.items()),
            body=body,
            connection=self.connection_id,
        )
        owner._record(recorded)
        action = owner._next_action(path)
        reply = action(recorded) if callable(action) else action
        self._send(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _send(self, reply: Reply) -> None:
        owner = self.server.owner
        if reply.delay and owner.stop_event.wait(reply.delay):
            self.close_connection = True
            return
        payload = reply.payload()
        if reply.interim:
            self.wfile.write(b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n")
        self.send_response_only(reply.status)
        if reply.date:
            self.send_header("Date", formatdate(usegmt=True))
        if reply.content_type and payload:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif not reply.length:
            self.close_connection = True
        elif self.command != "HEAD" or payload:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD":
            payload = b""
        if reply.truncate is not None:
            self.wfile.write(payload[: reply.truncate])
            self.wfile.flush()
            owner.stop_event.wait(0.05)
            if reply.reset:
                self.request.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.close_connection = True
            self.request.close()
            return
        if reply.chunked:
            pieces = [payload[i : i + 7] for i in range(0, len(payload), 7)]
            for piece in pieces:
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
        elif reply.body_delay:
            half = len(payload) // 2
            self.wfile.write(payload[:half])
            self.wfile.flush()
            if owner.stop_event.wait(reply.body_delay):
                self.close_connection = True
                return
            self.wfile.write(payload[half:])
        else:
            self.wfile.write(payload)
        self.wfile.flush()
        if reply.close:
            self.close_connection = True


class LocalServer:
    """The test server; use as a context manager or call start()/stop()."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Recorded] = []
        self.stop_event = threading.Event()
        self._routes: dict[str, deque[Reply | Handler]] = {}
        self._lock = threading.Lock()
        self._connection_ids = itertools.count(1)
        self._sockets: list[socket.socket] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.scheme = "https" if tls is not None else "http"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def route(self, path: str, *replies: Reply | Handler) -> None:
        """Answer requests for ``path`` ("*" = any other path) with ``replies`` in order."""
        with self._lock:
            self._routes[path] = deque(replies)

    def _next_action(self, path: str) -> Reply | Handler:
        with self._lock:
            queue = self._routes.get(path) or self._routes.get("*")
            if not queue:
                return json_reply({"error": "no route", "path": path}, status=404)
            return queue.popleft() if len(queue) > 1 else queue[0]

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def connection_ids(self) -> list[int]:
        return [request.connection for request in self.requests]


# ---------------------------------------------------------------------------------------------
# Dynamic handlers
# ---------------------------------------------------------------------------------------------


def items_for(count: int) -> list[dict[str, int]]:
    return [{"id": index} for index in range(count)]


def cursor_pages(count: int, size: int) -> Handler:
    """``?cursor=c<offset>&limit=n`` -> ``{"data": [...], "meta": {"next_cursor": ...}}``."""
    items = items_for(count)

    def handle(request: Recorded) -> Reply:
        cursor = request.query.get("cursor", ["c0"])[0]
        offset = int(cursor[1:])
        following = offset + size
        return json_reply(
            {
                "data": items[offset:following],
                "meta": {"next_cursor": f"c{following}" if following < count else None},
            }
        )

    return handle


def numbered_pages(count: int, size: int, *, with_total: bool = False) -> Handler:
    """``?page=<n>`` (1-based) -> ``{"results": [...], "total": count?}``."""
    items = items_for(count)

    def handle(request: Recorded) -> Reply:
        page = int(request.query.get("page", ["1"])[0])
        body: dict[str, Any] = {"results": items[(page - 1) * size : page * size]}
        if with_total:
            body["total"] = count
        return json_reply(body)

    return handle


def next_url_pages(count: int, size: int, *, base: str = "", path: str = "/v1/things") -> Handler:
    """``?offset=<n>`` -> ``{"items": [...], "links": {"next": <base><path>?offset=...}}``."""
    items = items_for(count)

    def handle(request: Recorded) -> Reply:
        offset = int(request.query.get("offset", ["0"])[0])
        following = offset + size
        link = f"{base}{path}?offset={following}" if following < count else None
        return json_reply({"items": items[offset:following], "links": {"next": link}})

    return handle


class TokenEndpoint:
    """An OAuth2 token endpoint for the client-credentials grant.

    Checks the client's credentials (HTTP Basic or form fields), issues ``tok-1``, ``tok-2``,
    ... and remembers every issued token in ``issued``.
    """

    def __init__(self, client_id: str, client_secret: str, expires_in: int | None = 3600) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.valid: set[str] = set()

    def __call__(self, request: Recorded) -> Reply:
        form = parse_qs(request.body.decode(), keep_blank_values=True)
        client_id = form.get("client_id", [None])[0]
        client_secret = form.get("client_secret", [None])[0]
        authorization = request.header("Authorization") or ""
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if request.header("Content-Type") != "application/x-www-form-urlencoded":
            return json_reply({"error": "invalid_request"}, status=400)
        if form.get("grant_type") != ["client_credentials"]:
            return json_reply({"error": "unsupported_grant_type"}, status=400)
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return json_reply({"error": "invalid_client"}, status=401)
        token = f"tok-{len(self.issued) + 1}"
        self.issued.append(token)
        self.valid.add(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return json_reply(body)

    def protected(self, request: Recorded) -> Reply:
        """A resource that accepts any currently valid token."""
        authorization = request.header("Authorization") or ""
        if authorization.startswith("Bearer ") and authorization[7:] in self.valid:
            return json_reply({"ok": True, "token": authorization[7:]})
        return json_reply({"error": "invalid_token"}, status=401)


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# Deterministic stand-ins for the clients' sleep, clock and rng
# ---------------------------------------------------------------------------------------------


class FixedRandom:
    """An rng whose ``random()`` returns the given values in turn, then repeats the last one."""

    def __init__(self, *values: float) -> None:
        self.values = list(values) or [0.5]
        self.calls = 0

    def random(self) -> float:
        value = self.values[min(self.calls, len(self.values) - 1)]
        self.calls += 1
        return value


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def async_client(server: LocalServer, sleeps: list[float], **options: Any) -> rt.AsyncClientCore:
    """An AsyncClientCore against ``server`` whose sleep only records the delay."""

    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)

    options.setdefault("base_url", server.url + "/v1")
    options.setdefault("sleep", fake_sleep)
    options.setdefault("rng", FixedRandom(0.5))
    return rt.AsyncClientCore(**options)
