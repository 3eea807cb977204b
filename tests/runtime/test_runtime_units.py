"""Unit tests of the runtime's pure parts: encoding, headers, configuration, errors, module."""

from __future__ import annotations

import datetime as dt
import enum
import importlib.util
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_server import FixedRandom

from generator.runtime import _runtime as rt

RUNTIME_PATH = Path(rt.__file__)


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Shade(str, enum.Enum):
    DARK = "dark"


def qs(*params: rt.QueryParam | tuple[str, object]) -> str:
    return "&".join(f"{name}={value}" for name, value in rt.encode_query(params))


# --- to_wire ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-12, "-12"),
        (1.5, "1.5"),
        ("x y", "x y"),
        (dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc), "2024-05-06T07:08:09+00:00"),
        (dt.datetime(2024, 5, 6, 7, 8, 9), "2024-05-06T07:08:09"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        (dt.time(13, 45, 0), "13:45:00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("1.50"), "1.50"),
        (Color.RED, "red"),
        (Level.HIGH, "3"),
        (Shade.DARK, "dark"),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
    ],
)
def test_to_wire(value: object, expected: str) -> None:
    assert rt.to_wire(value) == expected


@pytest.mark.parametrize("value", [None, [1], {"a": 1}, b"x", object()])
def test_to_wire_rejects_non_scalars(value: object) -> None:
    with pytest.raises(TypeError):
        rt.to_wire(value)


# --- query styles ----------------------------------------------------------------------------


def test_form_explode_repeats_the_name() -> None:
    assert qs(rt.QueryParam("id", [3, 4, 5])) == "id=3&id=4&id=5"


def test_form_no_explode_joins_with_literal_commas_and_escapes_commas_in_values() -> None:
    assert qs(rt.QueryParam("id", ["a,b", "c"], "form", False)) == "id=a%2Cb,c"


def test_form_object_explode_and_not() -> None:
    value = {"R": 100, "G": 200}
    assert qs(rt.QueryParam("color", value)) == "R=100&G=200"
    assert qs(rt.QueryParam("color", value, "form", False)) == "color=R,100,G,200"


def test_space_and_pipe_delimited() -> None:
    assert qs(rt.QueryParam("c", ["a b", "c"], "spaceDelimited", False)) == "c=a%20b%20c"
    assert qs(rt.QueryParam("c", ["a|b", "c"], "pipeDelimited", False)) == "c=a%7Cb|c"
    assert qs(rt.QueryParam("c", ["x", "y"], "pipeDelimited", True)) == "c=x&c=y"
    assert qs(rt.QueryParam("c", {"k": 1}, "pipeDelimited", False)) == "c=k|1"


def test_deep_object_nests_and_skips_none() -> None:
    value = {"status": "open", "range": {"from": 1, "to": None}, "tags": ["a", "b"], "x": None}
    assert qs(rt.QueryParam("filter", value, "deepObject")) == (
        "filter[status]=open&filter[range][from]=1&filter[tags]=a&filter[tags]=b"
    )


def test_none_values_and_items_are_omitted_and_empty_lists_follow_openapi() -> None:
    assert qs(("a", None), rt.QueryParam("b", [1, None, 2])) == "b=1&b=2"
    assert qs(rt.QueryParam("e", [])) == ""
    assert qs(rt.QueryParam("e", [], "form", False)) == "e="


def test_scalars_use_wire_format_and_are_percent_encoded() -> None:
    assert qs(("flag", True), ("when", dt.date(2024, 1, 2)), ("q", "a&b=c d/é")) == (
        "flag=true&when=2024-01-02&q=a%26b%3Dc%20d%2F%C3%A9"
    )


def test_allow_reserved_keeps_reserved_characters_but_not_structure() -> None:
    assert qs(rt.QueryParam("p", "a/b:c,d&e", allow_reserved=True)) == "p=a/b:c,d%26e"


