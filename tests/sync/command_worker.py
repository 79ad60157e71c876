"""A kiosk as its own process, for the command-memory test: starts a session, posts one heartbeat
(whose reply carries a command), applies the reply, prints what happened, then waits to be
killed before its next heartbeat could confirm the command."""
from __future__ import annotations

import json
import sys
import time

from kiosk.sessions import open_core
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk_wire import config


def main(data_dir: str, session_dir: str, url: str, token: str) -> None:
    settings = config.defaults().with_overrides({"kiosk.data_dir": data_dir,
                                                 "kiosk.session_dir": session_dir})
    core = open_core(settings)
    core.recover()
    core.start()
    beats = HeartbeatClient(core, ServerLink.checked(url, token, timeout_s=10))
    reply = beats.beat_once()
    print(json.dumps({"state": core.state.value,
                      "commands": [c.id for c in reply.commands] if reply else None}),
          flush=True)
    time.sleep(600)  # SIGKILLed here: the confirmation never leaves


if __name__ == "__main__":
    main(*sys.argv[1:5])
