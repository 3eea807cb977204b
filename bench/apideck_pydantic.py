"""A pydantic v2 model of Apideck's ``EcommerceCustomer`` (``specs/apideck-ecommerce.yaml``),
hand-written to the shape clientgen generates, for the ``from_dict`` comparison of
``make bench``.

Same fields and types as clientgen's dataclasses: strings, nullable fields, nested models
(emails, phone numbers, addresses, orders), date-times parsed to ``datetime``, enums that keep
a value the spec does not list (``Enum | str``, tried left to right so a known value becomes the
enum member, as in clientgen) and unknown keys kept (``extra="allow"``). The enums' values are
passed in (bench.py reads them from the spec), so the 183 currency codes are not copied here.

Hand-written rather than generated: a generator (datamodel-code-generator) would be one more
tool to pin, and its choices (closed enums, ``Optional`` vs absent) would not match clientgen's
semantics, which is what makes the comparison fair. Runs in the bench venv (pydantic pinned in
``bench/requirements.txt``).
"""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

ENUMS = ("Currency", "CustomerStatus", "EmailType", "PhoneType", "AddressType", "OrderStatus")


def _open_enum(name: str, values: Sequence[str]) -> Any:
    """``Enum | str``, the enum tried first: a listed value becomes its member, another value
    stays a string (clientgen keeps an enum value the spec does not list)."""
    if not values:
        return str
    enum = Enum(name, {value: value for value in values}, type=str)  # type: ignore[misc]
    return Annotated[enum | str, Field(union_mode="left_to_right")]


def customer_model(enums: Mapping[str, Sequence[str]], open_enums: bool = True) -> type[BaseModel]:
    """The ``EcommerceCustomer`` model, its enums made from ``enums`` (name -> values).

    ``open_enums=False`` types every enum field as plain ``str`` instead: no enum members, the
    cheapest pydantic model of this shape, shown beside the faithful one for reference.
    """
    if not open_enums:
        enums = {name: () for name in enums}
    currency_enum = _open_enum("Currency", enums["Currency"])
    customer_status = _open_enum("CustomerStatus", enums["CustomerStatus"])
    email_type = _open_enum("EmailType", enums["EmailType"])
    phone_type = _open_enum("PhoneType", enums["PhoneType"])
    address_type = _open_enum("AddressType", enums["AddressType"])
    order_status = _open_enum("OrderStatus", enums["OrderStatus"])

    class Model(BaseModel):
        model_config = ConfigDict(extra="allow")

    class Email(Model):
        id: str | None = None
        email: str | None
        type: email_type | None = None  # type: ignore[valid-type]

    class PhoneNumber(Model):
        id: str | None = None
        country_code: str | None = None
        area_code: str | None = None
        number: str
        extension: str | None = None
        type: phone_type | None = None  # type: ignore[valid-type]

    class Address(Model):
        type: address_type | None = None  # type: ignore[valid-type]
        id: str | None = None
        line1: str | None = None
        line2: str | None = None
        city: str | None = None
        state: str | None = None
        postal_code: str | None = None
        country: str | None = None

    class LinkedOrder(Model):
        id: str | None = None
        total: str | None = None
        status: order_status | None = None  # type: ignore[valid-type]

    class Customer(Model):
        id: str
        name: str | None = None
        first_name: str | None = None
        last_name: str | None = None
        company_name: str | None = None
        status: customer_status | None = None  # type: ignore[valid-type]
        currency: currency_enum | None = None  # type: ignore[valid-type]
        emails: list[Email] | None = None
        phone_numbers: list[PhoneNumber] | None = None
        addresses: list[Address] | None = None
        orders: list[LinkedOrder] | None = None
        custom_mappings: dict[str, Any] | None = None
        created_at: datetime | None = None
        updated_at: datetime | None = None

    return Customer