def test_unknown_style_is_rejected() -> None:
    with pytest.raises(ValueError):
        rt.encode_query([rt.QueryParam("a", 1, "matrix")])  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1), min_size=1, max_size=4))
def test_form_explode_round_trips_through_a_query_parser(values: list[str]) -> None:
    assert parse_qs(qs(rt.QueryParam("v", values)), keep_blank_values=True)["v"] == values


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1), min_size=1, max_size=4))
def test_form_no_explode_splits_back_on_the_literal_commas(values: list[str]) -> None:
    _, _, encoded = qs(rt.QueryParam("v", values, "form", False)).partition("=")
    assert [unquote(piece) for piece in encoded.split(",")] == values


# --- paths -----------------------------------------------------------------------------------


def test_path_values_are_escaped_with_nothing_safe() -> None:
    assert rt.fill_path("/files/{name}", {"name": "a/b c"}) == "/files/a%2Fb%20c"
    assert rt.fill_path("/u/{id}/x/{k}", {"id": 7, "k": True}) == "/u/7/x/true"
    assert rt.fill_path("/l/{ids}", {"ids": [1, "a,b"]}) == "/l/1,a%2Cb"


def test_dot_segments_cannot_escape_the_path() -> None:
    assert rt.fill_path("/files/{name}", {"name": ".."}) == "/files/%2E%2E"


@pytest.mark.parametrize("values", [{}, {"name": None}, {"name": ""}])
def test_missing_or_empty_path_parameters_are_errors(values: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="name"):
        rt.fill_path("/files/{name}", values)


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1))
def test_path_segment_round_trips_and_stays_one_segment(value: str) -> None:
    path = rt.fill_path("/x/{v}", {"v": value})
    segment = path[len("/x/") :]
    assert "/" not in segment and "?" not in segment and "#" not in segment
    if value not in (".", ".."):
        assert unquote(segment) == value


# --- dig -------------------------------------------------------------------------------------


def test_dig_follows_keys_attributes_and_indexes() -> None:
    class Obj:
        inner = {"list": [{"x": 1}, {"x": 2}]}

    assert rt.dig({"a": {"b": Obj()}}, "a.b.inner.list.1.x") == 2
    assert rt.dig({"a": {}}, "a.b.c") is None
    assert rt.dig({"a": [1]}, "a.5") is None
    assert rt.dig({"a": 1}, "") == {"a": 1}


# --- Headers ---------------------------------------------------------------------------------


def test_headers_are_case_insensitive_ordered_and_keep_repeats() -> None:
    headers = rt.Headers([("Content-Type", "a/b"), ("Set-Cookie", "x=1"), ("set-cookie", "y=2")])
    assert headers["content-type"] == "a/b"
    assert "CONTENT-TYPE" in headers and "nope" not in headers
    assert 3 not in headers  # type: ignore[comparison-overlap]
    assert list(headers) == ["Content-Type", "Set-Cookie"]
    assert len(headers) == 2
    assert headers.get_all("SET-COOKIE") == ["x=1", "y=2"]
    assert headers["Set-Cookie"] == "x=1, y=2"
    assert headers.get_all("missing") == []
    assert headers.multi_items()[2] == ("set-cookie", "y=2")
    assert headers == rt.Headers(
        [("content-type", "a/b"), ("SET-COOKIE", "x=1"), ("Set-Cookie", "y=2")]
    )
    assert headers != rt.Headers(
        [("content-type", "a/b"), ("SET-COOKIE", "y=2"), ("Set-Cookie", "x=1")]
    )
    assert headers == rt.Headers(headers)
    assert hash(headers) == hash(rt.Headers(headers.multi_items()))
    with pytest.raises(KeyError):
        headers["missing"]
    with pytest.raises(TypeError):
        headers["x"] = "y"  # type: ignore[index]


