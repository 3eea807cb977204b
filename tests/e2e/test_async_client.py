"""The generated AsyncClient against Prism: same calls, same typed results as the sync Client."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from tests.conftest import GENERATED, ROOT

from .prism import PrismServer, prism_server

sys.path.insert(0, str(GENERATED / "codat-lending"))
import codat_lending  # noqa: E402

codat = prism_server(ROOT / "specs" / "codat-lending.yaml", scope="module")

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"


def test_async_get_matches_sync(codat: PrismServer) -> None:
    async def fetch() -> Any:
        async with codat_lending.AsyncClient(
            auth_header="Basic a2V5", base_url=codat.base_url
        ) as client:
            return await client.sales.customers.get(COMPANY, CONNECTION, "in")

    result = asyncio.run(fetch())
    with codat_lending.Client(auth_header="Basic a2V5", base_url=codat.base_url) as client:
        expected = client.sales.customers.get(COMPANY, CONNECTION, "in")
    assert isinstance(result, codat_lending.models.CommerceCustomer)
    assert result == expected
    codat.assert_no_logged_violations()


def test_async_auto_paging_yields_typed_items(codat: PrismServer) -> None:
    async def collect() -> list[Any]:
        async with codat_lending.AsyncClient(
            auth_header="Basic a2V5", base_url=codat.base_url
        ) as client:
            return [
                c async for c in client.sales.customers.list_iter(COMPANY, CONNECTION, max_pages=2)
            ]

    items = asyncio.run(collect())
    assert items and all(isinstance(i, codat_lending.models.CommerceCustomer) for i in items)
    codat.assert_no_logged_violations()


def test_async_error_maps_to_exception_class(codat: PrismServer) -> None:
    def prefer_404(request: Any) -> Any:
        from dataclasses import replace

        return replace(request, headers=[*request.headers, ("Prefer", "code=404")])

    async def fail() -> None:
        async with codat_lending.AsyncClient(
            auth_header="Basic a2V5", base_url=codat.base_url, before_request=prefer_404
        ) as client:
            await client.sales.customers.get(COMPANY, CONNECTION, "in")

    with pytest.raises(codat_lending.NotFoundError) as caught:
        asyncio.run(fail())
    assert caught.value.status == 404
    assert isinstance(caught.value.model, codat_lending.models.ErrorMessage)
