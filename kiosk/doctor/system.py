"""Checks of the machine itself for `kiosk doctor`: settings, local store, session files, display,
server, code reader, read aloud. Messages in French, for the installer."""
from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from kiosk.doctor.findings import Check, Finding, Status
from kiosk.storage import LocalStore, StoreError, store_path
from kiosk_wire import config


def check_settings(settings: config.Settings) -> Finding:
    if settings.file:
        return Finding("settings", "réglages", Status.OK,
                       f"fichier de réglages {settings.file} lu sans erreur")
    return Finding("settings", "réglages", Status.WARN,
                   "pas de fichier de réglages (--config ou KIOSK_CONFIG) : les réglages par "
                   "défaut sont utilisés")


def check_store(settings: config.Settings) -> Finding:
    path = store_path(settings.data_dir)
    try:
        store = LocalStore(path)
    except StoreError as err:
        return Finding("local_store", "stockage local", Status.FAIL,
                       f"impossible d'ouvrir {path} : {err.__cause__ or err}. Les sessions "
                       "fonctionnent et sont effacées, mais les statistiques ne sont gardées "
                       "qu'en mémoire.", required=True)
    try:
        ok = store.integrity_ok()
        queued = store.queue_length()
        # A write that is rolled back: proves the file is writable without changing it.
        with store.db.atomic():
            store.db.execute("CREATE TEMP TABLE IF NOT EXISTS _doctor (x)")
        free = shutil.disk_usage(path.parent).free
    except (sqlite3.Error, OSError) as err:
        return Finding("local_store", "stockage local", Status.FAIL,
                       f"{path} n'est pas modifiable : {err}", required=True)
    finally:
        store.close()
    if not ok:
        return Finding("local_store", "stockage local", Status.FAIL,
                       f"{path} est abîmé (PRAGMA integrity_check en échec)", required=True)
    status = Status.WARN if free < 50 * 1024 * 1024 else Status.OK
    return Finding("local_store", "stockage local", status,
                   f"{path} : {queued} enregistrement(s) en attente d'envoi, "
                   f"{free // 2**20} Mio libres", required=True)


def check_display(settings: config.Settings) -> Finding:
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return Finding("display", "écran", Status.OK, "un affichage graphique est disponible")
    if os.environ.get("SDL_VIDEODRIVER") in {"offscreen", "dummy", "kmsdrm"}:
        return Finding("display", "écran", Status.OK,
                       f"pilote vidéo SDL {os.environ['SDL_VIDEODRIVER']} choisi")
    if Path("/dev/dri").exists():
        return Finding("display", "écran", Status.WARN,
                       "pas de session X ni Wayland, mais /dev/dri existe "
                       "(SDL_VIDEODRIVER=kmsdrm)")
    return Finding("display", "écran", Status.WARN,
                   "pas d'écran : `kiosk run` en a besoin ; `kiosk demo --headless` s'en passe")


def check_session_dir(settings: config.Settings) -> Finding:
    from kiosk.sessions.workspace import pick_session_root, root_problem

    root = pick_session_root(settings.get("kiosk.session_dir"), settings.data_dir)
    problem = root_problem(root)
    if problem:
        return Finding("session_files", "fichiers de session", Status.FAIL,
                       f"{problem} (la borne refuse de démarrer tant qu'il est là)",
                       required=True)
    ram = str(root).startswith(("/dev/shm", "/run"))
    msg = f"les fichiers des sessions vont dans {root}" + (" (en mémoire vive)" if ram
                                                         else " (sur disque)")
    return Finding("session_files", "fichiers de session", Status.OK if ram else Status.WARN,
                   msg, required=True)


def check_mediator_pin(settings: config.Settings) -> Finding:
    from kiosk.sessions.mediator_pin import PIN_MIN_DIGITS, is_legacy_hash

    title = "code médiateur"
    pin_hash = settings.get("mediator.pin_hash")
    if not pin_hash:
        return Finding("mediator_pin", title, Status.WARN,
                       "pas de code médiateur (mediator.pin_hash) : seuls les badges ouvrent le "
                       "panneau ; `kiosk admin set-pin`")
    if is_legacy_hash(pin_hash):
        return Finding("mediator_pin", title, Status.WARN,
                       f"code choisi avant la règle des {PIN_MIN_DIGITS} chiffres (peut-être 4, "
                       "trouvable en quelques minutes si le fichier de réglages fuit) : "
                       "choisissez-en un nouveau avec `kiosk admin set-pin`")
    return Finding("mediator_pin", title, Status.OK,
                   f"code de {PIN_MIN_DIGITS} chiffres ou plus, gardé haché (argon2)")


