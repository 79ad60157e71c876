"""TLS: the kiosk verifies the server's certificate; a private CA is added with sync.ca_file."""
from __future__ import annotations

import pytest
from server.helpers import record, stored_event_ids

from kiosk.sync.link import ServerLink, SyncConfigError
from kiosk.sync.outbox import SyncClient, SyncOutcome


def queue(store, n=2):
    for _ in range(n):
        r = record()
        store.enqueue(r["event_id"], r)


def test_unknown_certificate_authority_is_refused(https_server, core):
    url, tenant, engine = https_server
    queue(core.store)
    report = SyncClient(core.store, ServerLink.checked(url, tenant.token)).sync_once()
    assert report.outcome is SyncOutcome.OFFLINE
    assert core.store.queue_length() == 2 and stored_event_ids(engine) == []


def test_private_ca_given_in_sync_ca_file_is_trusted(https_server, core, private_ca):
    url, tenant, engine = https_server
    queue(core.store)
    link = ServerLink.checked(url, tenant.token, ca_file=str(private_ca / "ca.pem"))
    report = SyncClient(core.store, link).sync_once()
    assert report.outcome is SyncOutcome.SENT and core.store.queue_length() == 0
    assert len(stored_event_ids(engine)) == 2


def test_missing_ca_file_is_a_configuration_error(tmp_path):
    with pytest.raises(SyncConfigError, match="ca_file"):
        ServerLink.checked("https://stats.example.org", "t", ca_file=str(tmp_path / "none.pem"))


def test_ca_file_that_is_not_a_certificate_is_a_configuration_error(tmp_path):
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(SyncConfigError, match="not a PEM"):
        ServerLink.checked("https://stats.example.org", "t", ca_file=str(bogus))
