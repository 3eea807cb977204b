"""Fixtures for the runtime tests: a local server, clients with fake sleep/clock/rng, TLS files.

Nothing here sleeps through a real backoff: clients get ``sleep=sleeps.append`` and a fixed
random source, so tests assert the exact retry schedule.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from runtime_server import FakeClock, FixedRandom, LocalServer

from generator.runtime import _runtime as rt


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(
    server: LocalServer, sleeps: list[float], clock: FakeClock
) -> Iterator[Callable[..., rt.ClientCore]]:
    """Build ClientCore instances against ``server`` (base URL ``<server>/v1``), closed after."""
    clients: list[rt.ClientCore] = []

    def make(**options: Any) -> rt.ClientCore:
        options.setdefault("base_url", server.url + "/v1")
        options.setdefault("sleep", sleeps.append)
        options.setdefault("clock", clock)
        options.setdefault("rng", FixedRandom(0.5))
        client = rt.ClientCore(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1 (made with the openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(tls_files: tuple[Path, Path]) -> Iterator[LocalServer]:
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with LocalServer(tls=context) as local:
        yield local


@pytest.fixture
def trusting_context(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    """A client context that trusts the test certificate (and verifies it)."""
    return ssl.create_default_context(cafile=str(tls_files[0]))