def test_headers_equality_ignores_name_case_only() -> None:
    assert rt.Headers({"A": "1"}) == rt.Headers({"a": "1"})
    assert rt.Headers({"A": "1"}) == {"a": "1"}
    assert rt.Headers({"A": "1"}) != rt.Headers({"a": "2"})


def test_headers_repr_hides_credentials() -> None:
    headers = rt.Headers({"Set-Cookie": "session=SECRET1", "X-Auth-Token": "SECRET2", "A": "b"})
    assert "SECRET" not in repr(headers)
    assert "'A', 'b'" in repr(headers)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}", fullmatch=True), st.text()))
def test_headers_lookup_ignores_case(pairs: dict[str, str]) -> None:
    headers = rt.Headers(pairs)
    for name in pairs:
        assert headers.get_all(name.swapcase()) == [
            value for key, value in pairs.items() if key.lower() == name.lower()
        ]


# --- redaction -------------------------------------------------------------------------------


def test_redact_url_hides_secret_query_values_and_userinfo() -> None:
    url = "https://u:pw@h.test/p?api_key=K1&page=2&access_token=T1&Sig=S1&x=1"
    redacted = rt.redact_url(url)
    assert redacted == "https://***@h.test/p?api_key=***&page=2&access_token=***&Sig=***&x=1"
    assert rt.redact_url("https://h.test/?custom=V", ["CUSTOM"]) == "https://h.test/?custom=***"


def test_request_repr_hides_secrets() -> None:
    request = rt.Request(
        "GET",
        "https://h.test/p?custom=QSECRET",
        [("X-Custom", "HSECRET"), ("Authorization", "Bearer BSECRET"), ("Accept", "a/b")],
        b"body",
        frozenset({"custom", "x-custom"}),
    )
    text = repr(request)
    assert "SECRET" not in text
    assert "a/b" in text and "<4 bytes>" in text


# --- Timeout and RetryConfig -----------------------------------------------------------------


def test_timeout_coerce() -> None:
    assert rt.Timeout.coerce(None) is None
    timeout = rt.Timeout(1, 2)
    assert rt.Timeout.coerce(timeout) is timeout
    assert rt.Timeout.coerce(3) == rt.Timeout(3.0, 3.0)
    assert rt.Timeout() == rt.Timeout(10.0, 60.0)
    with pytest.raises(TypeError):
        rt.Timeout.coerce("3")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rt.Timeout(-1)


def test_backoff_schedule_is_exponential_and_capped() -> None:
    config = rt.RetryConfig(initial_backoff=0.5, multiplier=2, max_backoff=3, jitter=0)
    assert [config.backoff(n, FixedRandom(0.9)) for n in range(1, 6)] == [0.5, 1, 2, 3, 3]


def test_backoff_jitter_is_a_fraction_of_the_delay() -> None:
    config = rt.RetryConfig(initial_backoff=1, multiplier=2, max_backoff=30, jitter=0.1)
    assert config.backoff(1, FixedRandom(0.0)) == pytest.approx(0.9)
    assert config.backoff(1, FixedRandom(1.0)) == pytest.approx(1.1)
    assert config.backoff(2, FixedRandom(0.75)) == pytest.approx(2.1)
    assert rt.RetryConfig(max_backoff=1, jitter=0.5).backoff(9, FixedRandom(1.0)) == 1


def test_retry_defaults_and_none() -> None:
    config = rt.RetryConfig()
    assert (config.attempts, config.initial_backoff, config.max_backoff) == (3, 0.5, 30.0)
    assert (config.multiplier, config.jitter) == (2.0, 0.1)
    assert config.retry_statuses == frozenset({408, 429, *range(500, 600)})
    assert rt.RetryConfig.NONE.attempts == 1


