"""A kiosk process that browses inside a session and waits to be killed (SIGKILL) by
test_wipe.py. Usage: python browsing_worker.py DATA_DIR SESSION_DIR URL SWITCH...

Prints the profile directory, then "ready" once the page has set its cookie and storage and a
download has landed; then waits forever, holding Chromium.
"""
from __future__ import annotations

import sys
import threading

from kiosk.browser.browsing import Browsing
from kiosk.sessions import open_core
from kiosk_wire import config


def main() -> int:
    data_dir, session_dir, url, *switches = sys.argv[1:]
    settings = config.defaults().with_overrides(
        {"kiosk.data_dir": data_dir, "kiosk.session_dir": session_dir})
    core = open_core(settings)
    core.recover()
    browsing = Browsing.from_settings(core, settings, extra_switches=tuple(switches))
    core.start()
    service = browsing.open()
    service.start().result(120)
    print(service.profile.root, flush=True)
    service.open(url).result(60)

    def download(page):  # type: ignore[no-untyped-def]
        with page.expect_download() as info:
            page.click("#download")
        return info.value.path()

    service.on_page(download).result(60)
    service.open("https://www.ameli.fr/").result(60)  # the time on caf.fr is journaled
    print("ready", flush=True)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
