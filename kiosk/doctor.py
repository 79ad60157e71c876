"""`kiosk doctor`: tells an installer, in plain words, what this machine has and lacks.

Each check returns a :class:`Finding`. Required checks that fail make the exit code 1.
Device checks ask the device layer's probes (which import their libraries lazily), so the
doctor itself runs on a machine without CUPS, SANE or pcscd.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import click

from kiosk_wire import config
from kiosk.storage import LocalStore, StoreError, store_path


class Status(str, Enum):
    OK = "ok"
    WARN = "attention"
    FAIL = "problème"


@dataclass(frozen=True)
class Finding:
    name: str
    status: Status
    message: str
    required: bool = False


Check = Callable[[config.Settings], Finding]


def check_settings(settings: config.Settings) -> Finding:
    if settings.file:
        return Finding("settings", Status.OK, f"settings file {settings.file} read without error",
                       required=True)
    return Finding("settings", Status.WARN,
                   "no settings file (--config or KIOSK_CONFIG): embedded defaults are used")


def check_store(settings: config.Settings) -> Finding:
    path = store_path(settings.data_dir)
    try:
        store = LocalStore(path)
    except StoreError as err:
        return Finding("local store", Status.FAIL,
                       f"cannot open {path}: {err.__cause__ or err}. Sessions still run and are "
                       "wiped, but statistics are only kept in memory.", required=True)
    try:
        ok = store.integrity_ok()
        queued = store.queue_length()
        # A write that is rolled back: proves the file is writable without changing it.
        with store.db.atomic():
            store.db.execute("CREATE TEMP TABLE IF NOT EXISTS _doctor (x)")
        free = shutil.disk_usage(path.parent).free
    except (sqlite3.Error, OSError) as err:
        return Finding("local store", Status.FAIL, f"{path} is not writable: {err}", required=True)
    finally:
        store.close()
    if not ok:
        return Finding("local store", Status.FAIL, f"{path} failed PRAGMA integrity_check",
                       required=True)
    status = Status.WARN if free < 50 * 1024 * 1024 else Status.OK
    return Finding("local store", status,
                   f"{path}: {queued} record(s) waiting to be sent, {free // 2**20} MiB free",
                   required=True)


def check_display(settings: config.Settings) -> Finding:
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return Finding("display", Status.OK, "a graphical display is available")
    if os.environ.get("SDL_VIDEODRIVER") in {"offscreen", "dummy", "kmsdrm"}:
        return Finding("display", Status.OK,
                       f"SDL video driver {os.environ['SDL_VIDEODRIVER']} selected")
    if Path("/dev/dri").exists():
        return Finding("display", Status.WARN,
                       "no X/Wayland session, but /dev/dri exists (use SDL_VIDEODRIVER=kmsdrm)")
    return Finding("display", Status.WARN,
                   "no display: `kiosk run` needs one; `kiosk demo --headless` works without")


def check_session_dir(settings: config.Settings) -> Finding:
    from kiosk.sessions.workspace import pick_session_root

    root = pick_session_root(settings.get("kiosk.session_dir"), settings.data_dir)
    ram = str(root).startswith(("/dev/shm", "/run"))
    msg = f"session files go to {root}" + (" (RAM-backed)" if ram else " (on disk)")
    return Finding("session files", Status.OK if ram else Status.WARN, msg)


def check_server(settings: config.Settings) -> Finding:
    url = settings.get("sync.server_url")
    if not url:
        return Finding("server", Status.WARN, "no server URL (sync.server_url): statistics stay local")
    from kiosk.sync.https_client import HttpError, HttpsClient

    try:
        with HttpsClient(url, timeout_s=5, ca_file=settings.get("sync.ca_file")) as client:
            response = client.request("GET", "/api/v1/health")
    except (HttpError, ValueError) as err:  # ValueError: not an http(s) URL
        return Finding("server", Status.FAIL, f"{url} does not answer: {err}")
    except OSError as err:  # sync.ca_file unreadable or not PEM
        return Finding("server", Status.FAIL, f"sync.ca_file cannot be used: {err}")
    if response.status_code != 200:
        return Finding("server", Status.FAIL, f"{url} answered HTTP {response.status_code}")
    return Finding("server", Status.OK, f"{url} answers")


def check_code_reader(settings: config.Settings) -> Finding:
    """zxing-cpp finds QR codes and 2D-Doc seals so the ID-copy watermark leaves them clear."""
    try:
        import zxingcpp  # noqa: F401
    except ImportError as err:
        return Finding("code reader", Status.WARN,
                       f"zxing-cpp is missing ({err}): watermarked copies will cover QR codes "
                       "and 2D-Doc seals, which then no longer verify. pip install zxing-cpp")
    return Finding("code reader", Status.OK,
                   "zxing-cpp finds QR codes and 2D-Doc seals to keep them clear")


def check_speech(settings: config.Settings) -> Finding:
    """Read aloud needs espeak-ng; sox's play, when present, drains the speech to the card."""
    if shutil.which("espeak-ng") is None and shutil.which("espeak") is None:
        return Finding("read aloud", Status.WARN,
                       "espeak-ng not found: the read-aloud option will stay silent "
                       "(apt install espeak-ng sox)")
    if shutil.which("play") is None:
        return Finding("read aloud", Status.OK,
                       "espeak-ng plays by itself (sox's play not found; AUDIODEV is ignored)")
    return Finding("read aloud", Status.OK, "espeak-ng and sox's play are installed")


def device_checks() -> list[Check]:
    """Checks provided by the device layer (printer, scanner, readers, udev)."""
    try:
        from kiosk.devices.doctor import CHECKS
    except ImportError:
        return []
    return list(CHECKS)


def all_checks() -> list[Check]:
    return [check_settings, check_store, check_session_dir, check_display, *device_checks(),
            check_code_reader, check_speech, check_server]


def run_checks(settings: config.Settings) -> list[Finding]:
    findings = []
    for check in all_checks():
        try:
            findings.append(check(settings))
        except Exception as err:  # noqa: BLE001 - a check must never crash the doctor
            findings.append(Finding(check.__name__.removeprefix("check_"), Status.FAIL,
                                    f"check failed: {err}"))
    return findings


@click.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check this machine: display, devices, settings, local store, server."""
    from kiosk.cli import load_settings

    settings = load_settings(ctx)
    findings = run_checks(settings)
    marks = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗"}
    for f in findings:
        click.echo(f"{marks[f.status]} {f.name:<14} {f.message}")
    failed = [f for f in findings if f.required and f.status is Status.FAIL]
    if failed:
        click.echo(f"\n{len(failed)} required check(s) failed.", err=True)
        ctx.exit(1)
