"""Remove what test runs killed before their teardown left behind (roots, postgres clusters).

Each run's root is /tmp/kiosk-stacks-<pid>-<random>; a root whose PID is gone is stale. Daemons
started with Daemon die with the test process (PR_SET_PDEATHSIG), but the postmaster detaches
(pg_ctl), so a stale root's cluster is stopped by the PID in its own postmaster.pid first.
"""
from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

ROOT_PREFIX = "kiosk-stacks-"
KEEP_MARK = "KEEP"  # written when KIOSK_KEEP_STACKS=1 asked to keep a root for inspection


def _pid_alive(pid: str) -> bool:
    return Path(f"/proc/{pid}").exists()


def _stop_leftover_postmaster(root: Path) -> None:
    pid_file = root / "postgres" / "data" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return
    if str(root).encode() in cmdline:  # the PID is still that cluster's postmaster
        try:
            os.kill(pid, signal.SIGQUIT)  # immediate shutdown: the cluster is thrown away
        except OSError:
            pass


def remove_stale_roots(tmp: Path) -> None:
    for root in tmp.glob(f"{ROOT_PREFIX}*-*"):
        pid = root.name[len(ROOT_PREFIX):].split("-")[0]
        if pid.isdigit() and not _pid_alive(pid) and not (root / KEEP_MARK).exists():
            _stop_leftover_postmaster(root)
            shutil.rmtree(root, ignore_errors=True)
