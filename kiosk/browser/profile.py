"""The session's private Chromium profile: made inside the session's RAM directory, destroyed
with it, and never left running.

Everything Chromium writes goes under one directory in the session workspace: the user data
dir (cookies, local storage, cache, crash reports), the downloads, and a private HOME (Chromium
puts its certificate database under ``$HOME/.pki``). One thing cannot move there: the
single-instance socket, whose path must stay under 108 bytes, lives in a directory
``$TMPDIR/org.chromium.Chromium.XXXXXX`` the profile's ``SingletonSocket`` link points to; the
disposer removes it too (it holds no data, but nothing of a session may stay). The directory is
registered with the session core as an artefact of kind :data:`BROWSER_PROFILE`; its disposer
first kills any Chromium still using that profile (after a SIGKILL of the kiosk, orphans could
go on writing), then removes the directory. Crash recovery calls the same disposer.

No saved passwords, no autofill, no history, no translation or sync: preferences written before
the first start, plus command-line switches.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

BROWSER_PROFILE = "browser_profile"

# Preferences of the profile's "Default" directory, written before Chromium first starts.
PREFERENCES = {
    "credentials_enable_service": False,
    "credentials_enable_autosignin": False,
    "profile": {"password_manager_enabled": False, "exit_type": "Normal",
                "default_content_setting_values": {"notifications": 2, "geolocation": 2,
                                                   "media_stream_camera": 2,
                                                   "media_stream_mic": 2}},
    "autofill": {"enabled": False, "profile_enabled": False, "credit_card_enabled": False},
    "history": {"saving_disabled": True},
    "search": {"suggest_enabled": False},
    "translate": {"enabled": False},
    "download": {"prompt_for_download": False, "directory_upgrade": True},
    "safebrowsing": {"enabled": False},
    "printing": {"enabled": False},  # "Print this page" goes through the kiosk's print service
    "browser": {"check_default_browser": False},
}

# Switches for every start (the service adds the test-only ones it is given).
CHROMIUM_SWITCHES = (
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-breakpad",
    "--disable-crash-reporter",
    ("--disable-features=Translate,AutofillServerCommunication,MediaRouter,"
     "DialMediaRouteProvider,OptimizationHints,InterestFeedContentSuggestions"),
    "--password-store=basic",
    "--deny-permission-prompts",
    "--disable-gpu",
    "--hide-scrollbars",
    "--mute-audio",
)


# Chromium's own background calls that the switches above do not silence (seen here: Google
# account checks and the component updater): their names never resolve, so nothing about the
# kiosk's use leaves for Google. Narrow on purpose: official sites may use Google fonts or maps.
SILENCED_HOSTS = (
    "accounts.google.com", "update.googleapis.com", "clients2.google.com",
    "clientservices.googleapis.com", "safebrowsing.googleapis.com",
    "optimizationguide-pa.googleapis.com", "content-autofill.googleapis.com",
    "redirector.gvt1.com", "*.gvt1.com",
)
RESOLVER_RULES = "--host-resolver-rules="


def resolver_switch(extra_switches: tuple[str, ...]) -> tuple[list[str], tuple[str, ...]]:
    """One ``--host-resolver-rules`` (Chromium keeps only the last): the silenced hosts first,
    then any rules the caller adds (tests map the official names to local fake sites).
    Returns (that switch, the other extra switches)."""
    rules = [f"MAP {host} ~NOTFOUND" for host in SILENCED_HOSTS]
    others = []
    for switch in extra_switches:
        if switch.startswith(RESOLVER_RULES):
            rules.append(switch[len(RESOLVER_RULES):])
        else:
            others.append(switch)
    return [RESOLVER_RULES + ", ".join(rules)], tuple(others)


@dataclass(frozen=True)
class BrowserProfile:
    root: Path  # the one directory registered for wipe

    @property
    def user_data(self) -> Path:
        return self.root / "profile"

    @property
    def downloads(self) -> Path:
        return self.root / "downloads"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def driver_tmp(self) -> Path:
        """The Playwright driver's temporary directory (its per-launch artifacts folder)."""
        return self.root / "t"

    def create(self) -> None:
        self.root.mkdir(mode=0o700)
        for path in (self.user_data, self.downloads, self.home, self.cache, self.driver_tmp,
                     self.user_data / "Default"):
            path.mkdir(mode=0o700, exist_ok=True)
        prefs = self.user_data / "Default" / "Preferences"
        prefs.write_text(json.dumps(PREFERENCES), encoding="utf-8")
        os.chmod(prefs, 0o600)

    def switches(self) -> list[str]:
        return [*CHROMIUM_SWITCHES, f"--disk-cache-dir={self.cache}"]

    def environment(self) -> dict[str, str]:
        """Chromium's environment: the kiosk's, with every place it writes moved inside."""
        env = dict(os.environ)
        env.update({"HOME": str(self.home),
                    "XDG_CONFIG_HOME": str(self.home / ".config"),
                    "XDG_CACHE_HOME": str(self.cache), "XDG_DATA_HOME": str(self.home / ".local")})
        return env