@pytest.mark.parametrize(
    "options",
    [{"attempts": 0}, {"jitter": 2}, {"multiplier": 0.5}, {"initial_backoff": -1}],
)
def test_retry_config_validates(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        rt.RetryConfig(**options)  # type: ignore[arg-type]


# --- errors and operations -------------------------------------------------------------------


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
        (599, rt.ServerError),
        (418, rt.ApiError),
        (302, rt.ApiError),
    ],
)
def test_error_class_for_status(status: int, cls: type[rt.ApiError]) -> None:
    assert rt.error_class_for_status(status) is cls
    assert issubclass(cls, rt.ClientError)


def test_error_hierarchy() -> None:
    assert issubclass(rt.ApiTimeoutError, rt.TransportError)
    assert issubclass(rt.TransportError, rt.ClientError)
    assert issubclass(rt.ResponseDecodeError, rt.ClientError)


def test_api_error_message() -> None:
    error = rt.NotFoundError(
        status=404,
        operation_id="get-commerce-customer",
        method="GET",
        url="https://host/path?token=SECRET",
    )
    assert str(error) == (
        "GET https://host/path?token=*** -> 404 Not Found (operation get-commerce-customer)"
    )
    assert "SECRET" not in repr(error)


def test_operation_error_lookup_order() -> None:
    def exact(_: object) -> str:
        return "exact"

    def four(_: object) -> str:
        return "4XX"

    def default(_: object) -> str:
        return "default"

    op = rt.Operation("op", "get", "/", errors={404: exact, "4XX": four, "default": default})
    assert op.method == "GET" and op.is_idempotent
    assert op.error_parser(404) is exact
    assert op.error_parser(400) is four
    assert op.error_parser(500) is default
    assert rt.Operation("op", "GET", "/").error_parser(500) is None


@pytest.mark.parametrize(
    ("method", "flag", "expected"),
    [
        ("GET", None, True),
        ("PUT", None, True),
        ("DELETE", None, True),
        ("POST", None, False),
        ("PATCH", None, False),
        ("POST", True, True),
        ("GET", False, False),
    ],
)
def test_operation_idempotency(method: str, flag: bool | None, expected: bool) -> None:
    assert rt.Operation("op", method, "/", idempotent=flag).is_idempotent is expected


# --- auth objects ----------------------------------------------------------------------------


def test_auth_reprs_hold_no_secret() -> None:
    auths = [
        rt.ApiKeyAuth("X-Key", "header", "SECRET-1"),
        rt.HttpBasicAuth("bob", "SECRET-2"),
        rt.HttpBearerAuth("SECRET-3"),
        rt.OAuth2ClientCredentials("https://a.test/token", "cid", "SECRET-4", ["read"]),
    ]
    for auth in auths:
        assert "SECRET" not in repr(auth) and "SECRET" not in str(auth)
    client = rt.ClientCore(base_url="https://api.test", auth=auths)
    assert "SECRET" not in repr(client)
    client.close()


def test_request_parts_build() -> None:
    parts = rt.RequestParts("get", "https://h.test/a?x=1")
    parts.add_query("q", "a b")
    parts.add_cookie("c", "v;1")
    parts.add_header("Cookie", "pre=1")
    parts.set_header("X-A", "1")
    parts.set_header("x-a", "2")
    request = parts.build()
    assert request.method == "GET"
    assert request.url == "https://h.test/a?x=1&q=a%20b"
    assert request.headers == [("x-a", "2"), ("Cookie", "pre=1; c=v%3B1")]


def test_header_injection_is_refused_without_echoing_the_value() -> None:
    parts = rt.RequestParts("GET", "https://h.test/")
    parts.add_header("X-Token", "SECRET\r\nEvil: 1")
    with pytest.raises(ValueError) as info:
        parts.build()
    assert "SECRET" not in str(info.value)


# --- the module itself -----------------------------------------------------------------------


def test_module_starts_with_the_generated_marker() -> None:
    first_line = RUNTIME_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# Generated by clientgen: shared runtime. Do not edit."


def test_import_is_cheap_and_does_not_pull_optional_modules() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import _runtime;"
        "heavy = [m for m in ('httpx', 'asyncio', 'ssl', 'http.client', 'logging', 'email.utils')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(RUNTIME_PATH.parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""


