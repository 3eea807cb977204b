"""Run Stoplight Prism as a local mock server for clientgen's end-to-end tests.

Prism (``@stoplight/prism-cli``, pinned in ``package.json``) serves an OpenAPI document
over HTTP: it validates every request against the spec and answers with the spec's
examples (static mode) or with data generated from the response schemas (dynamic mode).
``make test`` installs it into ``node_modules/`` with ``npm ci``.

Typical use from a ``conftest.py``::

    from .prism import prism_server

    petstore = prism_server(SPECS / "petstore.yaml", scope="session")

    def test_get_pet(petstore: PrismServer) -> None:
        resp = petstore.request("GET", "/pets/1")
        resp.assert_no_violations()

How Prism 5 signals that a request (or its own answer) breaks the spec:

* A request with an *error*-severity violation (missing required parameter or header,
  wrong type, invalid JSON body, ...) gets, if the operation declares a 422 or 400
  response, that response (its example, with its status), otherwise a Prism-made
  ``422`` ``application/problem+json`` body of type
  ``https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY`` whose ``validation`` array
  lists the violations. In the first case the violations are only visible in the
  ``sl-violations`` response header.
* Any violation, request or response side, of any severity (``Error``, ``Warning`` for
  e.g. a deprecated parameter, ...) is listed in the ``sl-violations`` response header as a
  JSON array of ``{"location": [...], "severity", "code", "message"}`` (the value is cut
  at about 8 KiB and then starts with ``"Too many violations! "``).
* With ``--errors`` (on by default here), a *response* that breaks the spec (e.g. a
  wrong example in the spec) becomes a ``500`` problem of type ``...#VIOLATIONS``. This
  flag does not change what happens to invalid requests.
* Everything else Prism cannot serve (no such path: ``404 NO_PATH_MATCHED_ERROR``;
  method: ``405``; ``Prefer: code=`` not in the spec: ``404 NOT_FOUND``; unsupported
  Content-Type: ``415``; missing credentials: ``401``; ...) is a problem+json body whose
  ``type`` starts with ``https://stoplight.io/prism/errors#``.
* Prism also logs every violation (``[VALIDATOR]`` error/warning lines) and every
  Prism-made error (``Request terminated with error: ...``) to its output, which
  :class:`PrismServer` captures. ``mark = prism.log_mark()`` before the calls and
  ``prism.assert_no_logged_violations(mark)`` after them catch violations even when the
  client under test hides the raw response (the log lags the responses a little; these
  methods wait for it to catch up).

Choosing a response: send ``Prefer: code=404`` (a status declared in the spec),
``Prefer: example=NAME`` (a named example), ``Prefer: dynamic=true`` / ``dynamic=false``
(override the server's mode for one request), or several at once separated by commas
(``Prefer: code=200, example=empty``). See :func:`prefer`.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import pytest

__all__ = [
    "HOST",
    "PRISM_BIN",
    "PROBLEM_TYPE_PREFIX",
    "VIOLATIONS_HEADER",
    "PrismNotInstalledError",
    "PrismResponse",
    "PrismServer",
    "PrismStartError",
    "Violation",
    "assert_no_violations",
    "find_violations",
    "prefer",
    "prism_server",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The clientgen checkout (this file is ``tests/e2e/prism.py``)."""

PRISM_BIN = REPO_ROOT / "node_modules" / ".bin" / "prism"
"""The Prism CLI installed by ``npm ci`` from ``package-lock.json``."""

HOST = "127.0.0.1"
"""Prism only ever listens on the loopback address."""

VIOLATIONS_HEADER = "sl-violations"
"""Response header in which Prism lists request and response violations (JSON array)."""

PROBLEM_TYPE_PREFIX = "https://stoplight.io/prism/errors#"
"""Prefix of the ``type`` of every problem+json body that Prism makes up itself."""

_TRUNCATED_PREFIX = "Too many violations! "
_LISTENING = "Prism is listening on "
_LOG_TERMINATED = "Request terminated with error: "
_LOG_VALIDATOR = "[VALIDATOR]"
_LOG_ERROR_MARK = "\u2716"  # signale's ✖, on error lines
_LOG_WARNING_MARK = "\u26a0"  # signale's ⚠, on warning lines
_PORT_ATTEMPTS = 3
_SYNC_PATH = "/__prism_harness_sync__/"

HeadersLike = Mapping[str, str] | Message
"""Response headers: a mapping (any key case) or an ``http.client.HTTPMessage``."""


