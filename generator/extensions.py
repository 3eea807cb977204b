"""The ``x-clientgen-*`` extensions: their checks (for validate) and typed readers (for the IR).

README.md, section "Extensions", is the user-facing description of every key read here.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from .diagnostics import Diagnostic, Pointer

if TYPE_CHECKING:
    from .loader import SpecDocument

METHOD = "x-clientgen-method"
GROUP = "x-clientgen-group"
IDEMPOTENT = "x-clientgen-idempotent"
PAGINATION = "x-clientgen-pagination"
RETRIES = "x-clientgen-retries"

PAGINATION_STYLES = ("cursor", "page", "next_url")
_PAGINATION_KEYS = {"style", "items", "param", "next", "size_param", "total"}
_RETRY_KEYS = {
    "attempts": int,
    "initial_backoff": float,
    "max_backoff": float,
    "multiplier": float,
    "jitter": float,
}


@dataclass(frozen=True)
class PaginationHint:
    style: str
    items: str
    param: str | None
    next: str | None
    size_param: str | None
    total: str | None


@dataclass(frozen=True)
class RetryHint:
    attempts: int = 3
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.1


KNOWN = {METHOD, GROUP, IDEMPOTENT, PAGINATION, RETRIES}


def _unknown(doc: SpecDocument, where: Pointer, node: dict[str, Any]) -> Iterator[Diagnostic]:
    for key in node:
        if isinstance(key, str) and key.startswith("x-clientgen-") and key not in KNOWN:
            yield doc.diagnostic(where + (key,), f"unknown extension {key!r}")


def check_operation(
    doc: SpecDocument, where: Pointer, operation: dict[str, Any]
) -> Iterator[Diagnostic]:
    yield from _unknown(doc, where, operation)
    method = operation.get(METHOD)
    if method is not None and not (
        isinstance(method, str)
        and method.isidentifier()
        and not keyword.iskeyword(method)
        and not method.startswith("_")
    ):
        yield doc.diagnostic(
            where + (METHOD,), f"{METHOD} must be a public Python identifier, got {method!r}"
        )
    group = operation.get(GROUP)
    if group is not None and not (
        isinstance(group, str)
        and group
        and all(
            part.isidentifier() and not keyword.iskeyword(part) and not part.startswith("_")
            for part in group.split(".")
        )
    ):
        yield doc.diagnostic(
            where + (GROUP,),
            f"{GROUP} must be dotted Python identifiers like 'sales.customers', got {group!r}",
        )
    idempotent = operation.get(IDEMPOTENT)
    if idempotent is not None and not isinstance(idempotent, bool):
        yield doc.diagnostic(where + (IDEMPOTENT,), f"{IDEMPOTENT} must be true or false")
    if PAGINATION in operation:
        yield from _check_pagination(doc, where + (PAGINATION,), operation[PAGINATION])


def _check_pagination(doc: SpecDocument, where: Pointer, hint: Any) -> Iterator[Diagnostic]:
    if not isinstance(hint, dict):
        yield doc.diagnostic(where, f"{PAGINATION} must be a mapping")
        return
    for key in sorted(set(hint) - _PAGINATION_KEYS):
        yield doc.diagnostic(where + (key,), f"unknown key {key!r} in {PAGINATION}")
    style = hint.get("style")
    if "style" not in hint:
        yield doc.diagnostic(
            where, f"{PAGINATION} needs 'style' (one of {', '.join(PAGINATION_STYLES)})"
        )
        return
    if style not in PAGINATION_STYLES:
        yield doc.diagnostic(
            where + ("style",) if "style" in hint else where,
            f"pagination style must be one of {', '.join(PAGINATION_STYLES)}, got {style!r}",
        )
        return
    needed = {
        "cursor": ("items", "param", "next"),
        "page": ("items", "param"),
        "next_url": ("items", "next"),
    }
    for key in needed[str(style)]:
        if key not in hint:
            yield doc.diagnostic(where, f"{style} pagination needs {key!r}")
    for key in _PAGINATION_KEYS - {"style"}:
        value = hint.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            yield doc.diagnostic(where + (key,), f"{key!r} must be a non-empty string")


def check_document(doc: SpecDocument) -> Iterator[Diagnostic]:
    yield from _unknown(doc, (), doc.data)
    hint = doc.data.get(RETRIES)
    if hint is None:
        return
    where: Pointer = (RETRIES,)
    if not isinstance(hint, dict):
        yield doc.diagnostic(where, f"{RETRIES} must be a mapping")
        return
    for key, value in hint.items():
        kind = _RETRY_KEYS.get(key)
        if kind is None:
            yield doc.diagnostic(where + (key,), f"unknown key {key!r} in {RETRIES}")
        elif (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (kind is int and not isinstance(value, int))
        ):
            yield doc.diagnostic(
                where + (key,), f"{key!r} must be a {'whole ' if kind is int else ''}number"
            )
        elif key == "attempts" and value < 1:
            yield doc.diagnostic(where + (key,), f"'attempts' must be at least 1, got {value!r}")
        elif key == "jitter" and not 0 <= value <= 1:
            yield doc.diagnostic(where + (key,), f"'jitter' must be between 0 and 1, got {value!r}")
        elif value < 0:
            yield doc.diagnostic(where + (key,), f"{key!r} must not be negative, got {value!r}")


def pagination(operation: dict[str, Any]) -> PaginationHint | None:
    hint = operation.get(PAGINATION)
    if not isinstance(hint, dict):
        return None
    return PaginationHint(
        style=hint["style"],
        items=hint["items"],
        param=hint.get("param"),
        next=hint.get("next"),
        size_param=hint.get("size_param"),
        total=hint.get("total"),
    )


def retries(data: dict[str, Any]) -> RetryHint:
    hint = data.get(RETRIES)
    if not isinstance(hint, dict):
        return RetryHint()
    return RetryHint(**{key: _RETRY_KEYS[key](value) for key, value in hint.items()})
