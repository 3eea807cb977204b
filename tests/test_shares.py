"""The two shares of a project's files (render.split), which render side by side: together
they make every file, each exactly once, as rendering everything in one go does; and each
takes about half the weight of every kind of file, whatever the spec's mix or pattern."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import render
from generator.bundle import bundle
from generator.loader import load
from generator.model import ir
from generator.parser.build import build
from tests.conftest import ROOT, SPECS
from tests.test_bench_synth import synth

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
    first, second = (_files(api, share) for share in render.split(api, 2))
    assert not first.keys() & second.keys()
    assert {**first, **second} == render.render(api, render.environment(None))
    pages = {f"docs/models/{model.name}.md" for model in api.models}
    assert pages <= first.keys() | second.keys()  # every model's page, with its module


def _loads(api: ir.Api, shares: list[render.Share]) -> dict[str, list[int]]:
    """Each kind's weight (render.weights) in each share."""
    return {
        kind: [sum(w for n, w in enumerate(items) if share.takes(kind, n)) for share in shares]
        for kind, items in render.weights(api).items()
    }


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_each_share_takes_about_half_of_each_kind(spec: Path) -> None:
    """Each kind's weight differs between the shares by at most its heaviest item's."""
    api = build(bundle(load(spec, spec.name)), spec.stem)
    shares = render.split(api, 2)
    for kind, items in render.weights(api).items():
        first, second = _loads(api, shares)[kind]
        assert abs(first - second) <= max(items, default=0), (kind, first, second)
    owners = shares[0].owners
    assert set(owners) == {
        (k, n) for k, items in render.weights(api).items() for n in range(len(items))
    }


def test_a_repeating_pattern_of_heavy_and_light_modules_is_split_evenly(tmp_path: Path) -> None:
    """A synthetic spec's model modules come in a repeating pattern in which the heavy ones
    (10 fields) fall on even numbers: taking every other module, one share had them all."""
    spec = tmp_path / "synth.json"
    spec.write_text(json.dumps(synth.synth_spec(300)))
    api = build(bundle(load(spec, spec.name)), spec.stem)
    alternate = _loads(api, [render.Share(index, 2) for index in (0, 1)])["models"]
    assert max(alternate) > 1.3 * min(alternate), alternate  # the pattern this test is about
    balanced = _loads(api, render.split(api, 2))["models"]
    assert sum(balanced) == sum(alternate)
    assert abs(balanced[0] - balanced[1]) <= max(render.weights(api)["models"])
