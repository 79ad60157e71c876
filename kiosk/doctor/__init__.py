"""`kiosk doctor`: tells an installer, in plain French, what this machine has and lacks.

Every check runs in its own thread, all at once, each bounded in time: a daemon that does not
answer (a hung CUPS, a SANE backend probing the network) is reported as a failure after its
time, never waited for. A required check that fails makes the exit code 1; ``--json`` prints
the findings for monitoring (English codes, the same French messages).

The package: :mod:`~kiosk.doctor.findings` (the Finding type, at the bottom),
:mod:`~kiosk.doctor.system` (settings, store, session files, display, server, code reader,
speech), :mod:`~kiosk.doctor.devices` (printer, scanner, badge reader, udev),
:mod:`~kiosk.doctor.catalogue` (the procedures published from the console) and
:mod:`~kiosk.doctor.browser` (Chromium, Playwright, the official sites' list).
"""
from __future__ import annotations

import json
import threading

import click

from kiosk.doctor.findings import MARKS, Check, Finding, Status
from kiosk_wire import config

__all__ = ["CHECK_TIMEOUT_S", "Finding", "Status", "all_checks", "doctor", "run_checks"]

CHECK_TIMEOUT_S = 15.0


def all_checks() -> list[tuple[Check, str, str]]:
    """(check, code, French title) of every check, in the order they are printed."""
    from kiosk.doctor import browser, catalogue, devices, system

    return [*system.FIRST_CHECKS, *devices.CHECKS, *system.LAST_CHECKS, *catalogue.CHECKS,
            (browser.check_browser, browser.CODE, browser.TITLE)]


def run_checks(settings: config.Settings, timeout_s: float = CHECK_TIMEOUT_S,
               checks: list[tuple[Check, str, str]] | None = None) -> list[Finding]:
    """Every check at once, each within ``timeout_s``; the findings in the checks' order."""
    checks = all_checks() if checks is None else checks
    results: list[Finding | None] = [None] * len(checks)

    def run(index: int, check: Check, code: str, title: str) -> None:
        try:
            results[index] = check(settings)
        except Exception as err:  # noqa: BLE001 - a check must never crash the doctor
            results[index] = Finding(code, title, Status.FAIL,
                                     f"la vérification a échoué : {type(err).__name__}: {err}")

    threads = [threading.Thread(target=run, args=(i, *item), daemon=True,
                                name=f"doctor-{item[1]}") for i, item in enumerate(checks)]
    for thread in threads:
        thread.start()
    # One deadline for all (they run together): a hung check costs timeout_s, not more.
    for thread in threads:
        thread.join(max(0.0, timeout_s))
    findings = []
    for (_check, code, title), result in zip(checks, results, strict=True):
        findings.append(result or Finding(
            code, title, Status.FAIL,
            f"pas de réponse en {timeout_s:.0f} s : le service ne répond pas (bloqué ?)",
            required=True))
    return findings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON (monitoring).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(1, 300), default=CHECK_TIMEOUT_S,
              show_default=True, help="Seconds each check may take.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool, timeout_s: float) -> None:
    """Check this machine: settings, store, session files, display, devices, server."""
    from kiosk.cli import load_settings

    settings = load_settings(ctx)
    findings = run_checks(settings, timeout_s)
    failed = [f for f in findings if f.required and f.status is Status.FAIL]
    if as_json:
        click.echo(json.dumps({"ok": not failed, "findings": [f.as_json() for f in findings]},
                              ensure_ascii=False, indent=1))
    else:
        for f in findings:
            need = "obligatoire" if f.required else "facultatif"
            click.echo(f"{MARKS[f.status]} {f.title:<22} {f.message} [{need}]")
        if failed:
            click.echo(f"\n{len(failed)} vérification(s) obligatoire(s) en échec : "
                       f"{', '.join(f.title for f in failed)}.", err=True)
        else:
            click.echo("\nToutes les vérifications obligatoires sont passées.")
    if failed:
        ctx.exit(1)