def test_module_works_when_copied_into_a_package(tmp_path: Path) -> None:
    package = tmp_path / "acme_client"
    package.mkdir()
    (package / "__init__.py").write_text("from ._runtime import ClientCore\n")
    shutil.copy(RUNTIME_PATH, package / "_runtime.py")
    spec = importlib.util.spec_from_file_location(
        "acme_client", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["acme_client"] = module
    try:
        spec.loader.exec_module(module)
        assert module.ClientCore.__module__ == "acme_client._runtime"
    finally:
        sys.modules.pop("acme_client", None)
        sys.modules.pop("acme_client._runtime", None)


def test_errors_survive_pickling() -> None:
    import pickle

    error = rt.NotFoundError(
        status=404,
        headers=rt.Headers({"A": "1"}),
        body=b"{}",
        model={"m": 1},
        operation_id="op",
        method="GET",
        url="https://h.test/x",
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is rt.NotFoundError and str(copy) == str(error)
    assert (copy.status, copy.model, copy.headers["a"]) == (404, {"m": 1}, "1")
    timeout = pickle.loads(pickle.dumps(rt.ApiTimeoutError("slow", method="GET", url="u")))
    assert type(timeout) is rt.ApiTimeoutError and timeout.detail == "slow"


def test_zero_timeouts_are_refused() -> None:
    with pytest.raises(ValueError):
        rt.Timeout(connect=0)
    with pytest.raises(ValueError):
        rt.Timeout.coerce(0)
    assert rt.Timeout(None, None).read is None


def test_request_parts_repr_hides_secrets_and_never_raises() -> None:
    parts = rt.RequestParts("GET", "https://h.test/x")
    rt.ApiKeyAuth("my_key", "query", "QSECRET").apply(parts)
    rt.ApiKeyAuth("sid", "cookie", "CSECRET").apply(parts)
    rt.HttpBearerAuth("BSECRET").apply(parts)
    parts.add_header("X-Bad", "line\nbreak")
    text = repr(parts)
    assert "SECRET" not in text
    assert "my_key=***" in text and "'https://h.test/x'" in text


# --- model helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-06T07:08:09Z", dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)),
        ("2024-05-06t07:08:09z", dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)),
        (
            "2024-05-06T07:08:09.1234567891+02:00",
            dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        ("2024-05-06T07:08:09.5-0130", None),
        ("2024-05-06 07:08:09", dt.datetime(2024, 5, 6, 7, 8, 9)),
    ],
)
def test_parse_datetime(text: str, expected: dt.datetime | None) -> None:
    parsed = rt.parse_datetime(text)
    if expected is None:
        expected = dt.datetime(
            2024, 5, 6, 7, 8, 9, 500000, tzinfo=dt.timezone(-dt.timedelta(hours=1, minutes=30))
        )
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01T00:00:00Z"])
def test_parse_datetime_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        rt.parse_datetime(text)


def test_parse_enum_keeps_unknown_values() -> None:
    assert rt.parse_enum("red", Color) is Color.RED
    assert rt.parse_enum(3, Level) is Level.HIGH
    assert rt.parse_enum("ultraviolet", Color) == "ultraviolet"


def test_decoders_compose_value_first() -> None:
    assert rt.optional(None, rt.parse_enum, Color) is None
    assert rt.optional(rt.UNSET, rt.parse_enum, Color) is rt.UNSET
    assert rt.optional("red", rt.parse_enum, Color) is Color.RED
    assert rt.decode_list(["red", "x"], rt.parse_enum, Color) == [Color.RED, "x"]
    assert rt.decode_list([None, "red"], rt.optional, rt.parse_enum, Color) == [None, Color.RED]
    assert rt.decode_map({"a": [3]}, rt.decode_list, rt.parse_enum, Level) == {"a": [Level.HIGH]}
    choices = ((str, rt.parse_datetime), (dict, dict))
    assert rt.decode_union("2024-01-02T03:04:05Z", *choices).year == 2024
    assert rt.decode_union({"k": 1}, *choices) == {"k": 1}
    assert rt.decode_union(7, *choices) == 7
    assert rt.parse_decimal(0.1) == __import__("decimal").Decimal("0.1")


