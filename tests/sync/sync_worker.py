"""A kiosk's sync as its own process, for the SIGKILL test: drains the local queue to the server
in small batches, printing a line as each batch's answer arrives (before the kiosk records the
acknowledgement: the riskiest moment to be killed), until the queue is empty."""
from __future__ import annotations

import sys
import time
from typing import Any

from kiosk.storage import LocalStore
from kiosk.sync.link import ServerLink
from kiosk.sync.outbox import SyncClient


class AnnouncingClient:
    """The link's client, telling the test about each answer it receives."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def request(self, *args: Any, **kwargs: Any) -> Any:
        response = self.client.request(*args, **kwargs)
        print("answer", response.status_code, flush=True)
        return response


def main(store_path: str, url: str, token: str) -> None:
    store = LocalStore(store_path)
    link = ServerLink.checked(url, token)
    # The clock runs a day ahead so that records postponed by a killed predecessor are due.
    sync = SyncClient(store, link, batch_size=7, clock=lambda: time.time() + 86400)
    with link.client() as client:
        while store.queue_length():
            sync.sync_once(client=AnnouncingClient(client))


if __name__ == "__main__":
    main(*sys.argv[1:4])
