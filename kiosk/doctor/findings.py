"""What a doctor check says: a :class:`Finding`. The bottom of the doctor package: it imports
nothing of the kiosk, so checks of every layer can return findings without import cycles."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Codes for machines (``--json``); the installer reads the marks and the French words."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


MARKS = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗"}


@dataclass(frozen=True)
class Finding:
    code: str          # stable English code, for monitoring: "printer", "local_store"...
    title: str         # what an installer reads: "imprimante", "stockage local"...
    status: Status
    message: str       # French, in plain words: what is there, or what to do
    required: bool = False  # a required check that fails makes `kiosk doctor` exit 1

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "status": self.status.value,
                "required": self.required, "message": self.message}


# A check reads the settings and returns its finding; it may block (a daemon that does not
# answer): the runner bounds it in time.
Check = Callable[[Any], Finding]
