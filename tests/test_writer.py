"""Writing output: each project folder changes all at once or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import pipeline, writer
from tests.conftest import ROOT

SPEC = ROOT / "specs" / "telness-connect.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def changed_files(out: Path) -> list[writer.Change]:
    """A plan that changes several files of an existing project."""
    project = pipeline.generate_project(SPEC, out, None)
    files = dict(project.files)
    for rel in ("README.md", "telness_connect/client.py", "docs/customers.md"):
        files[rel] = files[rel] + "# changed\n"
    files["extra/new.txt"] = "new\n"
    del files["telness_connect/py.typed"]
    return writer.plan(project.folder, files)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    writer.apply(pipeline.generate([SPEC], out, None).changes)
    (out / "telness-connect" / "NOTES.md").write_text("the user's own file\n")
    return out


def test_failure_midway_leaves_the_old_folder(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(out / "telness-connect")
    calls = []
    real = writer._write_file

    def failing(target: Path, text: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError("disk full")
        real(target, text)

    monkeypatch.setattr(writer, "_write_file", failing)
    with pytest.raises(OSError, match="disk full"):
        writer.apply(changed_files(out))
    assert snapshot(out / "telness-connect") == before
    assert sorted(p.name for p in out.iterdir()) == ["telness-connect"]  # no staging left


def test_changes_land_together_and_user_files_stay(out: Path) -> None:
    writer.apply(changed_files(out))
    project = out / "telness-connect"
    assert (project / "README.md").read_text().endswith("# changed\n")
    assert (project / "extra" / "new.txt").read_text() == "new\n"
    assert not (project / "telness_connect" / "py.typed").exists()
    assert (project / "NOTES.md").read_text() == "the user's own file\n"
    assert sorted(p.name for p in out.iterdir()) == ["telness-connect"]


def test_unchanged_files_keep_their_times(out: Path) -> None:
    models = out / "telness-connect" / "telness_connect" / "models" / "__init__.py"
    before = models.stat().st_mtime_ns
    writer.apply(changed_files(out))
    assert models.stat().st_mtime_ns == before


def test_the_users_links_folders_and_modes_come_along(out: Path) -> None:
    project = out / "telness-connect"
    (project / "notes" / "deep").mkdir(parents=True)
    (project / "notes" / "deep" / "todo.txt").write_text("mine\n")
    (project / "notes").chmod(0o750)
    (project / "link-to-readme").symlink_to("README.md")
    (project / "dangling").symlink_to("no-such-file")
    writer.apply(changed_files(out))
    assert (project / "notes" / "deep" / "todo.txt").read_text() == "mine\n"
    assert (project / "notes").stat().st_mode & 0o777 == 0o750
    assert os.readlink(project / "link-to-readme") == "README.md"
    assert (project / "link-to-readme").read_text().endswith("# changed\n")
    assert os.readlink(project / "dangling") == "no-such-file"


def test_half_done_fallback_swap_is_recovered(out: Path) -> None:
    project = out / "telness-connect"
    before = snapshot(project)
    aside = out / ".telness-connect.clientgen-old"
    os.rename(project, aside)  # a run died between the two renames of the fallback swap
    writer.recover(project)
    assert snapshot(project) == before and not aside.exists()


def test_killed_runs_leave_old_or_new(tmp_path: Path) -> None:
    """SIGKILL a real `generate` at many moments: every time, the folder is one whole state."""
    out = tmp_path / "out"
    custom = tmp_path / "templates"
    custom.mkdir()
    (custom / "README.md.jinja").write_text("# old readme {{ api.title }}\n")
    # --no-cache: each run does the whole work, as long as the one timed (a cache hit would
    # finish before the first kill)
    run = [
        sys.executable,
        "-m",
        "generator",
        "generate",
        "--no-cache",
        str(SPEC),
        "--out",
        str(out),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(run + ["--templates", str(custom)], check=True, cwd=ROOT, env=env)
    old = snapshot(out / "telness-connect")
    new_out = tmp_path / "new"
    started = time.monotonic()
    subprocess.run(run[:-1] + [str(new_out)], check=True, cwd=ROOT, env=env)
    duration = time.monotonic() - started
    new = snapshot(new_out / "telness-connect")
    assert old != new
    seen = set()
    for fraction in [i / 8 for i in range(1, 9)] + [2.0]:
        proc = subprocess.Popen(run, cwd=ROOT, env=env)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = snapshot(out / "telness-connect")
        assert state in (old, new), f"mixed state after a kill at {fraction:.0%} of a run"
        seen.add("new" if state == new else "old")
        if state == new:
            break
    assert seen == {"old", "new"}, f"kills only ever saw {seen}: the moments missed the write"
