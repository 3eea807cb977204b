"""bench/bench.py's work folder: the bench empties only a folder it made itself (or an empty
one), never a folder of the user's given by mistake to ``--work``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench  # noqa: E402  (bench/ is a folder of scripts, not a package)


def test_a_new_folder_is_made_and_marked(tmp_path: Path) -> None:
    work = tmp_path / "a" / "work"
    assert bench.prepare_work(work) is None
    assert sorted(p.name for p in work.iterdir()) == [bench.WORK_MARK]


def test_the_bench_empties_its_own_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    assert bench.prepare_work(work) is None
    (work / "out" / "github").mkdir(parents=True)
    (work / "out" / "github" / "x.py").write_text("old\n")
    assert bench.prepare_work(work) is None
    assert sorted(p.name for p in work.iterdir()) == [bench.WORK_MARK]


def test_a_users_folder_is_refused_and_left_whole(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "src").mkdir()
    problem = bench.prepare_work(tmp_path)
    assert problem is not None and "nothing was removed" in problem
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert (tmp_path / "src").is_dir()
    file = tmp_path / "notes.txt"
    assert bench.prepare_work(file) == f"--work {file}: not a folder"


def test_an_empty_folder_is_taken(tmp_path: Path) -> None:
    assert bench.prepare_work(tmp_path) is None
    assert (tmp_path / bench.WORK_MARK).is_file()


def test_a_chosen_folder_wins_and_ram_is_told_by_the_mount_table(tmp_path: Path) -> None:
    work, _ = bench.work_folder(tmp_path / "w")
    assert work == (tmp_path / "w").resolve()
    mounts = Path("/proc/mounts").read_text().split("\n")
    shm = [line.split()[2] for line in mounts if line.split()[1:2] == ["/dev/shm"]]
    assert bench._in_ram(Path("/dev/shm") / "not" / "there") == (shm[-1:] == ["tmpfs"])
