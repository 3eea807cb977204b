"""The generated client of ``tests/fixtures/specs/bodies.yaml`` (golden in tests/golden/bodies)
against Prism: urlencoded and multipart forms, text, XML and binary bodies, text and binary
responses, and operations whose success responses differ.

Prism validates each request against the spec (form fields, multipart parts, media types);
every call must pass without a violation, and the request on the wire is checked here too.
Prism cannot read two things of multipart bodies: a repeated part (it keeps the last one) and
a JSON part (it sees a string), so those are checked on the wire against a local server,
where the stdlib ``email`` parser reads the body back.
"""

from __future__ import annotations

import email.parser
import email.policy
import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import FIXTURE_SPECS, GOLDEN

from .prism import PrismNotInstalledError, PrismServer, PrismStartError, find_violations, prefer

SPEC = next(spec for spec in FIXTURE_SPECS if spec.stem == "bodies")
PACKAGE_DIR = GOLDEN / "bodies" / "bodies"


def _load() -> types.ModuleType:
    alias = "_e2e_bodies_golden"
    if alias not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            alias, PACKAGE_DIR / "__init__.py", submodule_search_locations=[str(PACKAGE_DIR)]
        )
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[alias] = package
        spec.loader.exec_module(package)
    return sys.modules[alias]


pkg = _load()
client_module = importlib.import_module("_e2e_bodies_golden.client")
models = importlib.import_module("_e2e_bodies_golden.models")
File = client_module.File  # the runtime's, importable from client (its docs say so)


class Exchanges:
    """Hooks recording requests and responses; optionally sets a ``Prefer`` header."""

    def __init__(self) -> None:
        self.requests: list[Any] = []
        self.responses: list[Any] = []
        self.prefer: str | None = None

    def before(self, request: Any) -> Any:
        if self.prefer:
            headers = [(k, v) for k, v in request.headers if k.lower() != "prefer"]
            request = type(request)(
                request.method,
                request.url,
                headers + [("Prefer", self.prefer)],
                request.body,
                request.secret_names,
            )
        self.requests.append(request)
        return request

    def after(self, response: Any) -> None:
        self.responses.append(response)

    @property
    def last(self) -> Any:
        return self.requests[-1]


@pytest.fixture(scope="module")
def prism() -> Iterator[PrismServer]:
    server = PrismServer(SPEC)
    try:
        server.start()
    except (PrismNotInstalledError, PrismStartError) as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def call(prism: PrismServer) -> Iterator[tuple[Any, Exchanges]]:
    exchanges = Exchanges()
    mark = prism.log_mark()
    client = pkg.Client(
        base_url=prism.base_url,
        oidc_access_token="e2e-token",
        before_request=exchanges.before,
        after_response=exchanges.after,
    )
    yield client, exchanges
    client.close()
    for response in exchanges.responses:
        assert not find_violations(response.status, response.headers, response.body)
    prism.assert_no_logged_violations(mark)


def parts_of(request: Any) -> list[EmailMessage]:
    raw = b"Content-Type: " + request.header("Content-Type").encode() + b"\r\n\r\n" + request.body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return [p for p in message.iter_parts() if isinstance(p, EmailMessage)]


