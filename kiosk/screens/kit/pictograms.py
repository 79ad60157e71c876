"""Pictograms of the confirmations, waits and reminders, added to the kit's icon table.

Kept apart from :mod:`kiosk.screens.kit.icons` (the home and comfort icons) so each set is
read in one place; importing this module registers them, once, in the same table, drawn by the
same code (same stroke, same mirroring rules).
"""
from __future__ import annotations

from typing import Any

from kiosk.screens.kit.icons import ICONS

PICTOGRAMS: dict[str, list[tuple[Any, ...]]] = {
    "question": [  # a question mark in a circle: "are you sure?"
        ("circle", 0.5, 0.5, 0.42),
        ("arc", 0.5, 0.62, 0.15, -90, 150), ("line", 0.57, 0.49, 0.5, 0.44, 0.5, 0.36),
        ("disc", 0.5, 0.24, 0.05),
    ],
    "hourglass": [  # a wait
        ("line", 0.22, 0.92, 0.78, 0.92), ("line", 0.22, 0.08, 0.78, 0.08),
        ("line", 0.28, 0.92, 0.28, 0.8, 0.72, 0.2, 0.72, 0.08),
        ("line", 0.72, 0.92, 0.72, 0.8, 0.28, 0.2, 0.28, 0.08),
        ("rect", 0.36, 0.12, 0.28, 0.08),
    ],
    "glass": [  # a scanner, lid open, a sheet still on the glass and an arrow taking it back
        ("line", 0.08, 0.2, 0.72, 0.2, 0.72, 0.42, 0.08, 0.42, 0.08, 0.2),
        ("line", 0.08, 0.42, 0.5, 0.72),
        ("rect", 0.18, 0.34, 0.4, 0.06),
        ("line", 0.62, 0.6, 0.92, 0.9), ("line", 0.74, 0.9, 0.92, 0.9, 0.92, 0.72),
    ],
    "out_of_order": [  # a screen crossed out
        ("line", 0.1, 0.3, 0.9, 0.3, 0.9, 0.88, 0.1, 0.88, 0.1, 0.3),
        ("line", 0.4, 0.1, 0.6, 0.1), ("line", 0.5, 0.1, 0.5, 0.3),
        ("line", 0.32, 0.44, 0.68, 0.76), ("line", 0.68, 0.44, 0.32, 0.76),
    ],
    "clock": [  # the idle countdown
        ("circle", 0.5, 0.5, 0.42), ("line", 0.5, 0.5, 0.5, 0.78), ("line", 0.5, 0.5, 0.7, 0.4),
    ],
}

for _name, _shapes in PICTOGRAMS.items():
    ICONS.setdefault(_name, _shapes)