def processes_using(root: Path) -> list[int]:
    """PIDs of our own processes started with a user data dir (or any path) inside ``root``."""
    needle = os.fsencode(str(root)) + b"/"
    pids = []
    me = os.geteuid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != me:
                continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                args = handle.read().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if any(needle in arg for arg in args):
            pids.append(int(entry.name))
    return pids


def _alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if Path(f"/proc/{pid}").exists() and not _zombie(pid)]


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def _wait_gone(pids: list[int], wait_s: float) -> list[int]:
    deadline = time.monotonic() + wait_s
    pids = _alive(pids)
    while pids and time.monotonic() < deadline:
        time.sleep(0.02)
        pids = _alive(pids)
    return pids


def kill_processes_using(root: Path, grace_s: float = 2.0, wait_s: float = 3.0) -> int:
    """Stop every process still using the profile, so none writes into the directory after it
    is removed: SIGTERM first (Chromium then removes its own temporary folders), SIGKILL what
    is left after ``grace_s``. Returns how many there were."""
    pids = [pid for pid in processes_using(root) if pid != os.getpid()]
    if not pids:
        return 0
    _signal_all(pids, signal.SIGTERM)
    left = _wait_gone(pids, grace_s)
    _signal_all(left, signal.SIGKILL)
    left = _wait_gone(left, wait_s)
    if left:
        log.error("browser processes %s still alive after SIGKILL", left)
    return len(pids)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True


SINGLETON_LINKS = ("SingletonSocket", "SingletonCookie")
SINGLETON_DIR_PREFIX = "org.chromium.Chromium."


def singleton_dirs(root: Path) -> list[Path]:
    """The temporary directories the profile's singleton links point to (only Chromium's own,
    by name: a planted link cannot send the disposer elsewhere)."""
    found = []
    for name in SINGLETON_LINKS:
        try:
            target = Path(os.readlink(BrowserProfile(root).user_data / name))
        except OSError:
            continue
        folder = target.parent
        if folder.name.startswith(SINGLETON_DIR_PREFIX) and folder not in found:
            found.append(folder)
    return found


def dispose_profile(ref: str) -> None:
    """The disposer of :data:`BROWSER_PROFILE` artefacts (session end and crash recovery)."""
    root = Path(ref)
    singletons = singleton_dirs(root)  # before Chromium, stopping, removes the links
    kill_processes_using(root)
    for folder in singletons:
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    if root.exists():  # a file appeared while removing: once more, after it stopped
        kill_processes_using(root)
        shutil.rmtree(root, ignore_errors=True)


_ENVIRON_LOCK = threading.Lock()


@contextmanager
def driver_tmpdir(path: Path) -> Iterator[None]:
    """While the Playwright driver starts, TMPDIR names the profile's own directory: the
    driver inherits the process environment (no parameter for it) and makes its artifacts
    folder there, which would otherwise outlive a SIGKILL in /tmp. Chromium gets its own
    environment (the profile's), where TMPDIR stays short for its socket path."""
    with _ENVIRON_LOCK:
        before = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = str(path)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = before
