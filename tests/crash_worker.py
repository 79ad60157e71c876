"""A process that runs kiosk sessions back to back, to be killed (SIGKILL) by
test_crash_recovery.py at random moments.

Usage: python crash_worker.py DATA_DIR SESSION_DIR LEDGER [--recover-only]

After each session has started (its journal is durable) its event_id is appended, fsynced, to
LEDGER: every id in the ledger must end up queued exactly once whatever happens next.
"""
from __future__ import annotations

import os
import sys

from kiosk.sessions import open_core
from kiosk_wire import config
from kiosk_wire.schema import Activity, ActivityKind, EndReason


def append_durably(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def main() -> int:
    data_dir, session_dir, ledger = sys.argv[1:4]
    settings = config.defaults().with_overrides(
        {"kiosk.data_dir": data_dir, "kiosk.session_dir": session_dir})
    core = open_core(settings)
    core.recover()
    if "--recover-only" in sys.argv:
        return 0
    print("ready", flush=True)
    while True:
        session = core.start()
        append_durably(ledger, session.event_id)
        for i in range(3):
            core.new_file(".png", label="scan").write_bytes(os.urandom(64 * 1024))
            core.remember(f"field{i}", "1850775123456 22")
            core.add_activity(Activity(kind=ActivityKind.SCAN, pages=1))
        core.end(EndReason.FINISHED, offer_survey=False)


if __name__ == "__main__":
    raise SystemExit(main())