def test_urlencoded_form(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    token = client.auth.create_token(
        grant_type=models.TokenRequestGrantType.PASSWORD,
        username="ada",
        password="s3cret word&more",
        scope=["read", "write"],
        metadata={"device": "phone"},
    )
    assert token == models.Token(access_token="abc123", expires_in=3600)
    assert ex.last.header("Content-Type") == "application/x-www-form-urlencoded"
    assert ex.last.header("Authorization") is None  # security: [] on this operation
    assert ex.last.body == (
        b"grant_type=password&username=ada&password=s3cret+word%26more"
        b"&scope=read%2Cwrite&metadata[device]=phone"
    )


def test_form_error_model(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    ex.prefer = prefer(code=400)["Prefer"]
    with pytest.raises(pkg.BadRequestError) as info:
        client.auth.create_token(grant_type="password", username="ada", password="x")
    assert info.value.model == models.Error(message="invalid grant")


def test_multipart_with_a_file(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    photo = File(b"\x89PNG\r\n\x1a\n", filename="rex at the beach.png")
    result = client.pets.upload_pet_photo(7, photo=photo, caption="At the beach", tags=["beach"])
    assert result == models.Photo(id="ph-1", size=1024)
    assert ex.last.header("Authorization") == "Bearer e2e-token"
    photo_part, caption, tags = parts_of(ex.last)
    assert photo_part.get_filename() == "rex at the beach.png"
    assert photo_part.get_content_type() == "image/png"  # the spec's encoding.contentType
    assert photo_part.get_payload(decode=True) == photo.content
    assert caption.get_payload(decode=True) == b"At the beach"
    assert tags.get_payload(decode=True) == b"beach"


def test_multipart_plain_bytes_and_files_list(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    client.pets.upload_pet_photo_with_response(7, photo=b"raw image")
    (photo,) = parts_of(ex.last)
    assert (photo.get_filename(), photo.get_content_type()) == ("photo", "image/png")
    assert client.files.upload_documents(files=[b"one"], folder="reports") is None
    files, folder = parts_of(ex.last)
    assert files.get_filename() == "files" and folder.get_payload(decode=True) == b"reports"


def test_text_request_and_response(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    assert client.files.get_note("n-1") == "Buy milk."
    assert ex.last.header("Accept") == "text/plain"
    assert client.files.put_note("n-1", body="Buy milk. Ünïcode") is None
    assert ex.last.header("Content-Type") == "text/plain"
    assert ex.last.body == "Buy milk. Ünïcode".encode()


def test_binary_request_and_response(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    assert client.files.download_blob("b-1") == b"raw-bytes"
    assert ex.last.header("Accept") == "application/octet-stream"
    blob = client.files.upload_blob("b-1", body=b"\x00\x01\xff")
    assert blob == models.Blob(id="b-1", size=9)
    assert (ex.last.body, ex.last.header("Content-Type")) == (
        b"\x00\x01\xff",
        "application/octet-stream",
    )


def test_xml_as_text(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    assert client.files.publish_feed(body="<feed><title>News</title></feed>") == '<feed id="1"/>'
    assert ex.last.header("Content-Type") == "application/xml"
    assert ex.last.header("Accept") == "application/xml"


def test_json_is_preferred_and_responses_read_by_status(call: tuple[Any, Exchanges]) -> None:
    client, ex = call
    pet = client.pets.create_pet(body=models.NewPet(name="Rex"))
    assert pet == models.Pet(id=1, name="Rex")
    assert ex.last.header("Content-Type") == "application/json"
    ex.prefer = prefer(code=201)["Prefer"]
    adoption = client.pets.create_pet_with_response(body=models.NewPet(name="Rex"))
    assert adoption.status == 201
    assert isinstance(adoption.data, models.Adoption)
    assert adoption.data.pet == models.Pet(id=2, name="Rex")


@pytest.mark.parametrize("status", [200, 202, 204])
def test_union_of_success_responses(call: tuple[Any, Exchanges], status: int) -> None:
    client, ex = call
    ex.prefer = prefer(code=status)["Prefer"]
    result = client.jobs.list_jobs_with_response()
    assert result.status == status
    expected = {
        200: [models.Job(id="j-1", state="done")],
        202: models.Accepted(retry_after=5),
        204: None,
    }[status]
    assert result.data == expected


# -- what Prism cannot read: repeated parts and JSON parts, on the wire ----------------------


class _Capture(BaseHTTPRequestHandler):
    captured: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", "0"))
        self.captured.append((dict(self.headers.items()), self.rfile.read(length)))
        payload = b'{"id": "ph-9"}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_repeated_and_json_parts_on_the_wire() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        ex = Exchanges()
        with pkg.Client(
            base_url=f"http://127.0.0.1:{server.server_port}",
            oidc_access_token="t",
            before_request=ex.before,
        ) as client:
            client.pets.upload_pet_photo(
                7,
                photo=File(b"img", filename='a "quoted"\r\nname.png', content_type="image/jpeg"),
                tags=["beach", "summer"],
                details=models.UploadPetPhotoDetails(width=640, height=480),
            )
    finally:
        server.shutdown()
        server.server_close()
    headers, body = _Capture.captured[-1]
    assert body == ex.last.body
    photo, tag1, tag2, details = parts_of(ex.last)
    assert photo.get_filename() == "a %22quoted%22%0D%0Aname.png"
    assert photo.get_content_type() == "image/jpeg"  # the File's own type wins
    assert [tag1.get_payload(decode=True), tag2.get_payload(decode=True)] == [b"beach", b"summer"]
    assert details.get_content_type() == "application/json"
    assert details.get_payload(decode=True) == b'{"width":640,"height":480}'
