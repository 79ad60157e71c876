"""Ending a session that holds 50 scanned A4 pages (300 dpi) and 20 print jobs, wipe included.

Target: median ≤ 0.5 s. Reported beside the time to create the same artefacts in the same run.
Scans are JPEG files of a full A4 300 dpi colour page (2480 × 3507 px), as the scanner keeps
them; each print job is a spool file registered as a "print_job" artefact and purged by a
disposer of the same shape as the printer's (the CUPS round trip is measured by bench_devices).
"""
from __future__ import annotations

import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.sessions import open_core
from kiosk.sessions.workspace import Artefact
from kiosk_wire import config
from kiosk_wire.schema import EndReason

PAGES, JOBS, ROUNDS = 50, 20, 5


def a4_scan_jpeg() -> bytes:
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 255, size=(3507, 2480, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def run() -> list[dict]:
    scan = a4_scan_jpeg()
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    spool = root / "spool"
    spool.mkdir()
    settings = config.defaults().with_overrides({"kiosk.data_dir": str(root / "data")})
    core = open_core(settings)
    core.recover()

    def purge_job(ref: str) -> None:
        (spool / f"job-{ref}").unlink(missing_ok=True)

    core.disposers.register("print_job", purge_job)
    create_times, end_times = [], []
    try:
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            core.start()
            for _ in range(PAGES):
                core.new_file(".jpg", label="scan").write_bytes(scan)
            for job in range(JOBS):
                (spool / f"job-{job}").write_bytes(b"%PDF-1.4 spooled")
                core.register(Artefact("print_job", str(job), label="print"))
            t1 = time.perf_counter()
            summary = core.end(EndReason.FINISHED, offer_survey=False)
            t2 = time.perf_counter()
            assert summary.scans == PAGES and summary.prints == JOBS
            create_times.append(t1 - t0)
            end_times.append(t2 - t1)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    end_median = statistics.median(end_times)
    create_median = statistics.median(create_times)
    size_mb = len(scan) * PAGES / 2**20
    return [{
        "name": (f"end of a session holding {PAGES} A4 300 dpi scans + {JOBS} print jobs, "
                 "wipe included"),
        "value": round(end_median, 4), "unit": "s",
        "baseline": round(create_median, 4), "ratio": round(end_median / create_median, 3),
        "target": "median ≤ 0.5 s", "met": end_median <= 0.5,
        "note": f"baseline = time to create the same artefacts ({size_mb:.0f} MB of scans) in the "
                f"same run; median of {ROUNDS} rounds; session files on "
                f"{core.workspace_root}",
    }]
