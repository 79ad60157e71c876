"""The official sites' browser for `kiosk doctor`: Debian's Chromium, the Playwright library
that drives it, and a usable site list. Optional (a kiosk works without it: the home tile
"Faire ma démarche en ligne" is then hidden), so a problem is a warning that says what to
install, in French, for the installer."""
from __future__ import annotations

import subprocess
from pathlib import Path

from kiosk.browser.installed import chromium_installed, playwright_installed
from kiosk.doctor.findings import Finding, Status
from kiosk_wire import config

CODE, TITLE = "browser", "navigateur des sites officiels"
HIDDEN = "la tuile « Faire ma démarche en ligne » n'apparaîtra pas"
VERSION_TIMEOUT_S = 10.0


def chromium_version(executable: Path) -> str | None:
    """What ``chromium --version`` says, or None when it does not run (a missing library)."""
    try:
        done = subprocess.run([str(executable), "--version"], capture_output=True, text=True,
                              timeout=VERSION_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def check_browser(settings: config.Settings) -> Finding:
    if not settings.get("browser.enabled"):
        return Finding(CODE, TITLE, Status.OK, "désactivé dans les réglages (browser.enabled)")
    from kiosk.browser.allowlist import Allowlist, AllowlistError

    chromium = Path(settings.get("browser.chromium"))
    missing = []
    if not chromium_installed(chromium):
        missing.append(f"Chromium est introuvable à {chromium} (installer le paquet Debian "
                       "« chromium » : apt install chromium)")
    if not playwright_installed():
        missing.append("la bibliothèque Python Playwright, qui pilote Chromium, manque "
                       "(réinstaller la borne : elle fait partie de requirements/terminal.lock)")
    if missing:
        return Finding(CODE, TITLE, Status.WARN, " ; ".join(missing) + f" : {HIDDEN}.")
    try:
        sites = Allowlist.from_setting_values(settings.get("browser.sites"),
                                              settings.get("browser.local_sites"))
    except AllowlistError as err:
        return Finding(CODE, TITLE, Status.WARN,
                       f"liste des sites inutilisable : {err} ; {HIDDEN}.")
    version = chromium_version(chromium)
    if version is None:
        return Finding(CODE, TITLE, Status.WARN,
                       f"{chromium} est installé mais ne démarre pas (bibliothèque manquante ? "
                       f"essayer « {chromium} --version ») : {HIDDEN}.")
    return Finding(CODE, TITLE, Status.OK,
                   f"{version} et Playwright sont installés ; {len(sites.sites)} sites nationaux "
                   f"et {len(sites.local_domains)} site(s) du lieu autorisés")