def check_server(settings: config.Settings) -> Finding:
    url = settings.get("sync.server_url")
    if not url:
        return Finding("server", "serveur", Status.WARN,
                       "pas d'adresse de serveur (sync.server_url) : les statistiques restent "
                       "sur la borne")
    from kiosk.sync.https_client import HttpError, HttpsClient

    try:
        with HttpsClient(url, timeout_s=5, ca_file=settings.get("sync.ca_file")) as client:
            response = client.request("GET", "/api/v1/health")
    except (HttpError, ValueError) as err:  # ValueError: not an http(s) URL
        return Finding("server", "serveur", Status.FAIL, f"{url} ne répond pas : {err}")
    except OSError as err:  # sync.ca_file unreadable or not PEM
        return Finding("server", "serveur", Status.FAIL,
                       f"sync.ca_file ne peut pas être utilisé : {err}")
    if response.status_code != 200:
        return Finding("server", "serveur", Status.FAIL,
                       f"{url} a répondu HTTP {response.status_code}")
    return Finding("server", "serveur", Status.OK, f"{url} répond")


def check_code_reader(settings: config.Settings) -> Finding:
    """zxing-cpp finds QR codes and 2D-Doc seals so the ID-copy watermark leaves them clear."""
    try:
        import zxingcpp  # noqa: F401
    except ImportError as err:
        return Finding("code_reader", "lecteur de codes", Status.WARN,
                       f"zxing-cpp manque ({err}) : le filigrane des copies couvrira les QR "
                       "codes et cachets 2D-Doc, qui ne seront plus vérifiables, et les cartes "
                       "de progression des parcours ne seront pas lues. pip install zxing-cpp")
    return Finding("code_reader", "lecteur de codes", Status.OK,
                   "zxing-cpp trouve les QR codes et cachets 2D-Doc pour les laisser lisibles")


def check_card_key(settings: config.Settings) -> Finding:
    """A kiosk linked to a server is one of a fleet: its parcours progress cards must be read
    at the others, which needs the same ``practice.card_key`` on each."""
    title = "cartes de progression"
    if settings.get("practice.card_key"):
        return Finding("card_key", title, Status.OK,
                       "clé des cartes réglée (practice.card_key) : une carte imprimée ici est "
                       "lue par toute borne qui a la même clé")
    if settings.get("sync.server_url"):
        return Finding("card_key", title, Status.WARN,
                       "practice.card_key est vide : cette borne signe les cartes de parcours "
                       "avec sa propre clé, et les autres bornes du réseau les refuseront. "
                       "Mettez la même clé sur toutes les bornes (fichier de secrets "
                       "practice.card_key)")
    return Finding("card_key", title, Status.OK,
                   "borne seule : les cartes de parcours sont signées avec une clé propre à "
                   "cette borne")


def check_speech(settings: config.Settings) -> Finding:
    """Read aloud needs espeak-ng; sox's play, when present, drains the speech to the card."""
    if shutil.which("espeak-ng") is None and shutil.which("espeak") is None:
        return Finding("read_aloud", "lecture à voix haute", Status.WARN,
                       "espeak-ng introuvable : la lecture à voix haute restera muette "
                       "(apt install espeak-ng sox)")
    if shutil.which("play") is None:
        return Finding("read_aloud", "lecture à voix haute", Status.OK,
                       "espeak-ng joue seul (play de sox introuvable : AUDIODEV est ignoré)")
    return Finding("read_aloud", "lecture à voix haute", Status.OK,
                   "espeak-ng et play (sox) sont installés")


FIRST_CHECKS: list[tuple[Check, str, str]] = [
    (check_settings, "settings", "réglages"),
    (check_store, "local_store", "stockage local"),
    (check_session_dir, "session_files", "fichiers de session"),
    (check_display, "display", "écran"),
    (check_mediator_pin, "mediator_pin", "code médiateur"),
]
LAST_CHECKS: list[tuple[Check, str, str]] = [
    (check_code_reader, "code_reader", "lecteur de codes"),
    (check_card_key, "card_key", "cartes de progression"),
    (check_speech, "read_aloud", "lecture à voix haute"),
    (check_server, "server", "serveur"),
]
