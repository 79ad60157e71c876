"""kiosk_wire — what the terminal (``kiosk``) and the central server (``kiosk_server``) share.

The two programs are installed and run apart; they agree only on what is here: the wire schema
of records, heartbeats and commands (:mod:`kiosk_wire.schema`), the version, and the settings
file format with its declarations (:mod:`kiosk_wire.config`, :mod:`kiosk_wire.logs`,
:mod:`kiosk_wire.cli_common`). It imports neither program, nor Kivy, nor a device library, nor
the server's web and database libraries (tests/test_layering.py checks it).
"""
from __future__ import annotations

__version__ = "0.1.0"
