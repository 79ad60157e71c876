"""The official sites a site manager sets in the console reach the kiosk through its heartbeat
and change what the real Chromium allows, from the next session (issue #12): a running
`kiosk-server run`, the console's form over HTTP, the kiosk's runtime with its real sync, and
the fake official sites over HTTPS. While the kiosk browses, its heartbeat says which official
site it shows (a key), and the live view shows its name."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from server.helpers import make_tenant, open_migrated

from browser.conftest import STEP_TIMEOUT_S, eventually, require_chromium
from browser.fake_sites import ALLOWED_HOST, OTHER_ALLOWED_HOST, FakeSites
from kiosk.browser.refusal import MARKER
from kiosk.runtime import KioskRuntime
from kiosk_server import tenancy
from kiosk_server.demo import ServerProcess, spawn_server
from kiosk_wire import config
from kiosk_wire.schema import EndReason

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a server, a kiosk, Chromium twice: ~20 s

PASSWORD = "motdepasse-solide-1"


class UiThread:
    """The kiosk's UI loop, stood in for: what the heartbeat hands over runs when drained."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], None]] = []

    def schedule(self, fn: Callable[[], None], _delay: float = 0.0) -> None:
        self.waiting.append(fn)

    def drain(self) -> None:
        """One turn of the loop: what waits now (a device re-probe schedules its next one)."""
        waiting, self.waiting = self.waiting, []
        for fn in waiting:
            fn()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str, int]]:
    """A running server with one kiosk on a site, and that site's manager."""
    url = f"sqlite:///{tmp_path / 'server' / 'server.sqlite'}"
    (tmp_path / "server").mkdir()
    engine = open_migrated(url)
    tenant = make_tenant(engine)
    with engine.begin() as conn:
        tenancy.create_user(conn, "resp-lille", PASSWORD, "manager", site=tenant.site_id)
    engine.dispose()
    process = spawn_server(tmp_path / "server")
    try:
        yield process, tenant.token, tenant.site_id
    finally:
        process.stop()


def console_as_manager(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=10, follow_redirects=True)
    form = client.get("/console/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post("/console/login", data={"username": "resp-lille",
                                                  "password": PASSWORD, "csrf": csrf})
    return client, re.search(r'data-csrf="([^"]+)"', answer.text).group(1)


def shows_refusal(service) -> bool:
    return service.on_page(
        lambda page: page.locator(f"#{MARKER}").count() == 1).result(STEP_TIMEOUT_S)


def test_a_list_set_in_the_console_applies_from_the_kiosks_next_session(
        tmp_path: Path, server, fake_sites: FakeSites):
    require_chromium()
    process, token, site_id = server
    ui = UiThread()
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram"),
        "sync.server_url": process.url, "sync.token": token, "sync.heartbeat_s": 3600,
        "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo", "devices.hotplug_backend": "demo"})
    runtime = KioskRuntime(settings, schedule=ui.schedule)
    runtime.browser_switches = fake_sites.switches()
    try:
        heartbeat = runtime.connection.heartbeat
        browsing = runtime.browsing
        assert browsing is not None and browsing.allowlist.judge(
            f"https://{OTHER_ALLOWED_HOST}/").allowed  # the kiosk's own list: every site

        # A resident is browsing ameli when the manager narrows the list to the CAF.
        runtime.core.start()
        service = browsing.open()
        service.start().result(STEP_TIMEOUT_S * 2)
        assert service.open(f"https://{OTHER_ALLOWED_HOST}/").result(STEP_TIMEOUT_S).allowed
        assert heartbeat.status().official_site.value == "ameli"
        heartbeat.beat_once()
        console, csrf = console_as_manager(process.url)
        try:
            live = console.get(f"/console/live/{site_id}").text
            assert "Sur un site officiel : ameli (Assurance Maladie) · ameli.fr" in live
            saved = console.post(f"/console/sites/{site_id}/browser",
                                 data={"csrf": csrf, "mode": "list", "site": ["caf"]})
            assert saved.status_code == 200 and "prochaine session" in saved.text
        finally:
            console.close()

        heartbeat.beat_once()
        ui.drain()
        assert heartbeat.pushed.browser_sites is not None  # received...
        reached_before = len(fake_sites.reached(OTHER_ALLOWED_HOST))
        assert service.open(f"https://{OTHER_ALLOWED_HOST}/framed").result(
            STEP_TIMEOUT_S).allowed  # ...but this resident's browsing does not change
        assert len(fake_sites.reached(OTHER_ALLOWED_HOST)) > reached_before
        runtime.core.end(EndReason.FINISHED, offer_survey=False)
        runtime.core.complete(None)
        assert heartbeat.status().official_site is None

        # The next session: only the CAF.
        runtime.core.start()
        service = browsing.open()
        service.start().result(STEP_TIMEOUT_S * 2)
        assert service.open(f"https://{ALLOWED_HOST}/").result(STEP_TIMEOUT_S).allowed
        reached_before = len(fake_sites.reached(OTHER_ALLOWED_HOST))
        verdict = service.open(f"https://{OTHER_ALLOWED_HOST}/").result(STEP_TIMEOUT_S)
        assert not verdict.allowed
        assert eventually(lambda: shows_refusal(service))
        assert len(fake_sites.reached(OTHER_ALLOWED_HOST)) == reached_before  # never fetched
        runtime.core.end(EndReason.FINISHED, offer_survey=False)
    finally:
        runtime.close()
