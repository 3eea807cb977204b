"""The two shares of a project's files (render.Share), which render side by side: together
they make every file, each exactly once, as rendering everything in one go does; and each
takes about half of every kind of file, whatever the spec's mix."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import render
from generator.bundle import bundle
from generator.loader import load
from generator.model import ir
from generator.parser.build import build
from tests.conftest import ROOT, SPECS

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "specs").glob("*.yaml"))


def _files(api: ir.Api, share: render.Share) -> dict[str, str]:
    env = render.environment(None)
    python = render.render_models(api, env, share=share)
    python.add(render.render_package(api, env, share=share))
    docs = render.render_docs(api, env, share=share)
    return {**python.texts, **docs.texts}


@pytest.mark.parametrize("spec", SPECS + FIXTURES, ids=lambda p: p.stem)
def test_two_shares_make_every_file_once(spec: Path) -> None:
    api = build(bundle(load(spec, spec.name)), spec.stem)
    first, second = (_files(api, render.Share(index, 2)) for index in (0, 1))
    assert not first.keys() & second.keys()
    assert {**first, **second} == render.render(api, render.environment(None))
    pages = {f"docs/models/{model.name}.md" for model in api.models}
    assert pages <= first.keys() | second.keys()  # every model's page, with its module


def test_each_share_takes_every_other_item_of_each_kind() -> None:
    spec = next(s for s in SPECS if s.stem == "square")
    api = build(bundle(load(spec, spec.name)), spec.stem)
    shares = [_files(api, render.Share(index, 2)) for index in (0, 1)]
    for folder in (f"{api.package}/models/", f"{api.package}/resources/"):
        counts = [
            sum(path.startswith(folder) and not path.endswith("/__init__.py") for path in files)
            for files in shares
        ]
        assert abs(counts[0] - counts[1]) <= 1, (folder, counts)  # every other module
        assert min(counts) > 0 or sum(counts) < 2, (folder, counts)
    assert all(sum(p.startswith("docs/models/") for p in files) > 5 for files in shares)
