"""The content-addressed cache: a hit gives exactly what a cold run gives; a changed input,
a corrupt or truncated entry, or an unusable cache folder is a miss, never trusted, never an
error; --no-cache neither reads nor writes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.cache import Cache, digest
from tests.conftest import ROOT, SPECS

SPEC = next(s for s in SPECS if s.stem == "telness-connect")


def run(*args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLIENTGEN_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "generator", "generate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_entries_round_trip_and_corrupt_ones_are_misses(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = digest("k")
    assert cache.get("blob", key) is None
    cache.put("blob", key, b"value")
    assert cache.get("blob", key) == b"value"
    entry = next(p for p in tmp_path.rglob("*") if p.is_file())
    good = entry.read_bytes()
    truncated, changed = good[:-3], b"other" + good[5:]  # content no longer matches its hash
    for corrupt in (truncated, changed, b""):
        entry.write_bytes(corrupt)
        cache.put("blob", key, b"value", if_absent=True)  # kept: it is there
        assert cache.get("blob", key) is None
        assert not entry.exists(), "a corrupt entry is removed when read"
        cache.put("blob", key, b"value", if_absent=True)  # so it is written again
        assert cache.get("blob", key) == b"value"


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    result = run(str(SPEC), "--out", str(tmp_path / "out"), cache_dir=blocker)
    assert result.returncode == 0, result.stderr
    assert blocker.read_text() == "a file where the cache folder should be"


def test_a_hit_gives_the_bytes_of_a_cold_run(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cold = run(str(SPEC), "--out", str(tmp_path / "cold"), "--no-cache", cache_dir=cache_dir)
    assert cold.returncode == 0, cold.stderr
    assert not cache_dir.exists(), "--no-cache wrote to the cache"
    first = run(str(SPEC), "--out", str(tmp_path / "warm"), "--timings", cache_dir=cache_dir)
    assert "validate" in first.stderr  # a miss runs every stage
    second = run(str(SPEC), "--out", str(tmp_path / "hit"), "--timings", cache_dir=cache_dir)
    assert second.returncode == 0, second.stderr
    assert "validate" not in second.stderr  # a hit runs none
    assert tree(tmp_path / "cold") == tree(tmp_path / "warm") == tree(tmp_path / "hit")


def test_a_corrupt_project_entry_is_regenerated_not_trusted(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    assert run(str(SPEC), "--out", str(tmp_path / "a"), cache_dir=cache_dir).returncode == 0
    for blob in (cache_dir / "1" / "blob").rglob("*"):
        if blob.is_file():
            blob.write_bytes(b"garbage")  # every stored file's text is now wrong
    result = run(str(SPEC), "--out", str(tmp_path / "b"), "--timings", cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert "validate" in result.stderr
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_any_change_to_the_spec_or_the_templates_is_a_miss(tmp_path: Path) -> None:
    spec = tmp_path / SPEC.name
    spec.write_bytes(SPEC.read_bytes())
    cache = Cache(tmp_path / "cache")
    first = pipeline.generate_project(spec, tmp_path / "out", None, cache=cache)
    again = pipeline.generate_project(spec, tmp_path / "out", None, cache=cache)
    assert again.files == first.files
    spec.write_bytes(SPEC.read_bytes().replace(b"title: ", b"title: Renamed ", 1))
    changed = pipeline.generate_project(spec, tmp_path / "out", None, cache=cache)
    assert changed.files != first.files
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "pyproject.toml.jinja").write_text("# overridden\n")
    overridden = pipeline.generate_project(spec, tmp_path / "out", templates, cache=cache)
    assert overridden.files["pyproject.toml"] == "# overridden\n"


@pytest.mark.parametrize("flag", ["--no-cache", "--timings"])
def test_flags_are_listed_in_help(flag: str, tmp_path: Path) -> None:
    assert flag in run("--help", cache_dir=tmp_path).stdout


def test_a_change_in_a_file_the_spec_refers_to_is_a_miss(tmp_path: Path) -> None:
    spec = tmp_path / "root.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    Pet: {$ref: 'pet.yaml'}\n"
    )
    pet = tmp_path / "pet.yaml"
    pet.write_text("type: object\nproperties: {name: {type: string}}\n")
    cache = Cache(tmp_path / "cache")
    first = pipeline.generate_project(spec, tmp_path / "out", None, cache=cache)
    assert "name: str" in first.files["root/models/pet.py"]
    pet.write_text("type: object\nproperties: {nickname: {type: string}}\n")
    second = pipeline.generate_project(spec, tmp_path / "out", None, cache=cache)
    assert "nickname: str" in second.files["root/models/pet.py"]


def test_prune_keeps_the_cache_under_its_limit_removing_the_entries_used_longest_ago(
    tmp_path: Path,
) -> None:
    cache = Cache(tmp_path / "cache")
    now = time.time()
    keys = [digest(str(n)) for n in range(10)]
    for age, key in enumerate(keys):  # keys[9] the oldest
        cache.put("blob", key, b"x" * 1000)
        path = cache._path("blob", key)
        os.utime(path, (now - 100 * age, now - 100 * age))
    assert cache.get("blob", keys[9]) is not None  # read: touched, now the newest
    foreign = tmp_path / "cache" / "1" / "blob" / "notes.txt"
    foreign.write_text("not an entry\n")
    stale = cache._path("blob", keys[0]).parent / ".tmp-killed"
    stale.write_bytes(b"half")
    os.utime(stale, (now - 7200, now - 7200))
    removed = cache.prune(6000, now)
    left = [key for key in keys if cache._path("blob", key).exists()]
    assert sum(cache._path("blob", key).stat().st_size for key in left) <= 6000 * 3 // 4
    assert keys[9] in left and keys[0] in left and keys[8] not in left  # oldest use went
    assert removed > 0 and not stale.exists() and foreign.read_text() == "not an entry\n"
    assert cache.prune(0, now + 60) == 0  # at most once a day
    assert cache.prune(0, now + 2 * 24 * 3600) > 0


def test_a_wrong_size_setting_is_a_usage_error(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text("openapi: 3.0.3\n")
    env = {**os.environ, "CLIENTGEN_CACHE_MAX_MB": "lots", "CLIENTGEN_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate", str(spec), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "CLIENTGEN_CACHE_MAX_MB='lots': not a whole number of megabytes" in done.stderr
    assert not (tmp_path / "o").exists()


def test_compiled_templates_come_from_the_cache_and_a_corrupt_one_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    from generator import render
    from generator.cache import fingerprint
    from generator.loader import load
    from generator.parser.build import build

    api = build(load(SPEC), SPEC.stem)
    cache = Cache(tmp_path / "cache")
    compiled: list[str] = []
    compile_source = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *a: Any) -> Any:
        compiled.append(str(name))
        return compile_source(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    version = fingerprint(None)

    def render_afresh() -> dict[str, str]:
        render.environment.cache_clear()  # as a new run would start
        return render.render(api, render.environment(None, version, cache))

    expected = render.render(api, render.environment(None))
    assert compiled, "templates compiled without a cache"
    compiled.clear()
    assert render_afresh() == expected
    used = sorted(compiled)
    entries = sorted(
        p for p in (tmp_path / "cache").rglob("*") if p.is_file() and "jinja" in p.parts
    )
    assert len(entries) == len(used) > 0
    compiled.clear()
    assert render_afresh() == expected
    assert compiled == [], "a template compiled again though the cache has it"
    entries[0].write_bytes(b"garbage")
    assert render_afresh() == expected
    assert len(compiled) == 1, "a corrupt entry must be compiled again, never loaded"
    render.environment.cache_clear()
