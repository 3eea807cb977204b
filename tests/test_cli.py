"""The command line as users and CI call it: exit codes, --check, incremental writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SPEC = ROOT / "specs" / "telness-connect.yaml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run("generate", str(SPEC), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_second_run_changes_nothing(generated: Path) -> None:
    before = snapshot(generated)
    result = run("generate", str(SPEC), "--out", str(generated))
    assert result.returncode == 0, result.stderr
    assert "0 file(s) changed" in result.stdout
    assert snapshot(generated) == before  # same bytes, same mtimes: nothing rewritten


def test_check_passes_when_up_to_date(generated: Path) -> None:
    result = run("generate", str(SPEC), "--out", str(generated), "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_check_reports_drift_and_writes_nothing(tmp_path: Path, generated: Path) -> None:
    out = tmp_path / "out"
    (out / "telness-connect").mkdir(parents=True)
    for rel, (data, _) in snapshot(generated).items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    readme = out / "telness-connect" / "README.md"
    readme.write_text(readme.read_text() + "local edit\n")
    (out / "telness-connect" / "telness_connect" / "py.typed").unlink()
    before = snapshot(out)
    result = run("generate", str(SPEC), "--out", str(out), "--check")
    assert result.returncode == 1
    assert "-local edit" in result.stdout
    assert "+++ b/telness-connect/telness_connect/py.typed" in result.stdout
    assert "2 file(s) out of date" in result.stderr
    assert snapshot(out) == before


def test_only_changed_files_are_rewritten(tmp_path: Path, generated: Path) -> None:
    out = tmp_path / "out"
    run("generate", str(SPEC), "--out", str(out))
    readme = out / "telness-connect" / "README.md"
    readme.write_text("stale\n")
    before = snapshot(out)
    result = run("generate", str(SPEC), "--out", str(out))
    assert "1 file(s) changed" in result.stdout
    after = snapshot(out)
    assert {k for k in after if after[k] != before[k]} == {"telness-connect/README.md"}


def test_files_not_ours_are_kept_and_stale_ours_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("generate", str(SPEC), "--out", str(out))
    project = out / "telness-connect"
    (project / "NOTES.md").write_text("mine\n")
    stale = project / "docs" / "old" / "gone.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("old output\n")
    manifest = json.loads((project / "clientgen.json").read_text())
    manifest["files"].append("docs/old/gone.md")
    manifest["files"].append("../../escape.txt")  # a tampered manifest cannot reach outside
    manifest["files"].append(str(tmp_path / "absolute.txt"))  # nor name an absolute path
    manifest["files"].append("linked/victim.txt")  # nor go through a symbolic link
    (tmp_path / "escape.txt").write_text("keep\n")
    (tmp_path / "absolute.txt").write_text("keep\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "victim.txt").write_text("keep\n")
    (project / "linked").symlink_to(tmp_path / "elsewhere")
    (project / "clientgen.json").write_text(json.dumps(manifest))
    result = run("generate", str(SPEC), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (project / "NOTES.md").read_text() == "mine\n"
    assert not stale.exists() and not stale.parent.exists()
    assert (tmp_path / "escape.txt").exists() and (tmp_path / "absolute.txt").exists()
    assert (tmp_path / "elsewhere" / "victim.txt").exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["generate", "nope.yaml"], "no such spec file: nope.yaml"),
        (["validate", "nope.yaml"], "no such spec file: nope.yaml"),
        (["generate", str(SPEC), "--templates", "nope"], "--templates: no such folder: nope"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_usage_exits_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_no_specs_folder_is_bad_usage(tmp_path: Path) -> None:
    result = run("generate", cwd=tmp_path)
    assert result.returncode == 2
    assert "no SPEC given and no specs/ folder here" in result.stderr


def test_validate_reports_valid_specs() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5 specs valid."


def test_templates_override_by_file_name(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "README.md.jinja").write_text("# Custom readme for {{ api.title }}\n")
    out = tmp_path / "out"
    result = run("generate", str(SPEC), "--out", str(out), "--templates", str(templates))
    assert result.returncode == 0, result.stderr
    assert (out / "telness-connect" / "README.md").read_text().startswith("# Custom readme for")
    # everything else falls back to the built-in templates
    assert (
        (out / "telness-connect" / "telness_connect" / "client.py")
        .read_text()
        .startswith("# Generated by clientgen from telness-connect.yaml")
    )


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "clientgen"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("clientgen ")


def test_generated_package_imports_with_standard_library_only(generated: Path) -> None:
    # -I: no user site, no PYTHONPATH; -S: no site-packages at all. Only the stdlib remains.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import telness_connect;"
        "c = telness_connect.Client(api_key_auth='k'); c.close();"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('yaml', 'jinja2', 'httpx')]"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(generated / "telness-connect")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_a_json_spec_is_generated_without_importing_yaml_or_the_swagger_converter(
    tmp_path: Path,
) -> None:
    """Imports cost time on every run (``import yaml`` 0.02 s): a JSON spec needs neither."""
    import yaml

    spec = tmp_path / "telness.json"
    spec.write_text(json.dumps(yaml.safe_load(SPEC.read_text(encoding="utf-8"))))
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        f"assert main(['generate', {str(spec)!r}, '--out', {str(tmp_path / 'out')!r},"
        " '--no-cache']) == 0\n"
        "print(sorted(m for m in sys.modules if m == 'yaml' or m.endswith('swagger2')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "telness" / "README.md").is_file()
