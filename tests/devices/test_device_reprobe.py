"""A terminal whose cupsd, SANE or pcscd is missing when the kiosk starts, on the shipped
defaults (`auto` backends, no printer queue set): the device is shown as a fault (never a demo
device), and it becomes ready once its service is there, without restarting the kiosk. Real
daemons, started by the test after the kiosk's devices were opened (in their own process, as
libpcsclite reads its socket path once per process)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import cups as cups_stack
from harness import pcsc as pcsc_stack
from harness import sane as sane_stack
from harness.procs import require_binary

WORKER = Path(__file__).with_name("reprobe_worker.py")
ROOT = Path(__file__).parents[2]


class Kiosk:
    """The worker process: its devices, asked again on demand."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, str(WORKER)], env=env, cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.first = self.read()

    def read(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the worker died (exit {self.process.wait(10)})"
        return json.loads(line)

    def ask(self, command: str) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> None:
        if self.process.poll() is None:
            self.ask_quit()
        self.process.wait(30)

    def ask_quit(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()


def kiosk_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The shipped defaults (no KIOSK_* of the caller), plus a data dir and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_KIOSK_DATA_DIR"] = str(tmp_path / "data")
    env["KIOSK_DEVICES_HOTPLUG_BACKEND"] = "demo"  # no udev event here: the test re-probes
    for name, value in settings.items():
        env[f"KIOSK_DEVICES_{name.upper()}"] = value
    return env


@pytest.fixture
def kiosk_process() -> Iterator[list[Kiosk]]:
    started: list[Kiosk] = []
    yield started
    for kiosk in started:
        kiosk.close()


@pytest.mark.cups
@pytest.mark.slow
def test_cupsd_missing_at_start_then_started_prints_on_its_default_queue(tmp_path, kiosk_process):
    cupsd = require_binary("cupsd", why="package cups")
    socket_path = tmp_path / "cups" / "cups.sock"  # where the cupsd started below listens
    env = kiosk_env(tmp_path, cups_server=str(socket_path))  # printer_queue left empty
    kiosk = Kiosk(env)
    kiosk_process.append(kiosk)
    assert kiosk.first["backends"]["printer"] == "cups"  # never the demo printer
    assert kiosk.first["states"]["printer"] == "offline"
    assert kiosk.first["errors"]["printer"]

    server = cups_stack.CupsServer.start(tmp_path, cupsd)  # with a default queue, as installed
    try:
        assert server.socket == socket_path
        after = kiosk.ask("reprobe")
        assert after["states"]["printer"] == "ready"
        printed = kiosk.ask("print")  # to CUPS's default queue: nothing names one
        assert printed["job"] > 0
    finally:
        kiosk.close()
        server.stop()


@pytest.mark.pcsc
@pytest.mark.slow
def test_pcscd_missing_at_start_then_started_makes_the_reader_ready(tmp_path, kiosk_process):
    binary = require_binary("pcscd", why="package pcscd")
    driver = pcsc_stack.vpcd_driver()
    if driver is None:
        pytest.skip("vpcd driver missing (package vsmartcard-vpcd)")
    if not (os.geteuid() == 0 and pcsc_stack.can_use_private_mount_namespace()):
        pytest.skip("a second private pcscd needs root and a private mount namespace")
    directory = tmp_path / "pcscd"
    env = kiosk_env(tmp_path)
    env["PCSCLITE_CSOCK_NAME"] = str(directory / "run" / "pcscd.comm")
    kiosk = Kiosk(env)
    kiosk_process.append(kiosk)
    assert kiosk.first["backends"]["reader"] == "none"  # not the demo reader
    assert kiosk.first["states"]["reader"] == "absent"
    assert "pcscd" in kiosk.first["errors"]["reader"]

    server = pcsc_stack.Pcscd.start(directory, binary, driver, private_namespace=True)
    try:
        after = kiosk.ask("reprobe")
        assert after["backends"]["reader"] == "pcsc"
        assert after["states"]["reader"] == "ready"
    finally:
        kiosk.close()
        server.stop()


@pytest.mark.sane
@pytest.mark.slow
def test_sane_without_a_scanner_at_start_then_with_one_makes_the_scanner_ready(tmp_path,
                                                                            kiosk_process):
    if not any(Path(p).exists() for p in ("/usr/lib/x86_64-linux-gnu/sane/libsane-test.so.1",
                                          "/usr/lib/aarch64-linux-gnu/sane/libsane-test.so.1")):
        pytest.skip("SANE test backend missing")
    config_dir = tmp_path / "sane"
    config_dir.mkdir()
    (config_dir / "dll.conf").write_text("")  # SANE installed, no scanner backend answering
    env = kiosk_env(tmp_path)
    env["SANE_CONFIG_DIR"] = str(config_dir)
    kiosk = Kiosk(env)
    kiosk_process.append(kiosk)
    assert kiosk.first["backends"]["scanner"] == "none"  # not the demo scanner
    assert kiosk.first["states"]["scanner"] == "absent"

    sane_stack.write_sane_config(config_dir)  # the scanner is there now
    after = kiosk.ask("reprobe")
    assert after["backends"]["scanner"] == "sane"
    assert after["states"]["scanner"] == "ready"


def test_auto_backends_never_become_demo_devices_outside_the_demo(tmp_path, kiosk_process):
    """Nothing answers: every device is a fault, none is a demo device."""
    env = kiosk_env(tmp_path, cups_server=str(tmp_path / "no-cupsd.sock"),
                    hotplug_backend="auto")
    env["SANE_CONFIG_DIR"] = str(tmp_path)  # no dll.conf: no scanner backend
    env["PCSCLITE_CSOCK_NAME"] = str(tmp_path / "no-pcscd.comm")
    kiosk = Kiosk(env)
    kiosk_process.append(kiosk)
    assert "demo" not in kiosk.first["backends"].values()
    assert kiosk.first["states"]["printer"] == "offline"
    assert kiosk.first["states"]["scanner"] == "absent"
    assert kiosk.first["states"]["reader"] == "absent"


def test_badge_enrolment_without_pcscd_is_refused_not_done_on_a_demo_reader(tmp_path):
    env = kiosk_env(tmp_path)
    env["PCSCLITE_CSOCK_NAME"] = str(tmp_path / "no-pcscd.comm")
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "admin", "badge", "enrol",
                           "Camille", "--timeout", "1"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "pas de lecteur de badges" in done.stderr and "pcscd" in done.stderr
    assert "Traceback" not in done.stderr
    listed = subprocess.run([sys.executable, "-m", "kiosk.cli", "admin", "badge", "list"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert "Camille" not in listed.stdout