def test_unknown_properties_keeps_and_decodes_only_unnamed_keys() -> None:
    data = {"known": 1, "a": "red", "b": "blue"}
    assert rt.unknown_properties(data, {"known"}) == {"a": "red", "b": "blue"}
    assert rt.unknown_properties(data, {"known", "b"}, rt.parse_enum, Color) == {"a": Color.RED}
    assert rt.unknown_properties(data, ()) == data


def test_to_json_writes_every_converted_kind_back() -> None:
    import datetime as dt
    import decimal
    import uuid

    class Point:
        def to_dict(self) -> dict[str, int]:
            return {"x": 1}

    value = {
        "when": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        "day": dt.date(2024, 1, 2),
        "at": dt.time(3, 4),
        "id": uuid.UUID(int=1),
        "amount": decimal.Decimal("1.50"),
        "color": Color.RED,
        "points": [Point(), None],
        "plain": ["a", 1, 2.5, True, None],
    }
    assert rt.to_json(value) == {
        "when": "2024-01-02T03:04:05+00:00",
        "day": "2024-01-02",
        "at": "03:04:00",
        "id": "00000000-0000-0000-0000-000000000001",
        "amount": "1.50",
        "color": Color.RED.value,
        "points": [{"x": 1}, None],
        "plain": ["a", 1, 2.5, True, None],
    }


def test_unset_is_a_falsy_singleton() -> None:
    assert rt.UNSET is rt.Unset.UNSET
    assert not rt.UNSET
    assert repr(rt.UNSET) == "UNSET"
    assert rt.UNSET is not None


def test_plain_tuples_are_query_params() -> None:
    assert qs(
        ("a", [1, 2], "form", False), ("b", [1, 2]), ("c", ["x", "y"], "pipeDelimited", False)
    ) == ("a=1,2&b=1&b=2&c=x|y")


# -- best_variant: untagged unions ------------------------------------------------------------

_CAT = ({"kind"}, {"kind", "lives"}, {"kind": "string", "lives": "integer"})
_DOG = ({"kind"}, {"kind", "bark"}, {"kind": "string", "bark": "boolean?"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"kind": "c", "lives": 9}, 0),
        ({"kind": "d", "bark": True}, 1),
        ({"kind": "d", "bark": None}, 1),  # "boolean?": null allowed
        ({"kind": "c", "lives": 9.0}, 0),  # an integral float is an integer
        ({"kind": "c", "lives": 9.5}, 1),  # not an integer: the cat is ruled out, the dog
        ({"kind": "c", "lives": True}, 1),  # (which says nothing of lives) is left
        ({"kind": "x"}, 0),  # a tie: the first
        ({"lives": 9}, -1),  # a required property missing
        ({"kind": 1, "lives": 9}, -1),  # a value of the wrong kind
    ],
)
def test_best_variant_rules_out_values_of_the_wrong_kind(value: Any, expected: int) -> None:
    assert rt.best_variant(value, [_CAT, _DOG]) == expected


def test_best_variant_knows_every_json_kind() -> None:
    kinds = {"s": "string", "n": "number", "a": "array", "o": "object", "b": "boolean"}
    good = {"s": "x", "n": 1, "a": [], "o": {}, "b": False}
    assert rt.best_variant(good, [((), set(kinds), kinds)]) == 0
    for key, wrong in {"s": 1, "n": "1", "a": {}, "o": [], "b": 0}.items():
        assert rt.best_variant({**good, key: wrong}, [((), set(kinds), kinds)]) == -1, key
