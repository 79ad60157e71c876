"""`python -m bench`: the runner's command line (the benchmarks themselves run in `make bench`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)


def test_help_lists_the_benchmark_areas():
    done = _bench("--help")
    assert done.returncode == 0
    assert "usage: python -m bench" in done.stdout
    assert {"console", "ui", "server"} <= set(done.stdout.split("areas:")[1].split())


def test_an_unknown_area_is_a_clear_error_that_runs_nothing():
    done = _bench("nope")
    assert done.returncode == 2
    assert "unknown area(s) nope" in done.stderr and "Traceback" not in done.stderr
    assert "bench: nope ..." not in done.stderr


def test_a_run_of_one_area_keeps_the_other_areas_notes_of_either_form():
    from bench.__main__ import Kept

    page = ("Last run: 2026-12-05 23:00 UTC\n\n## Notes\n\n"
            "- console_compare: run on its own on a 100,000-record dataset\n"
            "- practice / load + check: wall-clock median 1368 ms\n"
            "- server / HTTP ingest: 5000 sessions\n")
    kept = Kept(page, {"practice"})
    assert kept.notes == ["- console_compare: run on its own on a 100,000-record dataset",
                          "- server / HTTP ingest: 5000 sessions"]
    assert Kept(page, {"console_compare"}).notes == [
        "- practice / load + check: wall-clock median 1368 ms",
        "- server / HTTP ingest: 5000 sessions"]


def test_a_run_on_one_database_keeps_the_other_databases_rows_of_its_area():
    from bench.__main__ import Kept, left_out

    page = ("Last run: 2026-12-05 23:00 UTC\n\n"
            "| console | console page p95: synthese (SQLite, 10 records) | 51 ms | — | — "
            "| p95 ≤ 300 ms | yes | 2026-11-22 |\n"
            "| console | console page p95: synthese (PostgreSQL, 10 records) | 77 ms | — | — "
            "| p95 ≤ 300 ms | yes | 2026-11-22 |\n\n## Notes\n\n"
            "- console / console page p95: synthese (SQLite, 10 records): p50 37 ms\n"
            "- console / console page p95: synthese (PostgreSQL, 10 records): p50 36 ms\n")
    results = [{"area": "console", "name": "console pages on SQLite", "value": None,
                "note": "not run: KIOSK_BENCH_ENGINES=postgresql"},
               {"area": "console", "name": "console page p95: synthese (PostgreSQL, 10 records)",
                "value": 80}]
    skipped = left_out(results)
    assert skipped == {"console": {"SQLite"}}

    kept = Kept(page, {"console"}, skipped)

    assert [row for _area, row in kept.rows] == [page.splitlines()[2]]  # SQLite's, as it was
    assert kept.notes == ["- console / console page p95: synthese (SQLite, 10 records): p50 37 ms"]