class PrismNotInstalledError(RuntimeError):
    """``node_modules/.bin/prism`` is missing: the npm test tools were never installed."""


class PrismStartError(RuntimeError):
    """Prism exited, or did not answer HTTP, before the startup deadline."""


@dataclass(frozen=True)
class Violation:
    """One problem Prism found with a request or with its own response.

    ``location`` is e.g. ``("request", "query")`` or ``("response", "body", "id")``;
    for a Prism-made error without a violation list it is ``("prism",)`` and ``code`` is
    the error type, e.g. ``"NO_PATH_MATCHED_ERROR"``.
    """

    location: tuple[str, ...]
    severity: str
    code: str
    message: str

    def __str__(self) -> str:
        where = ".".join(self.location) or "?"
        return f"[{self.severity}] {where}: {self.message} ({self.code})"


def _header(headers: HeadersLike, name: str) -> str | None:
    """Return the first value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower() == wanted:
            return str(value)
    return None


def _violation_from_json(item: Any, *, default_side: str) -> Violation:
    if not isinstance(item, Mapping):
        return Violation((default_side,), "Error", "unparsed", repr(item))
    raw_location = item.get("location", [])
    location = tuple(str(part) for part in raw_location) if isinstance(raw_location, list) else ()
    if not location or location[0] not in ("request", "response"):
        location = (default_side, *location)
    return Violation(
        location=location,
        severity=str(item.get("severity", "Error")),
        code=str(item.get("code", "")),
        message=str(item.get("message", "")),
    )


def _parse_violations_header(value: str) -> list[Violation]:
    truncated = value.startswith(_TRUNCATED_PREFIX)
    text = value[len(_TRUNCATED_PREFIX) :] if truncated else value
    try:
        items = json.loads(text)
    except ValueError:
        items = None
    if not isinstance(items, list):
        what = "truncated" if truncated else "unparsable"
        return [Violation(("response", "headers"), "Error", what, f"{VIOLATIONS_HEADER}: {value}")]
    return [_violation_from_json(item, default_side="request") for item in items]


def _prism_problem(body: bytes) -> Mapping[str, Any] | None:
    """Return the problem+json object if ``body`` is an error Prism made up, else None."""
    if not body.lstrip().startswith(b"{"):
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    if isinstance(doc, dict) and str(doc.get("type", "")).startswith(PROBLEM_TYPE_PREFIX):
        return doc
    return None


def find_violations(
    status: int, headers: HeadersLike, body: bytes, *, allow_warnings: bool = False
) -> list[Violation]:
    """List everything Prism reported as wrong with one exchange (empty: all good).

    Looks at the ``sl-violations`` header and at a Prism-made problem+json body (422
    invalid request, 500 invalid response under ``--errors``, 404 no such path, ...).
    ``status`` is only used to describe a problem that lists no violations. With
    ``allow_warnings``, violations whose severity is not ``Error`` (e.g. a deprecated
    parameter was sent) are left out.
    """
    found: list[Violation] = []
    header = _header(headers, VIOLATIONS_HEADER)
    if header:
        found.extend(_parse_violations_header(header))
    problem = _prism_problem(body)
    if problem is not None:
        listed = problem.get("validation")
        if isinstance(listed, list) and listed:
            found.extend(_violation_from_json(item, default_side="request") for item in listed)
        else:
            kind = str(problem.get("type", ""))[len(PROBLEM_TYPE_PREFIX) :]
            title = problem.get("title", "")
            detail = problem.get("detail", "")
            message = f"HTTP {problem.get('status', status)} {title}: {detail}".rstrip(": ")
            found.append(Violation(("prism",), "Error", kind, message))
    unique: list[Violation] = []
    for violation in found:
        if violation in unique:
            continue
        if allow_warnings and violation.severity != "Error":
            continue
        unique.append(violation)
    return unique


def assert_no_violations(
    status: int,
    headers: HeadersLike,
    body: bytes,
    *,
    allow_warnings: bool = False,
    context: str = "",
) -> None:
    """Raise AssertionError, listing them, if Prism reported any violation for a response.

    ``context`` (e.g. ``"GET /pets"``) is put in the message. See :func:`find_violations`.
    """
    violations = find_violations(status, headers, body, allow_warnings=allow_warnings)
    if not violations:
        return
    what = f" for {context}" if context else ""
    lines = [f"Prism reported {len(violations)} violation(s){what} (HTTP {status}):"]
    lines.extend(f"  - {violation}" for violation in violations)
    preview = body[:2000].decode("utf-8", errors="replace")
    lines.append(f"response body: {preview}")
    raise AssertionError("\n".join(lines))


def prefer(
    *, code: int | None = None, example: str | None = None, dynamic: bool | None = None
) -> dict[str, str]:
    """Build the ``Prefer`` header that makes Prism pick a given response.

    ``prefer(code=404)`` -> ``{"Prefer": "code=404"}``; the status must be declared for
    the operation (otherwise Prism answers 404 ``NOT_FOUND``). ``example`` names an entry
    of the response's ``examples``; ``dynamic`` overrides the server's mode for one call.
    """
    parts: list[str] = []
    if code is not None:
        parts.append(f"code={code}")
    if example is not None:
        parts.append(f"example={example}")
    if dynamic is not None:
        parts.append(f"dynamic={'true' if dynamic else 'false'}")
    return {"Prefer": ", ".join(parts)} if parts else {}


@dataclass(frozen=True)
class PrismResponse:
    """A raw HTTP answer from Prism (4xx/5xx are returned, not raised)."""

    status: int
    reason: str
    headers: dict[str, str] = field(repr=False)
    """Header names lower-cased."""
    body: bytes = field(repr=False)
    context: str = ""
    """``"METHOD /path"`` of the request, for messages."""

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)

    def violations(self, *, allow_warnings: bool = False) -> list[Violation]:
        """See :func:`find_violations`."""
        return find_violations(self.status, self.headers, self.body, allow_warnings=allow_warnings)

    def assert_no_violations(self, *, allow_warnings: bool = False) -> None:
        """See :func:`assert_no_violations`."""
        assert_no_violations(
            self.status,
            self.headers,
            self.body,
            allow_warnings=allow_warnings,
            context=self.context,
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_http(port: int) -> bool:
    """True if something answers HTTP on the port.

    Uses a CORS preflight, which Prism answers (204) without routing or logging it.
    """
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request(
            "OPTIONS",
            "/",
            headers={"Origin": f"http://{HOST}", "Access-Control-Request-Method": "GET"},
        )
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


_LIVE: set[PrismServer] = set()


@atexit.register
def _stop_leftovers() -> None:  # pragma: no cover - only runs if a teardown was skipped
    for server in list(_LIVE):
        server.stop()


class PrismServer:
    """A ``prism mock`` process on 127.0.0.1 for the lifetime of a ``with`` block.

    ``with PrismServer(spec) as prism: ... prism.base_url ...`` starts Prism on a free
    port in its own process group, waits (up to ``startup_timeout`` seconds) until it
    answers HTTP, and on exit sends SIGTERM to the group, then SIGKILL after
    ``stop_grace`` seconds, whatever the body raised. Prism's stdout and stderr go to a
    temporary file; :meth:`output` returns them and startup failures include them.

    ``dynamic`` passes ``--dynamic`` (responses generated from the schemas rather than the
    examples); ``seed`` passes ``--seed`` so generated data is reproducible (with a seed,
    the same request gets the same data every time, across restarts too); ``errors``
    passes ``--errors`` (a response that breaks the spec becomes a 500 problem).
    """

    def __init__(
        self,
        spec: str | os.PathLike[str],
        *,
        dynamic: bool = False,
        seed: str | int | None = None,
        errors: bool = True,
        startup_timeout: float = 60.0,
        stop_grace: float = 5.0,
        prism_bin: str | os.PathLike[str] = PRISM_BIN,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.spec = Path(spec).resolve()
        self.dynamic = dynamic
        self.seed = None if seed is None else str(seed)
        self.errors = errors
        self.startup_timeout = startup_timeout
        self.stop_grace = stop_grace
        self.prism_bin = Path(prism_bin)
        self.extra_args = tuple(extra_args)
        self.startup_seconds: float | None = None
        """Seconds from spawning Prism until it answered HTTP (set by :meth:`start`)."""
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._log_path: Path | None = None
        self._final_output: str | None = None

    # -- lifecycle -----------------------------------------------------------------

    def command(self, port: int) -> list[str]:
        """The ``prism mock`` command line for the given port."""
        cmd = [str(self.prism_bin), "mock", str(self.spec), "--host", HOST, "--port", str(port)]
        if self.errors:
            cmd.append("--errors")
        if self.dynamic:
            cmd.append("--dynamic")
        if self.seed is not None:
            cmd += ["--seed", self.seed]
        cmd += self.extra_args
        return cmd

    def start(self) -> PrismServer:
        """Start Prism and wait until it answers; raise on failure (Prism is then stopped)."""
        if self._proc is not None:
            raise RuntimeError("PrismServer already started")
        if not os.access(self.prism_bin, os.X_OK):
            raise PrismNotInstalledError(
                f"Prism is not installed ({self.prism_bin} is missing). Run `make test`, or "
                "`npm ci` in the repository root, to install the npm test tools."
            )
        if not self.spec.is_file():
            raise FileNotFoundError(f"OpenAPI spec not found: {self.spec}")
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            try:
                self._spawn_and_wait()
                return self
            except PrismStartError:
                in_use = "EADDRINUSE" in self.output()  # lost a race for the free port
                self.stop()
                if not in_use or attempt == _PORT_ATTEMPTS:
                    raise
                self._final_output = None
            except BaseException:  # e.g. KeyboardInterrupt while waiting
                self.stop()
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _spawn_and_wait(self) -> None:
        port = _free_port()
        fd, log_name = tempfile.mkstemp(prefix="prism-", suffix=".log")
        self._log_path = Path(log_name)
        env = dict(os.environ, FORCE_COLOR="0", NO_COLOR="1")
        started = time.monotonic()
        try:
            self._proc = subprocess.Popen(
                self.command(port),
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # own session, so own process group
            )
        finally:
            os.close(fd)
        self._port = port
        _LIVE.add(self)
        deadline = started + self.startup_timeout
        listening = f"{_LISTENING}http://{HOST}:{port}"
        while True:
            code = self._proc.poll()
            if code is not None:
                raise PrismStartError(
                    f"Prism exited with code {code} before answering on port {port}.\n"
                    f"command: {' '.join(self.command(port))}\n"
                    f"--- Prism output ---\n{self.output()}"
                )
            if listening in self.output() and _answers_http(port):
                self.startup_seconds = time.monotonic() - started
                return
            if time.monotonic() > deadline:
                raise PrismStartError(
                    f"Prism did not answer on http://{HOST}:{port} within "
                    f"{self.startup_timeout:g} s (it must log {listening!r} and answer HTTP).\n"
                    f"command: {' '.join(self.command(port))}\n"
                    f"--- Prism output ---\n{self.output()}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop Prism (SIGTERM to its group, SIGKILL after the grace period). Idempotent."""
        proc = self._proc
        if proc is not None:
            if proc.poll() is None:
                self._signal(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=self.stop_grace)
                except subprocess.TimeoutExpired:
                    self._signal(proc, signal.SIGKILL)
                    proc.wait()
            # Anything Prism forked and left behind in its group goes too.
            self._signal(proc, signal.SIGKILL)
        _LIVE.discard(self)
        if self._log_path is not None:
            self._final_output = self._read_log()
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    @staticmethod
    def _signal(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        """Send ``sig`` to Prism's process group (or, failing that, to Prism alone)."""
        try:
            os.killpg(proc.pid, sig)  # Prism leads its own group: pgid == pid
        except (ProcessLookupError, PermissionError):
            if proc.poll() is None:
                proc.send_signal(sig)

    def __enter__(self) -> PrismServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        self.stop()
        return False

    # -- state -------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the Prism process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def port(self) -> int:
        """The TCP port Prism listens on (only valid once started)."""
        if self._port is None:
            raise RuntimeError("PrismServer not started")
        return self._port

    @property
    def pid(self) -> int:
        """Process id of Prism (also its process-group id)."""
        if self._proc is None:
            raise RuntimeError("PrismServer not started")
        return self._proc.pid

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash: the generated client's base URL."""
        return f"http://{HOST}:{self.port}"

    def url(self, path: str, query: Mapping[str, str | int] | None = None) -> str:
        """Absolute URL for ``path`` (which starts with ``/``) plus an optional query."""
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: str(v) for k, v in query.items()})
        return url

    # -- Prism's log -----------------------------------------------------------------

    def _read_log(self) -> str:
        if self._log_path is None:
            return ""
        try:
            return self._log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def output(self) -> str:
        """Everything Prism printed so far (stdout and stderr), also after :meth:`stop`."""
        if self._final_output is not None and self._log_path is None:
            return self._final_output
        return self._read_log()

    def sync_log(self, timeout: float = 10.0) -> None:
        """Wait until Prism has logged everything about the requests answered so far.

        Prism writes its log asynchronously, a little after the response went out. This
        sends a marker request (``TRACE /__prism_harness_sync__/<token>``, which no spec
        routes) and waits for Prism's line about it; Prism logs in order, so every earlier
        line is then in :meth:`output` too.
        """
        token = uuid.uuid4().hex
        self.request("TRACE", f"{_SYNC_PATH}{token}", timeout=timeout)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.output().splitlines():
                if token in line and _LOG_TERMINATED in line:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"Prism did not log the sync request within {timeout:g} s.\n"
                    f"--- Prism output ---\n{self.output()}"
                )
            time.sleep(0.01)

    def log_mark(self) -> int:
        """Offset in :meth:`output` after every request answered so far.

        Pass it as ``since`` to :meth:`logged_violations` to look only at later requests.
        """
        if self.running:
            self.sync_log()
        return len(self.output())

    def logged_violations(self, since: int = 0, *, allow_warnings: bool = False) -> list[str]:
        """Log lines after offset ``since`` in which Prism reported a violation or an error.

        These are the validator's error and warning lines (``Violation: ...``, the reasons
        a request was rejected) and ``Request terminated with error: ...`` (every answer
        Prism made up itself: 422, 404 no such path, ...).

        Waits for Prism's log to catch up first (:meth:`sync_log`). With
        ``allow_warnings``, warning-level violations (e.g. a deprecated parameter) are
        left out.
        """
        if self.running:
            self.sync_log()
        lines = []
        for line in self.output()[since:].splitlines():
            if _SYNC_PATH in line:
                continue
            if _LOG_TERMINATED in line:
                lines.append(line.strip())
            elif _LOG_VALIDATOR in line:
                if _LOG_ERROR_MARK in line or (_LOG_WARNING_MARK in line and not allow_warnings):
                    lines.append(line.strip())
        return lines

    def assert_no_logged_violations(self, since: int = 0, *, allow_warnings: bool = False) -> None:
        """Raise AssertionError if Prism logged a violation or an error after ``since``.

        Use it when the client under test does not expose the raw response: take
        ``mark = prism.log_mark()``, make the calls, then
        ``prism.assert_no_logged_violations(mark)``.
        """
        lines = self.logged_violations(since, allow_warnings=allow_warnings)
        if lines:
            listing = "\n".join(f"  {line}" for line in lines)
            raise AssertionError(f"Prism logged {len(lines)} violation(s):\n{listing}")

    # -- making requests -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> PrismResponse:
        """Send one request with ``urllib`` and return the answer, whatever its status.

        ``json_body`` (if not None) is serialised and sent as ``application/json``;
        ``body`` sends raw bytes as they are.
        """
        send_headers = dict(headers or {})
        data = body
        if json_body is not None:
            data = json.dumps(json_body).encode()
            send_headers.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(
            self.url(path, query), data=data, headers=send_headers, method=method.upper()
        )
        context = f"{method.upper()} {path}"
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, reason = resp.status, resp.reason
                raw_headers, payload = resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            status, reason = err.code, str(err.reason)
            raw_headers, payload = err.headers, err.read()
        lowered = {str(k).lower(): str(v) for k, v in raw_headers.items()}
        return PrismResponse(status, reason, lowered, payload, context)

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "not started"
        return f"PrismServer({self.spec.name!r}, {where}, dynamic={self.dynamic})"


