"""How many times the kiosk was started since the machine booted, for the heartbeat.

systemd restarts a crashed kiosk (Restart=always) and a frozen one (the watchdog): the console
shows "redémarré n fois" so that a kiosk that keeps falling over is seen even when it is up at
each heartbeat. Each `kiosk run` counts itself in ``<data_dir>/starts.json`` next to the
kernel's boot id; a new boot starts again from zero. Restarts are the starts after the first.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
STARTS_FILE = "starts.json"


def _boot_id(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return ""  # not Linux: one count for ever, still a count


def count_start(data_dir: Path, boot_id_path: Path = BOOT_ID) -> int | None:
    """Record this start; the restarts since boot before it (0 for the first start), or None
    when the count cannot be kept (the kiosk runs anyway)."""
    path = data_dir / STARTS_FILE
    boot = _boot_id(boot_id_path)
    starts = 0
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(saved, dict) and saved.get("boot_id") == boot:
            starts = max(0, int(saved.get("starts", 0)))
    except (OSError, ValueError, TypeError):
        pass  # first start, or a damaged file: count from here
    starts += 1
    tmp = path.with_name(f".{STARTS_FILE}.tmp")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"boot_id": boot, "starts": starts}), encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        log.warning("start count not kept: %s", err)
        return None
    return starts - 1
