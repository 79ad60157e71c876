"""A kiosk's sync as its own process, for the SIGKILL test: drains the local queue to the server
in small batches, printing each pass, until the queue is empty."""
from __future__ import annotations

import sys
import time

from kiosk.sessions.sync import ServerLink, SyncClient
from kiosk.storage import LocalStore


def main(store_path: str, url: str, token: str) -> None:
    store = LocalStore(store_path)
    # The clock runs a day ahead so that records postponed by a killed predecessor are due.
    sync = SyncClient(store, ServerLink.checked(url, token), batch_size=7,
                      clock=lambda: time.time() + 86400)
    while store.queue_length():
        report = sync.sync_once()
        print(report.outcome.value, report.acknowledged, store.queue_length(), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