def prism_server(
    spec: str | os.PathLike[str],
    *,
    dynamic: bool = False,
    seed: str | int | None = None,
    errors: bool = True,
    scope: Literal["session", "package", "module", "class", "function"] = "module",
    name: str | None = None,
    prism_bin: str | os.PathLike[str] = PRISM_BIN,
) -> Callable[[], Iterator[PrismServer]]:
    """Make a pytest fixture that yields a running :class:`PrismServer` for ``spec``.

    Assign the result in a test module or ``conftest.py``; the fixture is named after
    the variable (or ``name``)::

        petstore = prism_server(FIXTURES / "petstore-mini.yaml", scope="session")

    If Prism is not installed the fixture fails (it does not skip) and says to run
    ``make test`` / ``npm ci``; if Prism cannot start, the failure includes its output.
    """

    def _fixture() -> Iterator[PrismServer]:
        server = PrismServer(spec, dynamic=dynamic, seed=seed, errors=errors, prism_bin=prism_bin)
        problem = None
        try:
            server.start()
        except (PrismNotInstalledError, PrismStartError) as err:
            problem = str(err)
        if problem is not None:  # failed outside the except: no chained traceback
            pytest.fail(problem, pytrace=False)
        try:
            yield server
        finally:
            server.stop()

    return pytest.fixture(scope=scope, name=name)(_fixture)
