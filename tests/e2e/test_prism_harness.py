"""Tests of the Prism mock-server harness (tests/e2e/prism.py) itself.

They run the real Prism from node_modules against fixtures/petstore-mini.yaml and talk to
it with urllib only. One static and one dynamic server are shared per module; the
lifecycle tests start their own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from .prism import (
    HOST,
    PrismNotInstalledError,
    PrismResponse,
    PrismServer,
    PrismStartError,
    Violation,
    assert_no_violations,
    find_violations,
    prefer,
    prism_server,
)

MINI = Path(__file__).parent / "fixtures" / "petstore-mini.yaml"
LIST_HEADERS = {"X-Request-Id": "req-1"}
TWO_PETS = [{"id": 1, "name": "Rex", "tag": "dog"}, {"id": 2, "name": "Tom", "tag": "cat"}]
REX = {"id": 1, "name": "Rex", "tag": "dog"}

static = prism_server(MINI)
dynamic = prism_server(MINI, dynamic=True)


def check_pet(pet: Any) -> None:
    """Hand-written check of the spec's Pet schema."""
    assert isinstance(pet, dict), pet
    assert set(pet) <= {"id", "name", "tag"}, pet
    assert isinstance(pet["id"], int) and not isinstance(pet["id"], bool), pet
    assert pet["id"] >= 1, pet
    assert isinstance(pet["name"], str) and pet["name"], pet
    if "tag" in pet:
        assert isinstance(pet["tag"], str), pet


def violation_text(resp: PrismResponse) -> str:
    with pytest.raises(AssertionError) as info:
        resp.assert_no_violations()
    return str(info.value)


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a killed process that nobody has reaped yet is a zombie: dead for us
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def wait_dead(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- static mode and Prefer ------------------------------------------------------------


def test_static_mode_returns_the_first_example(static: PrismServer) -> None:
    resp = static.request("GET", "/pets", query={"limit": 2}, headers=LIST_HEADERS)
    assert resp.status == 200
    assert resp.json() == TWO_PETS
    assert resp.violations() == []
    resp.assert_no_violations()
    pet = static.request("GET", "/pets/1")
    assert (pet.status, pet.json()) == (200, REX)
    pet.assert_no_violations()


def test_base_url_is_loopback_with_the_port(static: PrismServer) -> None:
    assert static.base_url == f"http://127.0.0.1:{static.port}"
    assert static.startup_seconds is not None and static.startup_seconds < 60


def test_prefer_code_returns_that_responses_example(static: PrismServer) -> None:
    resp = static.request("GET", "/pets/7", headers=prefer(code=404))
    assert resp.status == 404
    assert resp.json() == {"code": 404, "message": "pet not found"}
    resp.assert_no_violations()  # a spec-declared 404 is not a violation


def test_prefer_example_picks_a_named_example(static: PrismServer) -> None:
    headers = {**LIST_HEADERS, **prefer(code=200, example="empty")}
    assert headers["Prefer"] == "code=200, example=empty"
    resp = static.request("GET", "/pets", query={"limit": 2}, headers=headers)
    assert (resp.status, resp.json()) == (200, [])
    resp.assert_no_violations()


def test_prefer_dynamic_generates_from_the_schema(static: PrismServer) -> None:
    headers = {**LIST_HEADERS, **prefer(dynamic=True)}
    resp = static.request("GET", "/pets", query={"limit": 2}, headers=headers)
    assert resp.status == 200
    pets = resp.json()
    assert isinstance(pets, list) and pets != TWO_PETS
    for pet in pets:
        check_pet(pet)
    resp.assert_no_violations()


def test_prefer_code_not_in_the_spec_is_a_violation(static: PrismServer) -> None:
    resp = static.request("GET", "/pets/7", headers=prefer(code=418))
    assert resp.status == 404
    assert "NOT_FOUND" in violation_text(resp)
    assert "418" in violation_text(resp)


# -- violations --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        ({}, LIST_HEADERS, "Request query must have required property 'limit'"),
        ({"limit": 2}, {}, "Request header must have required property 'x-request-id'"),
        ({"limit": 0}, LIST_HEADERS, "limit must be >= 1"),
    ],
    ids=["missing-query", "missing-header", "query-out-of-range"],
)
def test_invalid_request_without_400_in_spec_is_a_422_problem(
    static: PrismServer, query: dict[str, int], headers: dict[str, str], expected: str
) -> None:
    resp = static.request("GET", "/pets", query=query, headers=headers)
    assert resp.status == 422
    assert resp.headers["content-type"] == "application/problem+json"
    assert "sl-violations" not in resp.headers
    text = violation_text(resp)
    assert expected in text
    assert "[Error] request." in text
    assert "GET /pets" in text


def test_invalid_body_with_400_in_spec_is_signalled_in_the_header(static: PrismServer) -> None:
    resp = static.request("POST", "/pets", json_body={"nom": "Rex"})
    # Prism answers with the spec's own 400 example: only the header tells.
    assert resp.status == 400
    assert resp.json() == {"code": 400, "message": "invalid pet"}
    assert "sl-violations" in resp.headers
    text = violation_text(resp)
    assert "Request body must have required property 'name'" in text
    assert "Request body must NOT have additional properties; found 'nom'" in text
    assert "request.body" in text


