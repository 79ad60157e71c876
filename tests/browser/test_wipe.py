"""Nothing of a browsing session survives it: not at the end of the session, not after the
kiosk was killed (SIGKILL) and restarted. Looked for everywhere a browser writes."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.conftest import STEP_TIMEOUT_S, eventually, require_chromium
from browser.fake_sites import ALLOWED_HOST, TOKEN, FakeSites
from browser.traces import entries_named, files_with, places
from kiosk.browser.browsing import Browsing
from kiosk.browser.profile import processes_using, singleton_dirs
from kiosk.sessions import open_core
from kiosk_wire import config
from kiosk_wire.schema import EndReason

pytestmark = pytest.mark.browser

ACCOUNT = f"https://{ALLOWED_HOST}/compte"
WORKER = Path(__file__).with_name("browsing_worker.py")


@pytest.fixture
def ram() -> Iterator[Path]:
    """A session directory in /dev/shm, as on a kiosk ('auto' picks it)."""
    path = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="kiosk-test-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def settings_for(tmp_path: Path, ram: Path) -> config.Settings:
    return config.defaults().with_overrides(
        {"kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(ram)})


def download(page):  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.click("#download")
    return info.value.path()


def assert_nothing_left(root: Path, since: float, tmp_path: Path, ram: Path,
                        singletons: list[Path]) -> None:
    assert not root.exists()
    assert singletons and [d for d in singletons if d.exists()] == []
    assert eventually(lambda: processes_using(root) == [])
    assert files_with(TOKEN, places(tmp_path, ram), since) == []
    assert entries_named([Path("/dev/shm")], root.name) == []


def test_ending_the_session_wipes_profile_cookies_cache_and_downloads(
        tmp_path: Path, ram: Path, fake_sites: FakeSites):
    require_chromium()
    since = time.time()
    settings = settings_for(tmp_path, ram)
    core = open_core(settings)
    browsing = Browsing.from_settings(core, settings, extra_switches=fake_sites.switches())
    core.start()
    service = browsing.open()
    service.start().result(STEP_TIMEOUT_S * 2)
    root = service.profile.root
    assert root.is_relative_to(ram)
    assert service.open(ACCOUNT).result(STEP_TIMEOUT_S).site_key == "caf"
    saved = Path(service.on_page(download).result(STEP_TIMEOUT_S))
    assert saved.is_relative_to(root) and TOKEN.encode() in saved.read_bytes()
    assert files_with(TOKEN, [root], since) != []  # the search finds what is there
    # Playwright's own temporary folder is inside the profile, not in /tmp
    assert entries_named([service.profile.driver_tmp], "playwright-artifacts") != []
    cookies = service.submit(lambda: service._context.cookies()).result(STEP_TIMEOUT_S)
    assert any(TOKEN in c["value"] for c in cookies)
    assert processes_using(root) != []  # Chromium runs on this profile
    singletons = singleton_dirs(root)

    summary = core.end(EndReason.FINISHED, offer_survey=False)

    assert summary.failures == 0
    assert browsing.service is None
    assert_nothing_left(root, since, tmp_path, ram, singletons)


def renderer_started(root: Path) -> bool:
    """Chromium has its first renderer: Playwright's launch now waits for the first page."""
    for pid in processes_using(root):
        try:
            if b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


# (moment, seconds after it): while Playwright's driver starts (0.0), while Chromium is
# spawned (0.4), while it starts (1.2, on this machine); then just after its first renderer
# appears, when Playwright's launch waits for the first page: a Chromium killed then was not
# noticed, and the launch waited out its 30 s timeout (the worker then did not stop in 15 s).
@pytest.mark.parametrize(("moment", "after_s"), [
    ("asked", 0.0), ("asked", 0.4), ("asked", 1.2),
    ("renderer", 0.0), ("renderer", 0.1), ("renderer", 0.15), ("renderer", 0.2),
    ("renderer", 0.3)])
def test_a_session_ended_while_chromium_starts_leaves_no_chromium_and_no_error(
        tmp_path: Path, ram: Path, fake_sites: FakeSites, caplog: pytest.LogCaptureFixture,
        moment: str, after_s: float):
    """The resident taps « Faire la démarche » then the session ends (idle, « J'ai terminé »)
    before Chromium is up: whether the end comes while Playwright's driver or Chromium itself
    starts, no Chromium outlives the session and nothing is logged as an error."""
    require_chromium()
    caplog.set_level("INFO")
    settings = settings_for(tmp_path, ram)
    core = open_core(settings)
    browsing = Browsing.from_settings(core, settings, extra_switches=fake_sites.switches())
    core.start()
    service = browsing.open()
    started = service.start()
    root = service.profile.root
    if moment == "renderer":
        assert eventually(lambda: renderer_started(root), timeout_s=STEP_TIMEOUT_S, every_s=0.002)
    time.sleep(after_s)
    core.end(EndReason.FINISHED, offer_survey=False)
    assert service._thread is not None and not service._thread.is_alive()
    assert started.done()
    assert processes_using(root) == []
    time.sleep(0.5)  # a Chromium that was still on its way would show by now
    assert processes_using(root) == []
    said = [r.getMessage() for r in caplog.records]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    if after_s == 0.0 and moment == "asked":  # before the driver was up: no Chromium launched
        assert "the browser's start was cut short by the end of the session" in said


def test_after_a_sigkill_and_a_restart_nothing_of_the_browser_remains(
        tmp_path: Path, ram: Path, fake_sites: FakeSites):
    require_chromium()
    since = time.time()
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(tmp_path / "data"), str(ram), ACCOUNT,
         *fake_sites.switches()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert worker.stdout is not None
    root = Path(worker.stdout.readline().strip())
    ready = worker.stdout.readline().strip()
    assert ready == "ready", worker.stderr.read() if worker.stderr else ""
    assert root.is_dir() and processes_using(root) != []
    singletons = singleton_dirs(root)

    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(STEP_TIMEOUT_S)

    core = open_core(settings_for(tmp_path, ram))  # the kiosk starts again
    assert core.recover() == 1
    assert_nothing_left(root, since, tmp_path, ram, singletons)
    # The recovered record still counts the time on the official site left before the crash.
    [payload] = [r.payload for r in core.store.iter_all()]
    assert payload["end_reason"] == "crash_recovered"
    assert {"site": "caf", "minutes": 1} in payload["official_sites"]
