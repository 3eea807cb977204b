"""File stamps (generator.stamps): a run knows the files the last run left unchanged by their
stamp, without reading them; a file written since, or written too close to its stamp, or a
missing or corrupt record, is read and checked, never trusted."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline, stamps
from generator.cache import Cache
from tests.test_memo import DESCRIPTION, edited, generate, setup, texts

HOUR_NS = 3600 * 10**9


def backdate(folder: Path) -> None:
    """Every file's modification time an hour back, as if the last run were long ago."""
    then = time.time_ns() - HOUR_NS
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(then, then))


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files of the project folder read to be checked against a hash, from now on."""
    reads: list[str] = []
    find = Cache.find

    def counted(self: Cache, sha: str, path: Any) -> tuple[bytes | None, bool]:
        reads.append(str(path))
        return find(self, sha, path)

    monkeypatch.setattr(Cache, "find", counted)
    return reads


def settled(tmp_path: Path) -> tuple[Path, Cache, pipeline.Project]:
    """A spec generated, its files left alone for a while, and run again (which stamps them)."""
    spec, cache = setup(tmp_path)
    first = generate(spec, tmp_path / "out", cache)
    backdate(first.folder)
    generate(spec, tmp_path / "out", cache)
    return spec, cache, first


def test_nothing_changed_reads_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, cache, first = settled(tmp_path)
    reads = count_reads(monkeypatch)
    again = generate(spec, tmp_path / "out", cache)
    assert reads == [] and again.files == {} and again.stamped
    assert again.paths() == sorted(first.files)
    assert texts(again) == first.files


def test_an_edit_reads_only_what_it_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, cache, first = settled(tmp_path)
    edited(spec, DESCRIPTION.encode(), b"description: Edited, a customer,")
    reads = count_reads(monkeypatch)
    second = generate(spec, tmp_path / "out", cache)
    assert reads == []  # every recalled file known by its stamp
    assert len(second.unchanged) > 2 * len(second.files)
    assert "docs/models/Customer.md" in second.files


def test_a_file_written_since_its_stamp_is_read_and_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, cache, first = settled(tmp_path)
    page = first.folder / "docs" / "models" / "Customer.md"
    original = page.read_text()
    page.write_text(original.replace("Customer", "Kustomer"))  # the same size
    assert page.stat().st_size == len(original.encode())
    reads = count_reads(monkeypatch)
    again = generate(spec, tmp_path / "out", cache)
    assert reads == [str(page)]
    assert page.read_text() == original == again.files["docs/models/Customer.md"]


def test_a_replaced_file_is_read_and_if_equal_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, cache, first = settled(tmp_path)
    page = first.folder / "docs" / "models" / "Customer.md"
    text = page.read_text()
    page.unlink()
    page.write_text(text)  # a new inode, the same bytes
    old = time.time_ns() - HOUR_NS
    os.utime(page, ns=(old, old))
    reads = count_reads(monkeypatch)
    again = generate(spec, tmp_path / "out", cache)
    assert reads == [str(page)] and again.files == {}


def test_files_written_right_before_their_stamp_are_read_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file written in the clock tick of its stamp could change without its time changing:
    files whose time lies within the margin of the record are read, and stamped again."""
    spec, cache = setup(tmp_path)
    first = generate(spec, tmp_path / "out", cache)
    now = time.time_ns()
    for path in first.folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(now, now))
    stamps.record(cache, first.folder, first.hashes)  # right after: every file is racy
    reads = count_reads(monkeypatch)
    again = generate(spec, tmp_path / "out", cache)
    assert len(reads) == len(first.files) and not again.stamped
    backdate(first.folder)
    generate(spec, tmp_path / "out", cache)  # read again and stamped an hour after
    reads.clear()
    assert generate(spec, tmp_path / "out", cache).stamped and reads == []


@pytest.mark.parametrize(
    "times, racy_ms, trusted_ms",
    [
        ("fine", 20, 200),  # ext4, tmpfs, btrfs: ns digits, a kernel tick of at most 10 ms
        ("whole seconds", 500, 3_000),  # FAT, ext3, HFS+
    ],
)
def test_the_margin_of_a_stamp_follows_the_file_systems_clock(
    tmp_path: Path, times: str, racy_ms: int, trusted_ms: int
) -> None:
    """How long before its record a file's time must lie: 50 ms where the file system keeps
    times finer than a millisecond, 2 s where it keeps whole seconds or milliseconds."""
    cache = Cache(tmp_path / "cache")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "a.py"
    target.write_text("x = 1\n")
    sha = "a" * 64
    for age_ms, held in ((racy_ms, False), (trusted_ms, True)):
        then = time.time_ns() - age_ms * 1_000_000
        # an odd nanosecond, or the whole second before (at most a second older)
        then = then | 1 if times == "fine" else then // 10**9 * 10**9
        os.utime(target, ns=(then, then))
        stamps.record(cache, folder, {"a.py": sha})
        record = stamps.load(cache, folder)
        fine = times == "fine"
        assert record.racy_ns == (stamps.FINE_RACY_NS if fine else stamps.RACY_NS)
        assert record.holds("a.py", sha) is held, (times, age_ms)


def test_a_missing_or_malformed_record_trusts_nothing(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    old = time.time_ns() - HOUR_NS
    os.utime(folder / "a.py", ns=(old, old))
    sha = "0" * 64
    assert not stamps.load(cache, folder).holds("a.py", sha)
    stamps.record(cache, folder, {"a.py": sha, "gone.py": sha})
    record = stamps.load(cache, folder)
    assert record.holds("a.py", sha) and not record.holds("a.py", "1" * 64)
    assert not record.holds("gone.py", sha)  # never stamped: it did not exist
    key = stamps._key(folder)
    for bad in (
        [],
        {"taken_ns": "now", "files": {}},
        {"taken_ns": 1, "files": {"a.py": [sha, 1, 2, 3]}},
        {"taken_ns": 1, "files": {"a.py": [sha, 1, 2, 3, True]}},
        {"taken_ns": 1, "files": {"a.py": [1, 1, 2, 3, 4]}},
        {"taken_ns": 1, "racy_ns": 5, "files": {"a.py": [sha, 1, 2, 3, 4]}},
        {"taken_ns": True, "files": {"a.py": [sha, 1, 2, 3, 4]}},
    ):
        cache.put_json("stamps", key, bad)
        assert stamps.load(cache, folder).files == {}
    entry = next((tmp_path / "cache").rglob("stamps/*/*"))
    entry.write_bytes(entry.read_bytes()[:-3])  # corrupt: fails its own checksum
    assert stamps.load(cache, folder).files == {}


def test_a_vouched_entry_is_kept_only_for_the_same_text(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("a.py", "b.py"):
        (folder / name).write_text("x = 1\n")
    now = stamps.stamp_of(str(folder / "a.py"))
    assert now is not None
    old: stamps.Stamp = (now[0], now[1] - HOUR_NS, now[2], now[3])  # as the last record had it
    a, b = "a" * 64, "b" * 64
    stamps.record(cache, folder, {"a.py": a, "b.py": b}, {"a.py": (a, old), "b.py": (a, old)})
    kept = stamps.load(cache, folder).files
    assert kept["a.py"] == (a, old)  # not stat'ed again
    assert kept["b.py"] == (b, stamps.stamp_of(str(folder / "b.py")))  # another text: stat'ed
