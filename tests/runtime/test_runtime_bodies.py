"""Non-JSON request bodies over real HTTP: multipart/form-data, urlencoded forms, raw bytes.

The multipart bodies the local server receives are checked byte for byte (with a fixed
boundary) and parsed back with the standard library's ``email`` parser, an independent
reader: names, filenames (quotes, unicode, CR/LF), part media types and contents.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from runtime_server import LocalServer, json_reply

from generator.runtime import _runtime as rt

MakeClient = Callable[..., rt.ClientCore]
UPLOAD = rt.Operation("upload", "POST", "/uploads")


def body(response: rt.Response) -> Any:
    return response.json()


def parse_multipart(content_type: str, payload: bytes) -> list[EmailMessage]:
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + payload
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    assert isinstance(message, EmailMessage) and message.is_multipart()
    return [part for part in message.iter_parts() if isinstance(part, EmailMessage)]


def test_encode_multipart_wire_bytes() -> None:
    content, content_type = rt.encode_multipart(
        [
            ("file", rt.File(b"\x00PNG\r\n", "a.png", "image/png")),
            ("caption", "hi there"),
            ("n", 3),
            ("flag", True),
            ("skipped", None),
            ("tags", ["a", "b"]),
            ("meta", {"w": 1}),
            ("raw", b"xyz"),
            ("typed", "<x/>", "application/xml"),
        ],
        boundary="BOUNDARY",
    )
    assert content_type == "multipart/form-data; boundary=BOUNDARY"
    assert content == (
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n\x00PNG\r\n\r\n"
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="caption"\r\n\r\nhi there\r\n'
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="n"\r\n\r\n3\r\n'
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="flag"\r\n\r\ntrue\r\n'
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="tags"\r\n\r\na\r\n'
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="tags"\r\n\r\nb\r\n'
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="meta"\r\n'
        b'Content-Type: application/json\r\n\r\n{"w":1}\r\n'
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="raw"; filename="raw"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\nxyz\r\n"
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="typed"\r\n'
        b"Content-Type: application/xml\r\n\r\n<x/>\r\n"
        b"--BOUNDARY--\r\n"
    )


def test_multipart_over_http(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/uploads", json_reply({"ok": True}, status=201))
    client = make_client()
    photo = rt.File("é".encode() * 3 + b"\r\n--x", 'naïve "quoted".png', "image/png")
    result = client.call(
        UPLOAD,
        multipart={"photo": photo, "caption": "Ünïcode text", "meta": {"k": [1, 2]}},
        parse=body,
    )
    assert result.data == {"ok": True}
    (request,) = server.requests
    content_type = request.header("Content-Type") or ""
    assert re.fullmatch(r"multipart/form-data; boundary=clientgen-[0-9a-f]{32}", content_type)
    assert request.header("Content-Length") == str(len(request.body))
    parts = parse_multipart(content_type, request.body)
    assert [p.get_param("name", header="content-disposition") for p in parts] == [
        "photo",
        "caption",
        "meta",
    ]
    assert parts[0].get_filename() == "naïve %22quoted%22.png"
    assert parts[0].get_content_type() == "image/png"
    assert parts[0].get_payload(decode=True) == photo.content
    assert parts[1].get_payload(decode=True) == "Ünïcode text".encode()
    assert parts[2].get_content_type() == "application/json"
    assert parts[2].get_payload(decode=True) == b'{"k":[1,2]}'


@pytest.mark.parametrize(
    "name",
    ['evil"\r\nContent-Type: text/html\r\n\r\n<script>', "a\nb", "a\rb", 'x"; filename="y'],
)
def test_names_cannot_inject_headers(name: str) -> None:
    content, _ = rt.encode_multipart([(name, rt.File(b"v", filename=name))], boundary="B")
    head = content.split(b"\r\n\r\n", 1)[0]
    # the boundary line, one Content-Disposition with one name and one filename, one type
    lines = head.split(b"\r\n")
    assert len(lines) == 3 and not any(b"\r" in line or b"\n" in line for line in lines)
    assert lines[0] == b"--B" and lines[2] == b"Content-Type: application/octet-stream"
    assert lines[1].startswith(b'Content-Disposition: form-data; name="')
    assert lines[1].count(b'"') == 4
    (part,) = parse_multipart("multipart/form-data; boundary=B", content)
    escaped = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    assert part.get_param("name", header="content-disposition") == escaped
    assert part.get_filename() == escaped


def test_boundary_never_occurs_in_the_content() -> None:
    with pytest.raises(ValueError, match="boundary occurs in the content"):
        rt.encode_multipart([("f", b"xx--B\r\nyy")], boundary="B")
    with pytest.raises(ValueError, match="invalid multipart boundary"):
        rt.encode_multipart([("f", b"x")], boundary="a\r\nb")
    content, content_type = rt.encode_multipart([("f", b"--clientgen-")])
    boundary = content_type.split("boundary=")[1]
    assert content.count(b"--" + boundary.encode()) == 2


def test_multipart_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(TypeError, match="File content must be bytes, not str"):
        rt.File("text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid media type"):
        rt.File(b"x", "a.txt", "text/plain\r\nX-Evil: 1")
    with pytest.raises(ValueError, match="invalid media type"):
        rt.encode_multipart([("f", b"x", "not a type")])
    with pytest.raises(TypeError, match="multipart field 'obj': cannot send a object"):
        rt.encode_multipart([("obj", object())])
    with pytest.raises(TypeError, match="field names must be str"):
        rt.encode_multipart([(1, "x")])  # type: ignore[list-item]


def test_file_from_path(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n1,2\n")
    file = rt.File.from_path(path)
    assert (file.content, file.filename, file.content_type) == (
        b"a,b\n1,2\n",
        "report.csv",
        "text/csv",
    )
    assert "8 bytes" in repr(file)


def test_form_fields_with_styles(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/uploads", json_reply({}))
    client = make_client()
    client.call(
        UPLOAD,
        form=[
            rt.QueryParam("scope", ["read", "write"], "form", False),
            rt.QueryParam("ids", [1, 2], "form", True),
            rt.QueryParam("pipes", ["a", "b"], "pipeDelimited", False),
            rt.QueryParam("meta", {"device": "phone x", "n": 1}, "deepObject", True),
            ("plain", "a&b=c+d é"),
            ("mapping", {"k": "v"}),
            ("absent", None),
        ],
        parse=body,
    )
    (request,) = server.requests
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.body == (
        b"scope=read%2Cwrite&ids=1&ids=2&pipes=a%7Cb&meta[device]=phone+x&meta[n]=1"
        b"&plain=a%26b%3Dc%2Bd+%C3%A9&mapping[k]=v"
    )
    with pytest.raises(TypeError, match="form field 'bad'"):
        client.call(UPLOAD, form=[("bad", object())], parse=body)


def test_raw_bytes_file_and_accept(server: LocalServer, make_client: MakeClient) -> None:
    server.route("/v1/uploads", json_reply({}), json_reply({}), json_reply({}))
    client = make_client()
    text_op = rt.Operation("upload", "POST", "/uploads", accept="text/plain, application/json")
    client.call(text_op, content=b"\x00\x01", content_type="application/octet-stream", parse=body)
    client.call(
        UPLOAD,
        content=rt.File(b"img", content_type="image/jpeg"),
        content_type="image/png",
        parse=body,
    )
    client.call(UPLOAD, content=rt.File(b"img"), content_type="image/png", parse=body)
    first, second, third = server.requests
    assert first.header("Accept") == "text/plain, application/json"
    assert (first.body, first.header("Content-Type")) == (b"\x00\x01", "application/octet-stream")
    assert (second.body, second.header("Content-Type")) == (b"img", "image/jpeg")
    assert third.header("Content-Type") == "image/png"
    assert second.header("Accept") == "application/json"
    with pytest.raises(TypeError, match="the body must be bytes, not str"):
        client.call(UPLOAD, content="text", parse=body)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid media type"):
        client.call(UPLOAD, content=b"x", content_type="a/b\r\nX: y", parse=body)
    with pytest.raises(ValueError, match="at most one of"):
        client.call(UPLOAD, multipart={"a": "b"}, form={"a": "b"}, parse=body)
