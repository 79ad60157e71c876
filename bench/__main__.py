"""Run every benchmark module, save the results as JSON and rewrite docs/PERFORMANCE.md.

Each ``bench/bench_<area>.py`` exposes ``run() -> dict | list[dict]``; a result is a dict with
``name``, ``value``, ``unit`` and, where the target is a ratio, ``baseline`` and ``ratio``
(measured in the same run), plus ``target`` (text) and ``met`` (bool or None when informative).
Usage: python -m bench [AREA ...]   (e.g. `python -m bench sessions`)
       python -m bench fleet --kiosks N --pages M ...   (the fleet simulator at a size of
       your choosing, for installers: bench/fleet.py; `--help` lists its options)
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import platform
import re
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PERFORMANCE_MD = ROOT / "docs" / "PERFORMANCE.md"


def discover() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))


def run_area(area: str) -> list[dict]:
    module = importlib.import_module(f"bench.bench_{area}")
    try:
        out = module.run()
    except Exception as err:  # noqa: BLE001 - one broken benchmark must not hide the others
        traceback.print_exc()
        return [{"area": area, "name": f"{area}: failed to run", "value": None, "unit": "",
                 "target": "", "met": False, "note": f"{type(err).__name__}: {err}"}]
    results = out if isinstance(out, list) else [out]
    for r in results:
        r.setdefault("area", area)
    return results


def fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def render(results: list[dict], kept: Kept, when: str) -> str:
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m bench`), which rewrites this page. Targets that are",
        "ratios compare with a baseline measured in the same run on the same machine, so they hold",
        "on slower or faster hardware. No test asserts a duration; these figures are the check.",
        "`python -m bench AREA` measures one area again; the other rows stay as they were, with",
        "the day each was measured.",
        "",
        f"Last run: {when} on {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        "",
        f"| {' | '.join(COLUMNS)} |",
        "|" + "---|" * len(COLUMNS),
    ]
    rows = [(r["area"], _row(r, when[:10])) for r in results] + kept.rows
    lines += [row for _area, row in sorted(rows, key=lambda pair: pair[0])]
    notes = [f"- {r['area']} / {r['name']}: {r['note']}" for r in results if r.get("note")]
    notes += kept.notes
    if notes:
        lines += ["", "## Notes", "", *sorted(notes)]
    return "\n".join(lines) + "\n"


COLUMNS = ("area", "benchmark", "value", "baseline", "ratio", "target", "met", "measured")


def _row(r: dict, day: str) -> str:
    unit = r.get("unit", "")
    met = {True: "yes", False: "**no**", None: "—"}[r.get("met")]
    return (f"| {r['area']} | {r['name']} | {fmt(r.get('value'))} {unit} | "
            f"{fmt(r.get('baseline'))} {unit if r.get('baseline') is not None else ''} | "
            f"{fmt(r.get('ratio'))} | {r.get('target', '')} | {met} | {day} |")


_NOTE = re.compile(r"- ([A-Za-z0-9_]+)(?: / |: )")


class Kept:
    """The rows and notes of the current page for the areas not measured in this run: a run
    of one area must not wipe the figures of the others (measured maybe on another day).
    ``left_out``: per measured area, the databases this run left out (KIOSK_BENCH_ENGINES):
    that area's rows naming one of them are kept too."""

    def __init__(self, page: str, measured: set[str],
                 left_out: dict[str, set[str]] | None = None) -> None:
        self.rows: list[tuple[str, str]] = []
        self.notes: list[str] = []
        left_out = left_out or {}
        last_run = re.search(r"^Last run: (\d{4}-\d{2}-\d{2})", page, re.MULTILINE)
        day = last_run.group(1) if last_run else "?"

        def kept(area: str, text: str) -> bool:
            # A benchmark names its database "(SQLite, ...)" or "... on SQLite".
            return area not in measured or any(
                re.search(rf"\({engine}\b| on {engine}(:|$)", text)
                for engine in left_out.get(area, ()))

        for line in page.splitlines():
            if line.startswith("| ") and not line.startswith(("| area ", "|---")):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if not kept(cells[0], cells[1]):
                    continue
                if len(cells) == len(COLUMNS) - 1:  # a page from before the "measured" column
                    cells.append(day)
                self.rows.append((cells[0], "| " + " | ".join(cells) + " |"))
            elif (note := _NOTE.match(line)) and kept(note.group(1), line):
                self.notes.append(line)  # "- area / benchmark: ..." or "- area: ..."


_LEFT_OUT = re.compile(r" on (SQLite|PostgreSQL)$")


def left_out(results: list[dict]) -> dict[str, set[str]]:
    """Per area, the databases whose rows this run did not measure (bench.datasets.skipped)."""
    out: dict[str, set[str]] = {}
    for r in results:
        found = _LEFT_OUT.search(r["name"])
        if found and str(r.get("note", "")).startswith("not run: KIOSK_BENCH_ENGINES"):
            out.setdefault(r["area"], set()).add(found.group(1))
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["fleet"] and len(argv) > 1:  # the simulator with an installer's options
        from bench.fleet import main as fleet_main
        return fleet_main(argv[1:])
    known = discover()
    if any(arg in ("-h", "--help") for arg in argv):
        print(f"usage: python -m bench [AREA ...]\nareas: {' '.join(known)}")
        return 0
    unknown = [arg for arg in argv if arg not in known]
    if unknown:
        print(f"bench: unknown area(s) {' '.join(unknown)}; known areas: {' '.join(known)}",
              file=sys.stderr)
        return 2
    areas = argv or known
    results: list[dict] = []
    for area in areas:
        print(f"bench: {area} ...", file=sys.stderr, flush=True)
        results.extend(run_area(area))
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for area in areas:
        mine = [r for r in results if r["area"] == area]
        (RESULTS / f"{area}.json").write_text(
            json.dumps({"when": when, "results": mine}, indent=2, default=str))
    page = PERFORMANCE_MD.read_text() if PERFORMANCE_MD.exists() else ""
    skipped = left_out(results)
    shown = [r for r in results if not (r["area"] in skipped and _LEFT_OUT.search(r["name"])
                                        and str(r.get("note", "")).startswith("not run"))]
    PERFORMANCE_MD.write_text(render(shown, Kept(page, set(areas), skipped), when))
    for r in results:
        print(f"{r['area']:>10} | {r['name']}: {fmt(r.get('value'))} {r.get('unit', '')}"
              f" (target {r.get('target', '-')}, met: {r.get('met')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
