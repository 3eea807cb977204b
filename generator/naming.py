"""Every identifier decision: spec names in, valid, distinct, deterministic Python names out."""

from __future__ import annotations

import functools
import keyword
import re
import unicodedata
from typing import Iterable

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


def words(name: str) -> list[str]:
    """Split any spelling (camelCase, kebab-case, dotted, ``include[]``) into lower-case words."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    spaced = _WORD_BOUNDARY.sub(" ", ascii_name)
    return [w.lower() for w in _NON_WORD.split(spaced) if w]


@functools.lru_cache(maxsize=None)  # pure, and called for the same names often
def snake(name: str, fallback: str = "value") -> str:
    """``customerId`` -> ``customer_id``; keywords get a trailing underscore (PEP 8)."""
    parts = words(name)
    result = "_".join(parts) if parts else fallback
    if result[0].isdigit():
        result = f"{fallback}_{result}"
    if keyword.iskeyword(result):
        result += "_"
    return result


MODULE_NAME_LENGTH = 60


def module_name(name: str, fallback: str = "module") -> str:
    """A module's name: ``snake(name)``, cut at a word boundary to at most 60 characters (a
    class hoisted from deep inside a schema can have a very long name: its file's should stay
    usable, and its import fit on a line)."""
    result = snake(name, fallback)
    if len(result) > MODULE_NAME_LENGTH:
        cut = result.rfind("_", 0, MODULE_NAME_LENGTH + 1)
        result = result[: cut if cut > 0 else MODULE_NAME_LENGTH].rstrip("_")
        if keyword.iskeyword(result):
            result += "_"
    return result


@functools.lru_cache(maxsize=None)  # pure, and called for the same names often
def pascal(name: str, fallback: str = "Model") -> str:
    """``commerce-customer`` -> ``CommerceCustomer``; existing inner capitals are kept."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    chunks = [c for c in _NON_WORD.split(ascii_name) if c]
    result = "".join(c[0].upper() + c[1:] for c in chunks) if chunks else fallback
    if result[0].isdigit():
        result = fallback + result
    return result


@functools.lru_cache(maxsize=None)  # pure, and called for the same names often
def constant(name: str, fallback: str = "VALUE") -> str:
    """``hold_shipment`` -> ``HOLD_SHIPMENT``, ``-modifiedDate`` -> ``MODIFIED_DATE``."""
    parts = words(name)
    result = "_".join(parts).upper() if parts else fallback
    if result[0].isdigit():
        result = f"{fallback}_{result}"
    return result


class NameSpace:
    """Hands out distinct names in one scope: the first claimant keeps a name, later ones get a
    numeric suffix. Reserved names are never handed out."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._reserved = frozenset(reserved)
        self._taken: set[str] = set(reserved)

    def claim(self, wanted: str, suffix_sep: str = "_") -> str:
        if wanted in self._reserved and suffix_sep == "_" and wanted[:1].islower():
            wanted += "_"  # a reserved word is renamed like a keyword (PEP 8)
        if keyword.iskeyword(wanted):  # ``True``, ``None``, ``False``: pascal() keeps them
            wanted += "_"
        if wanted not in self._taken:
            self._taken.add(wanted)
            return wanted
        counter = 2
        while f"{wanted}{suffix_sep}{counter}" in self._taken:
            counter += 1
        result = f"{wanted}{suffix_sep}{counter}"
        self._taken.add(result)
        return result

    def __contains__(self, name: str) -> bool:
        return name in self._taken
