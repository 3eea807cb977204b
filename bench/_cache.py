"""The bench's cache folder, ``bench/.cache/`` (gitignored): what ``make corpus`` and
``make bench`` install once and reuse.

- pinned npm packages, each in its own folder (``npm install --prefix FOLDER NAME@VERSION``,
  integrity checked against the lock file npm writes, a stamp file marking a complete install);
- Python virtual environments made from a pinned requirements file (a stamp holds the file's
  sha256, so editing the pins rebuilds the environment).

Setup problems (npm or the network missing, an install failing) raise SetupError: the callers
fail on it, they never skip.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"


class SetupError(Exception):
    """An input of the bench cannot be installed or read."""


@dataclass(frozen=True)
class NpmPackage:
    """One npm package at an exact version; ``integrity`` is ``npm view NAME@VERSION
    dist.integrity``, checked against the lock file after installing."""

    name: str
    version: str
    integrity: str
    size: str = ""  # shown while installing, e.g. "45 MB download, 410 MB unpacked"

    @property
    def pinned(self) -> str:
        return f"{self.name}@{self.version}"


def fingerprint() -> str:
    """sha256 of the generator's code and templates as they are on disk now."""
    digest = hashlib.sha256()
    for folder in ("generator", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def shown(path: Path) -> str:
    """``path`` relative to the project root when it is inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def package_root(folder: Path, name: str) -> Path:
    return folder / "node_modules" / name


def installed_version(root: Path) -> str | None:
    """The ``version`` of the npm package installed at ``root``, None if there is none."""
    try:
        version = json.loads((root / "package.json").read_text()).get("version")
    except (OSError, ValueError):
        return None
    return version if isinstance(version, str) else None


def npm_install(package: NpmPackage, folder: Path, label: str) -> Path:
    """The root of ``package`` installed in ``folder``; installs it there when missing.

    Concurrent callers wait for each other (a lock file in ``folder``). Raises SetupError when
    npm is missing or fails, or when what got installed is not the pinned version.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / ".installed"
    wanted = f"{package.pinned} {package.integrity}"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        root = package_root(folder, package.name)
        if (
            stamp.is_file()
            and stamp.read_text().strip() == wanted
            and installed_version(root) == package.version
        ):
            return root
        stamp.unlink(missing_ok=True)
        _run_npm_install(package, folder, label)
        _check_installed(package, folder)
        stamp.write_text(wanted + "\n")
        return root


def _run_npm_install(package: NpmPackage, folder: Path, label: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError(
            f"npm not found on PATH: it is needed to install {package.pinned} "
            f"into {shown(folder)} (once)"
        )
    shutil.rmtree(folder / "node_modules", ignore_errors=True)
    # Our own package.json, so npm never walks up to the project's.
    (folder / "package.json").write_text(
        json.dumps({"name": f"clientgen-{label}", "private": True}, indent=2) + "\n"
    )
    (folder / "package-lock.json").unlink(missing_ok=True)
    size = f" ({package.size})" if package.size else ""
    print(
        f"{label}: installing {package.pinned}{size} into {shown(folder)} ...",
        file=sys.stderr,
        flush=True,
    )
    command = [
        npm,
        "install",
        "--prefix",
        str(folder),
        "--save-exact",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        package.pinned,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SetupError(
            f"`npm install {package.pinned}` failed (exit {done.returncode}):\n"
            + (done.stderr or done.stdout).strip()
        )


def _check_installed(package: NpmPackage, folder: Path) -> None:
    lock_file = json.loads((folder / "package-lock.json").read_text())
    entry = lock_file.get("packages", {}).get(f"node_modules/{package.name}", {})
    version = installed_version(package_root(folder, package.name))
    if entry.get("integrity") != package.integrity or version != package.version:
        raise SetupError(
            f"installed {package.name} is not the pinned {package.version} / "
            f"{package.integrity}: got {version} / {entry.get('integrity')}"
        )


def python_venv(folder: Path, requirements: Path, label: str) -> Path:
    """The interpreter of a virtual environment in ``folder`` with exactly the pins of
    ``requirements`` installed (``pip install --no-deps -r``); (re)built when the file changed."""
    python = folder / "bin" / "python"
    stamp = folder / ".installed"
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.is_file() and stamp.is_file() and stamp.read_text().strip() == wanted:
            return python
        print(f"{label}: creating {shown(folder)} from {shown(requirements)} ...", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        venv.create(folder, with_pip=True, clear=True)
        command = [str(python), "-m", "pip", "install", "--quiet", "--no-deps"]
        done = subprocess.run(
            [*command, "-r", str(requirements)], capture_output=True, text=True, timeout=1800
        )
        if done.returncode != 0:
            raise SetupError(
                f"pip install -r {shown(requirements)} failed (exit {done.returncode}):\n"
                + (done.stderr or done.stdout).strip()[-2000:]
            )
        stamp.write_text(wanted + "\n")
        return python