def test_valid_body_passes(static: PrismServer) -> None:
    resp = static.request("POST", "/pets", json_body={"name": "Nemo", "tag": "fish"})
    assert resp.status == 201
    assert resp.json() == {"id": 3, "name": "Nemo", "tag": "fish"}
    resp.assert_no_violations()


def test_bad_path_param_and_unknown_path_are_violations(static: PrismServer) -> None:
    bad_param = static.request("GET", "/pets/abc")
    assert bad_param.status == 422
    assert "Request path parameter petid must be integer" in violation_text(bad_param)
    unknown = static.request("GET", "/owners")
    assert unknown.status == 404
    assert "NO_PATH_MATCHED_ERROR" in violation_text(unknown)


def test_warnings_fail_unless_allowed(static: PrismServer) -> None:
    query: dict[str, str | int] = {"limit": 2, "legacy": "x"}
    resp = static.request("GET", "/pets", query=query, headers=LIST_HEADERS)
    assert resp.status == 200
    assert "[Warning] request.query.legacy: Query param legacy is deprecated" in violation_text(
        resp
    )
    resp.assert_no_violations(allow_warnings=True)


def test_response_violation_becomes_500_with_errors_flag(static: PrismServer) -> None:
    resp = static.request("GET", "/pets/1", headers=prefer(example="broken"))
    assert resp.status == 500
    assert resp.json()["type"] == "https://stoplight.io/prism/errors#VIOLATIONS"
    text = violation_text(resp)
    assert "[Error] response.body.id: Response body property id must be integer" in text
    assert text.count("response.body.id") == 1  # header and body entries are merged


def test_violations_are_logged_and_found_after_a_mark(static: PrismServer) -> None:
    mark = static.log_mark()
    static.request("GET", "/pets", query={"limit": 1}, headers=LIST_HEADERS)
    assert static.logged_violations(mark) == []
    static.assert_no_logged_violations(mark)

    mark = static.log_mark()
    static.request("GET", "/pets", headers=LIST_HEADERS)
    lines = static.logged_violations(mark)
    assert any("Request query must have required property 'limit'" in line for line in lines)
    assert any("UNPROCESSABLE_ENTITY" in line for line in lines)
    with pytest.raises(AssertionError, match="Prism logged"):
        static.assert_no_logged_violations(mark)

    mark = static.log_mark()
    static.request("POST", "/pets", json_body={})  # answered with the spec's 400
    with pytest.raises(AssertionError, match="must have required property 'name'"):
        static.assert_no_logged_violations(mark)

    mark = static.log_mark()
    static.request("GET", "/pets", query={"limit": 1, "legacy": "y"}, headers=LIST_HEADERS)
    assert static.logged_violations(mark, allow_warnings=True) == []
    assert any("deprecated" in line for line in static.logged_violations(mark))


# -- pure checks of the signalling parser ------------------------------------------------


def test_find_violations_reads_header_body_and_truncation() -> None:
    message = "Request query must have required property 'q'"
    entry = {
        "location": ["request", "query"],
        "severity": "Error",
        "code": "required",
        "message": message,
    }
    header = json.dumps([entry])
    expected = Violation(("request", "query"), "Error", "required", message)
    assert find_violations(400, {"SL-Violations": header}, b"{}") == [expected]
    truncated = find_violations(400, {"sl-violations": "Too many violations! [{"}, b"")
    assert [v.code for v in truncated] == ["truncated"]
    problem = {"type": "https://stoplight.io/prism/errors#NOT_FOUND", "title": "t", "status": 404}
    only_problem = find_violations(404, {}, json.dumps(problem).encode())
    assert [(v.location, v.code) for v in only_problem] == [(("prism",), "NOT_FOUND")]
    other = {"type": "https://example.com/not-prism", "title": "t", "status": 404}
    assert find_violations(404, {}, json.dumps(other).encode()) == []
    with pytest.raises(AssertionError, match=r"\[Error\] request.query: Request query must"):
        assert_no_violations(400, {"sl-violations": header}, b"{}")


# -- dynamic mode and seeds --------------------------------------------------------------


def test_dynamic_mode_returns_varied_schema_valid_data(dynamic: PrismServer) -> None:
    bodies = []
    for _ in range(3):
        resp = dynamic.request("GET", "/pets", query={"limit": 3}, headers=LIST_HEADERS)
        assert resp.status == 200
        resp.assert_no_violations()
        pets = resp.json()
        assert isinstance(pets, list)
        for pet in pets:
            check_pet(pet)
        bodies.append(resp.body)
    assert len(set(bodies)) > 1, "dynamic data did not vary"
    assert json.loads(bodies[0]) != TWO_PETS
    pet = dynamic.request("GET", "/pets/5")
    check_pet(pet.json())
    assert pet.json() != REX
    static_again = dynamic.request("GET", "/pets/5", headers=prefer(dynamic=False))
    assert static_again.json() == REX


