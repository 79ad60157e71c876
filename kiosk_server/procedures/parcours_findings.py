"""Each parcours checker finding beside the form control it concerns.

The kiosk's parcours checker names a finding by its line in the file; the console's form
writes the file itself (parcours_store.to_yaml: one key a line, one exercise a line), so a
line tells the control: ``id:`` the identifier, ``title:``/``goal:`` the name and goal (in the
language a missing translation names, else French), ``procedures:`` the exercises as a whole,
each ``- id`` line its exercise's choice. What no shown control takes (a file-wide finding,
the id of a parcours already saved) stays in the list above the form.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from kiosk_server.procedures.checking import CheckFinding
from kiosk_server.procedures.parcours_store import LANGS

STEPS = "steps"  # the exercises' fieldset
_LANG = re.compile(r"\((fr|en|ar)\)")


def control_of_lines(text: str) -> dict[int, str]:
    """Line number (from 1) -> the control it was written from (its HTML id)."""
    out: dict[int, str] = {}
    step = 0
    for number, line in enumerate(text.splitlines(), 1):
        key = line.partition(":")[0]
        if key == "id":
            out[number] = "parcours-id"
        elif key in ("title", "goal"):
            out[number] = key
        elif key == "procedures":
            out[number] = STEPS
        elif line.startswith("  - "):
            step += 1
            out[number] = f"step-{step}"
    return out


def beside_controls(text: str, findings: Iterable[CheckFinding], shown: set[str]
                    ) -> tuple[dict[str, list[CheckFinding]], list[CheckFinding]]:
    """The findings of ``text`` by control id (of those ``shown``), and the rest."""
    lines = control_of_lines(text)
    beside: dict[str, list[CheckFinding]] = {}
    elsewhere: list[CheckFinding] = []
    for finding in findings:
        control = lines.get(finding.line, "")
        if control in ("title", "goal"):
            lang = _LANG.search(finding.message)
            control = f"{control}-{lang.group(1) if lang else LANGS[0]}"
        if control in shown:
            beside.setdefault(control, []).append(finding)
        else:
            elsewhere.append(finding)
    return beside, elsewhere
