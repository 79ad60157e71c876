"""kiosk — self-service terminal software for France Services and EPN.

Importing this package never loads a device library (CUPS, SANE, PC/SC, udev) nor Kivy:
those are imported lazily by the backend or UI module that needs them.
"""
from __future__ import annotations

from kiosk_wire import __version__

__all__ = ["__version__"]
