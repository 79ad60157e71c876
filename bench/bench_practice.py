"""Loading and checking the whole practice catalogue (every shipped procedure).

Target: ≤ 200 ms (CPU time of the process; the wall-clock time is reported beside it, as the
build machine is shared). This is what `kiosk procedures check` and the kiosk's start-up do:
YAML with line numbers, JSON Schema, the page graph, translations, and every persona value
through its field's checks. Also reported, for information: one page submission through the engine.
"""
from __future__ import annotations

import os
import random
import statistics
import time

from kiosk.practice.catalogue import SHIPPED_DIR
from kiosk.practice.checker import check_paths
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.solution import page_solution
from kiosk.sessions.clock import ManualClock

ROUNDS = 7
TARGET_MS = 200.0


def run() -> list[dict]:
    check_paths([SHIPPED_DIR])  # warm-up: imports, schema compilation
    cpu, wall = [], []
    report = None
    for _ in range(ROUNDS):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        report = check_paths([SHIPPED_DIR])
        cpu.append((time.process_time() - start_cpu) * 1000.0)
        wall.append((time.perf_counter() - start_wall) * 1000.0)
    assert report is not None and report.ok, [str(f) for f in report.findings]
    # The figure compared with the target is the CPU time of this process: on the shared
    # build machine other jobs inflate wall-clock time; on an idle kiosk both are the same.
    median = statistics.median(cpu)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    procedure = report.procedures[0]
    submits = []
    for _ in range(50):
        run_ = PracticeRun(procedure, Mode.GUIDED, clock=ManualClock(), rng=random.Random(1))
        values = page_solution(run_.page, procedure, run_.sms_code)
        start = time.perf_counter()
        run_.guide()
        run_.submit(values)
        submits.append((time.perf_counter() - start) * 1000.0)
    return [
        {"name": f"practice: load + check the whole catalogue ({len(report.procedures)} "
                 f"procedures, median of {ROUNDS})",
         "value": round(median, 1), "unit": "ms (CPU)", "target": "≤ 200 ms",
         "met": median <= TARGET_MS,
         "note": f"wall-clock median {statistics.median(wall):.0f} ms at load average "
                 f"{load:.1f} on {os.cpu_count()} cores"},
        {"name": "practice: guide + submit one page in the engine (median of 50)",
         "value": round(statistics.median(submits), 3), "unit": "ms",
         "target": "informative", "met": None},
    ]


if __name__ == "__main__":  # pragma: no cover
    for result in run():
        print(result)
