"""The shipped systemd units pass `systemd-analyze verify`."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = sorted(p for p in (Path(__file__).parents[1] / "deploy" / "systemd").iterdir()
               if p.suffix in (".service", ".path", ".timer"))
# Where the Debian packages put each program's venv (packaging/venv.sh).
INSTALLED_BIN_DIRS = ("/opt/kiosk/bin/", "/opt/kiosk-server/bin/")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_unit_passes_systemd_analyze_verify(unit, tmp_path):
    # verify checks that ExecStart exists: point it at this checkout's console script.
    here_bin = Path(sys.executable).with_name("kiosk")
    assert here_bin.exists(), "the package is not installed in this venv"
    # A template (name@.service) is verified as one of its instances, here port 8471. Its
    # sibling units sit beside it (kiosk.service requires kiosk-session.service).
    for other in UNITS:
        text = other.read_text()
        for installed in INSTALLED_BIN_DIRS:
            text = text.replace(installed, f"{here_bin.parent}/")
        text = text.replace("/usr/sbin/kiosk-update", str(UNITS[0].parents[2] / "packaging" /
                                                           "bin" / "kiosk-update"))
        (tmp_path / other.name.replace("@.", "@8471.")).write_text(text)
    copy = tmp_path / unit.name.replace("@.", "@8471.")
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True,
                            text=True, timeout=60, check=False)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and not problems, "\n".join(problems)


# Units that cannot be sandboxed, and why.
UNSANDBOXED = {"kiosk-update.service": "installs packages: apt, dpkg, maintainer scripts"}


def test_units_restart_run_unprivileged_and_are_hardened():
    for unit in (u for u in UNITS if u.suffix == ".service"):  # timers and paths run nothing
        text = unit.read_text()
        if unit.name in UNSANDBOXED:
            assert "Not sandboxed" in text  # says so, with its reason
            continue
        if "Type=oneshot" not in text:  # the services; a oneshot helper runs and ends
            assert "Restart=" in text
            assert "User=kiosk" in text or "DynamicUser=yes" in text
        for option in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
            assert option in text, f"{unit.name} lacks {option}"


def test_the_kiosk_is_watched_and_a_crash_loop_backs_off_instead_of_giving_up():
    text = (UNITS[0].parent / "kiosk.service").read_text()
    for option in ("Type=notify", "NotifyAccess=main", "WatchdogSec=", "StartLimitBurst=",
                   "OnFailure=kiosk-backoff.service"):
        assert option in text
    backoff = (UNITS[0].parent / "kiosk-backoff.service").read_text()
    assert "reset-failed kiosk.service" in backoff and "start --no-block kiosk.service" in backoff


def test_the_kiosk_runs_in_a_seat_session_that_takes_tty1_from_the_getty():
    session = (UNITS[0].parent / "kiosk-session.service").read_text()
    for option in ("PAMName=login", "TTYPath=/dev/tty1", "Conflicts=getty@tty1.service",
                   "User=kiosk", "kiosk compositor-config"):
        assert option in session
    kiosk = (UNITS[0].parent / "kiosk.service").read_text()
    for option in ("Requires=kiosk-session.service", "JoinsNamespaceOf=kiosk-session.service",
                   "LoadCredential=kiosk:/etc/kiosk/credentials"):
        assert option in kiosk
