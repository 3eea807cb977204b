"""Names from specs become valid, distinct, deterministic Python identifiers."""

from __future__ import annotations

import keyword

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