def test_seed_makes_dynamic_data_reproducible_across_restarts() -> None:
    bodies = []
    for _ in range(2):
        with PrismServer(MINI, dynamic=True, seed="clientgen") as prism:
            assert "--seed" in prism.command(prism.port)
            for _ in range(2):
                resp = prism.request("GET", "/pets", query={"limit": 3}, headers=LIST_HEADERS)
                assert resp.status == 200
                for pet in resp.json():
                    check_pet(pet)
                bodies.append(resp.body)
    assert len(set(bodies)) == 1, bodies
    assert json.loads(bodies[0]) != TWO_PETS


# -- lifecycle --------------------------------------------------------------------------


def test_process_is_gone_after_the_block() -> None:
    with PrismServer(MINI) as prism:
        pid, port = prism.pid, prism.port
        assert prism.running and is_alive(pid) and port_open(port)
        assert os.getpgid(pid) == pid  # its own process group
    assert not prism.running
    assert not is_alive(pid)
    assert not port_open(port)
    assert "Prism is listening on" in prism.output()  # output kept after stop


def test_process_is_gone_even_if_the_block_raised() -> None:
    pid = port = -1
    with pytest.raises(RuntimeError, match="boom"):
        with PrismServer(MINI) as prism:
            pid, port = prism.pid, prism.port
            assert is_alive(pid)
            raise RuntimeError("boom")
    assert pid > 0
    assert not is_alive(pid)
    assert not port_open(port)


FAKE_PRISM = """\
#!{python}
# Stand-in for the prism CLI: --fake stubborn ignores SIGTERM and has a child in its
# group; --fake foreign answers HTTP but never says Prism is listening (like some other
# server that took the port).
import http.server, signal, subprocess, sys, time
args = sys.argv[1:]
port = int(args[args.index("--port") + 1])
mode = args[args.index("--fake") + 1]
server = http.server.HTTPServer(("127.0.0.1", port), http.server.BaseHTTPRequestHandler)
if mode == "foreign":
    print("some other server", flush=True)
    server.serve_forever()
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen(["sleep", "120"])
print(f"child {{child.pid}}", flush=True)
print(f"Prism is listening on http://127.0.0.1:{{port}}", flush=True)
server.serve_forever()
"""


@pytest.fixture
def fake_prism(tmp_path: Path) -> Path:
    path = tmp_path / "prism"
    path.write_text(FAKE_PRISM.format(python=sys.executable))
    path.chmod(0o755)
    return path


def test_sigkill_after_grace_period_for_the_whole_group(fake_prism: Path) -> None:
    server = PrismServer(
        MINI, prism_bin=fake_prism, extra_args=["--fake", "stubborn"], stop_grace=0.5
    )
    with server:
        pid, port = server.pid, server.port
        child = int(server.output().split("child ", 1)[1].split()[0])
        assert is_alive(child)
        started = time.monotonic()
    assert time.monotonic() - started >= 0.5  # SIGTERM was ignored: waited, then SIGKILL
    assert not is_alive(pid)
    assert wait_dead(child), "child in Prism's process group survived"
    assert not port_open(port)


def test_startup_deadline_fails_with_the_output_and_kills(fake_prism: Path) -> None:
    # Answering HTTP is not enough: Prism must also have said it listens on that port.
    server = PrismServer(
        MINI, prism_bin=fake_prism, extra_args=["--fake", "foreign"], startup_timeout=1.0
    )
    with pytest.raises(PrismStartError, match="did not answer") as info:
        server.start()
    assert "some other server" in str(info.value)
    assert not server.running
    assert not is_alive(server.pid)


def test_startup_failure_shows_prisms_output(tmp_path: Path) -> None:
    spec = tmp_path / "empty.yaml"
    spec.write_text(textwrap.dedent("""\
            openapi: 3.0.3
            info: {title: empty, version: "1"}
            paths: {}
            """))
    with pytest.raises(PrismStartError, match="exited with code") as info:
        PrismServer(spec).start()
    assert "No operations found in the current file." in str(info.value)


def test_missing_prism_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(PrismNotInstalledError, match=r"make test.*npm ci"):
        PrismServer(MINI, prism_bin=tmp_path / "node_modules" / ".bin" / "prism").start()


def test_fixture_fails_with_install_hint_when_prism_is_missing(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""\
            import sys
            sys.path.insert(0, {str(Path(__file__).parents[1])!r})
            from e2e.prism import prism_server
            petstore = prism_server({str(MINI)!r}, prism_bin={str(tmp_path / "nope")!r})
            """))
    (tmp_path / "test_uses_it.py").write_text("def test_it(petstore):\n    pass\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout
    assert "Prism is not installed" in run.stdout
    assert "Run `make test`, or `npm ci`" in run.stdout
    assert "During handling" not in run.stdout


def test_port_taken_in_between_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    from . import prism as prism_module

    with socket.socket() as squatter:
        squatter.bind((HOST, 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port = prism_module._free_port
        monkeypatch.setattr(prism_module, "_free_port", lambda: next(ports, real_free_port()))
        with PrismServer(MINI) as prism:
            assert prism.port != taken
            assert prism.request("GET", "/pets/1").status == 200
