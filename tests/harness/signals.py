"""The kernel's view of this process's signal dispositions (what Python's signal module may not
know:
a C library can change a disposition behind its back)."""
from __future__ import annotations

import os
import signal


def ignored_signals(pid: int | None = None) -> set[int]:
    """Signals the process ignores, from the SigIgn mask of /proc/<pid>/status."""
    with open(f"/proc/{pid or os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("SigIgn:"):
                mask = int(line.split()[1], 16)
                return {number for number in range(1, 65) if mask & (1 << (number - 1))}
    raise RuntimeError("no SigIgn line in /proc/<pid>/status")


def sigpipe_ignored() -> bool:
    return signal.SIGPIPE in ignored_signals()
