"""Run by bench/_measure.py as ``python -I -S bench/_spawn.py RESULT COMMAND...``: start
COMMAND, wait for it with ``os.wait4`` and write its exit code, wall time, CPU time and peak
memory to the file RESULT as JSON.

Why a go-between: Linux keeps a process's peak resident size across ``exec``, so a command
forked straight from the benchmark (which holds GitHub's 13 MB spec in memory) would report
the benchmark's own size as its peak. Forked from this small process, it reports its own.
"""

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    result, command = argv[0], argv[1:]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = code = os.waitstatus_to_exitcode(status)
    figures = {
        "exit_code": code,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }
    with open(result, "w", encoding="utf-8") as file:
        json.dump(figures, file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
