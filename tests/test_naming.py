"""Names from specs become valid, distinct, deterministic Python identifiers."""

from __future__ import annotations

import keyword
from pathlib import Path

import pytest

from generator.naming import NameSpace, constant, pascal, snake


@pytest.mark.parametrize(
    "name,expected",
    [
        ("customerId", "customer_id"),
        ("pageSize", "page_size"),
        ("include[]", "include"),
        ("_links", "links"),
        ("x-apideck-app-id", "x_apideck_app_id"),
        ("HTTPServer", "http_server"),
        ("get-commerce-customer", "get_commerce_customer"),
        ("class", "class_"),
        ("from", "from_"),
        ("None", "none"),
        ("2fa", "value_2fa"),
        ("", "value"),
        ("!!", "value"),
        ("ümlaut", "umlaut"),
        ("Sales.Customers", "sales_customers"),
    ],
)
def test_snake(name: str, expected: str) -> None:
    assert snake(name) == expected
    assert expected.isidentifier() and not keyword.iskeyword(expected)


@pytest.mark.parametrize(
    "name,expected",
    [
        ("commerce-customer", "CommerceCustomer"),
        ("CommerceCustomer", "CommerceCustomer"),
        ("List_Customer", "ListCustomer"),
        ("2fa", "Model2fa"),
        ("", "Model"),
        ("a.b", "AB"),
    ],
)
def test_pascal(name: str, expected: str) -> None:
    assert pascal(name) == expected


@pytest.mark.parametrize(
    "value,expected",
    [("hold_shipment", "HOLD_SHIPMENT"), ("Billing", "BILLING"), ("1", "VALUE_1"), ("", "VALUE")],
)
def test_constant(value: str, expected: str) -> None:
    assert constant(value) == expected


def test_collisions_get_deterministic_distinct_names() -> None:
    names = NameSpace({"to_dict"})
    claimed = [names.claim(snake(n)) for n in ["fooBar", "foo_bar", "FooBar", "to_dict"]]
    assert claimed == ["foo_bar", "foo_bar_2", "foo_bar_3", "to_dict_"]


def test_builtin_names_are_kept_for_attributes() -> None:
    # Attributes and keyword arguments may shadow builtins (generated method bodies never use
    # a builtin name), so `id` and `type` read as the vendor spells them.
    assert snake("id") == "id"
    assert snake("type") == "type"


def test_namespace_never_hands_out_a_keyword() -> None:
    """pascal() keeps ``True`` / ``None`` / ``False`` (found by tests/test_fuzz_specs.py)."""
    names = NameSpace()
    claimed = [names.claim(pascal(n)) for n in ("True", "None", "False", "true")]
    assert claimed == ["True_", "None_", "False_", "True__2"]
    assert all(n.isidentifier() and not keyword.iskeyword(n) for n in claimed)


def test_parameters_never_hide_what_a_method_body_calls(tmp_path: Path) -> None:
    """A query parameter named ``optional``, ``to_json`` or ``str`` would hide the runtime
    function or builtin the method's body calls: it is renamed (its wire name kept)."""
    from generator import codec, pipeline
    from generator.parser.operations import METHOD_BODY_NAMES

    assert codec._RUNTIME <= METHOD_BODY_NAMES  # every decoder a body may call
    params = "".join(
        f"        - {{name: {name}, in: query, schema: {{type: string}}}}\n"
        for name in ("optional", "to_json", "str")
    )
    spec = tmp_path / "shadow.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo:\n  title: Shadow\n  version: '1'\n"
        "servers:\n  - url: https://example.com\npaths:\n"
        "  /a:\n    get:\n      operationId: find\n      parameters:\n"
        + params
        + "      responses:\n        '204':\n          description: done\n"
    )
    project = pipeline.generate_project(spec, tmp_path / "out", None)
    code = project.files["shadow/resources/_client.py"]
    for name in ("optional", "to_json", "str"):
        assert f"        {name}_: str | None = None,\n" in code
        assert f'QueryParam("{name}", {name}_,' in code
