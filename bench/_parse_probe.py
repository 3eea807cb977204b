"""Run by bench.py in a fresh ``python -I`` process: parse the Apideck customers of a fixture
file through one model and print the seconds of each pass as JSON.

Usage: ``python -I bench/_parse_probe.py FIXTURE REPEAT clientgen|opc FOLDER PACKAGE`` or
``python -I bench/_parse_probe.py FIXTURE REPEAT pydantic|pydantic-str-enums``. The fixture is
``{"customers": [...], "enums": {...}}`` (written by bench.py). Only the list comprehension of
parses is timed, after one untimed warm-up pass over the first 100 customers.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

Parse = Callable[[Any], Any]


def _parser(variant: str, fixture: dict[str, Any], args: list[str]) -> Parse:
    if variant.startswith("pydantic"):
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from apideck_pydantic import customer_model

        model = customer_model(fixture["enums"], open_enums=variant == "pydantic")
        return model.model_validate
    folder, package = args
    sys.path.insert(0, folder)
    models = importlib.import_module(f"{package}.models")
    parse: Parse = models.EcommerceCustomer.from_dict
    return parse


def main(argv: list[str]) -> int:
    fixture_path, repeat, variant, *rest = argv
    fixture = json.loads(Path(fixture_path).read_text(encoding="utf-8"))
    customers: list[dict[str, Any]] = fixture["customers"]
    parse = _parser(variant, fixture, rest)
    for data in customers[:100]:
        parse(data)
    seconds: list[float] = []
    for _ in range(int(repeat)):
        start = time.perf_counter()
        parsed = [parse(data) for data in customers]
        seconds.append(time.perf_counter() - start)
        if parsed[-1].id != customers[-1]["id"] or len(parsed) != len(customers):
            raise SystemExit(f"{variant}: parsed customers do not match the input")
    print(json.dumps({"count": len(customers), "seconds": seconds}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
