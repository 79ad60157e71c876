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
        return [{"name": f"{area}: failed to run", "value": None, "unit": "", "target": "",
                 "met": False, "note": f"{type(err).__name__}: {err}"}]
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


def render(results: list[dict], when: str) -> str:
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m bench`), which rewrites this page. Targets that are",
        "ratios compare with a baseline measured in the same run on the same machine, so they hold",
        "on slower or faster hardware. No test asserts a duration; these figures are the check.",
        "",
        f"Last run: {when} on {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        "",
        "| area | benchmark | value | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        unit = r.get("unit", "")
        met = {True: "yes", False: "**no**", None: "—"}[r.get("met")]
        lines.append(
            f"| {r['area']} | {r['name']} | {fmt(r.get('value'))} {unit} | "
            f"{fmt(r.get('baseline'))} {unit if r.get('baseline') is not None else ''} | "
            f"{fmt(r.get('ratio'))} | {r.get('target', '')} | {met} |")
    notes = [f"- {r['area']} / {r['name']}: {r['note']}" for r in results if r.get("note")]
    if notes:
        lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


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
    # The page shows the latest results of every area run so far on this machine.
    everything: list[dict] = []
    for path in sorted(RESULTS.glob("*.json")):
        everything.extend(json.loads(path.read_text())["results"])
    PERFORMANCE_MD.write_text(render(everything, when))
    for r in results:
        print(f"{r['area']:>10} | {r['name']}: {fmt(r.get('value'))} {r.get('unit', '')}"
              f" (target {r.get('target', '-')}, met: {r.get('met')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
