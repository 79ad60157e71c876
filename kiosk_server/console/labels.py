"""French labels of every code the console shows, aligned with La Coop de la médiation numérique
where it has a list (themes, age brackets, autonomy levels, duration buckets)."""
from __future__ import annotations

import logging

from kiosk_server.procedures import titles
from kiosk_wire import catalogue
from kiosk_wire.schema import THEME_LABELS_FR, Theme

log = logging.getLogger(__name__)

DURATION_BUCKETS: dict[str, str] = {
    "lt_30": "Moins de 30 min",
    "30_60": "30 min à 1 h",
    "60_120": "1 h à 2 h",
    "120_plus": "2 h et plus",
}
LANGUAGES = {"fr": "Français", "en": "Anglais", "ar": "Arabe"}
END_REASONS = {
    "finished": "Terminée par l'usager",
    "idle_timeout": "Inactivité",
    "mediator": "Terminée par un médiateur",
    "remote": "Terminée à distance",
    "crash_recovered": "Reprise après incident",
}
KINDS = {"practice": "Démarches d'entraînement", "scan": "Numérisations", "copy": "Copies",
         "print": "Impressions", "help": "Appels à un médiateur"}
AGE_BRACKETS = {
    "under_12": "Moins de 12 ans", "12_17": "12-17 ans", "18_24": "18-24 ans",
    "25_39": "25-39 ans", "40_59": "40-59 ans", "60_69": "60-69 ans",
    "70_plus": "70 ans et plus", "not_given": "Non communiqué",
}
AUTONOMY = {"guided": "Avec guidage",
            "partly_autonomous": "Autonome avec guidage en cas de besoin",
            "autonomous": "Autonome", "not_given": "Non communiqué"}
# The autonomy a kiosk derives for a practice attempt (hints and errors), in La Coop's 3 levels.
PRACTICE_AUTONOMY = {"guided": "Avec guidage",
                     "partly_autonomous": "Autonome avec guidage en cas de besoin",
                     "autonomous": "Autonome", "": "Non évaluée"}
COMFORT_OPTIONS = {"large_text": "Grands caractères", "high_contrast": "Contraste renforcé",
                   "read_aloud": "Lecture à voix haute"}
SATISFACTION = {"unsatisfied": "Pas satisfait", "neutral": "Moyennement satisfait",
                "satisfied": "Satisfait", "not_given": "Non communiqué"}
SURVEY_ATTRIBUTES = {"age_bracket": ("Tranche d'âge", AGE_BRACKETS),
                     "autonomy": ("Autonomie", AUTONOMY),
                     "satisfaction": ("Satisfaction", SATISFACTION)}
# The kiosk browser's allowlist keys (kiosk_wire.schema.OfficialSite) as a manager reads them;
# a test checks every key has its name. The domain is what the kiosk allows (with subdomains).
OFFICIAL_SITES = {
    "service_public": ("Service-Public.fr", "service-public.fr"),
    "ants": ("ANTS", "ants.gouv.fr"),
    "caf": ("CAF", "caf.fr"),
    "ameli": ("ameli (Assurance Maladie)", "ameli.fr"),
    "impots": ("impots.gouv.fr", "impots.gouv.fr"),
    "france_travail": ("France Travail", "francetravail.fr"),
    "info_retraite": ("Info Retraite", "info-retraite.fr"),
    "assurance_retraite": ("L'Assurance retraite", "lassuranceretraite.fr"),
    "msa": ("MSA", "msa.fr"),
    "franceconnect": ("FranceConnect", "franceconnect.gouv.fr"),
    "mesdroitssociaux": ("Mes droits sociaux", "mesdroitssociaux.gouv.fr"),
    "local": ("Sites ajoutés par le lieu", ""),
}


def official_site(key: str | None) -> str:
    """A site key as its plain name ('caf' -> 'CAF'); an unknown key as itself."""
    return OFFICIAL_SITES.get(key or "", (key or "", ""))[0]


def official_site_shown(key: str | None) -> str:
    """Where a kiosk's browser is, for the live view: the site's name and domain ('CAF ·
    caf.fr'), never a page; a place's own site stays unnamed (the kiosk sends 'local')."""
    if key == "local":
        return "un site ajouté par le lieu"
    name, domain = OFFICIAL_SITES.get(key or "", (key or "", ""))
    return f"{name} · {domain}" if domain and domain != name else name


WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]
KIOSK_STATES = {
    "idle": "Libre", "active": "En session", "idle_warning": "En session (inactif)",
    "ending": "Fin de session", "out_of_order": "Hors service", "maintenance": "Maintenance",
    "offline": "Hors ligne", "never": "Jamais connectée",
}
# Device states as kiosks report them (kiosk.devices.state_vocabulary(), one Enum per device),
# in a mediator's words, shown as "Imprimante : plus de papier". FAULT: something a mediator
# must go and fix (flagged red on the live view); NOTICE: worth knowing, maybe normal on a kiosk
# built without that device (no badge reader); OK: not shown. A test keeps this table complete.
OK, NOTICE, FAULT = "ok", "notice", "fault"
DEVICE_STATES: dict[str, dict[str, tuple[str, str]]] = {
    "printer": {
        "ready": ("prête", OK), "printing": ("impression en cours", OK),
        "stopped": ("file d'impression arrêtée", FAULT),
        "rejecting": ("refuse les impressions", FAULT),
        "paper_out": ("plus de papier", FAULT), "paper_jam": ("papier coincé", FAULT),
        "cover_open": ("capot ouvert", FAULT), "offline": ("ne répond pas", FAULT),
        "absent": ("débranchée ou introuvable", FAULT),
    },
    "scanner": {
        "ready": ("prêt", OK), "busy": ("numérisation en cours", OK),
        "jammed": ("papier coincé", FAULT), "cover_open": ("capot ouvert", FAULT),
        "error": ("en panne", FAULT), "absent": ("débranché", FAULT),
    },
    "reader": {
        "ready": ("prêt", OK), "card_present": ("badge posé", OK), "busy": ("occupé", OK),
        "error": ("ne répond pas (service arrêté)", FAULT), "absent": ("débranché", NOTICE),
    },
    "hotplug": {
        "watching": ("active", OK), "stopped": ("arrêtée", NOTICE),
        "unavailable": ("indisponible : brancher un appareil demande un redémarrage", NOTICE),
    },
    "usb_storage": {
        "none": ("aucune", OK), "offered": ("branchée", OK),
        "refused": ("refusée (appareil non autorisé)", NOTICE),
    },
}
# Any device, and kiosks of an older version: a generic word for a few common slugs.
GENERIC_DEVICE_STATES: dict[str, tuple[str, str]] = {
    "ok": ("OK", OK), "ready": ("prêt", OK), "absent": ("absent ou débranché", FAULT),
    "unplugged": ("débranché", FAULT), "offline": ("ne répond pas", FAULT),
    "error": ("en erreur", FAULT), "paper_out": ("plus de papier", FAULT),
    "jammed": ("papier coincé", FAULT), "busy": ("occupé", OK),
    "toner_low": ("encre faible", NOTICE),
}
DEVICES = {"printer": "Imprimante", "scanner": "Scanner", "reader": "Lecteur de badge",
           "camera": "Caméra", "hotplug": "Détection USB", "usb_storage": "Clé USB"}


# The kiosk's watchdog (kiosk/watchdog.py) in the live view.
FROZEN = "Écran figé : la borne ne répond plus (redémarrage automatique en cours)"


# The terminal's last update (kiosk_wire.schema.UpdateState), next to its version.
UPDATE_STATES = {
    "up_to_date": "à jour", "updated": "mise à jour faite",
    "rolled_back": "mise à jour vers {tried} échouée, version précédente rétablie",
    "waiting": "mise à jour en attente (session en cours)",
    "refused": "mise à jour refusée : dépôt non signé ou injoignable",
    "failed": "mise à jour vers {tried} impossible (pas de retour possible)",
}


def update(state: str | None, tried: str | None) -> str:
    if not state:
        return ""
    return UPDATE_STATES.get(state, state).format(tried=tried or "?")


def version_drift(installed: str | None, pinned: str | None) -> str:
    """Words for a kiosk not on the version pinned for its site ("" when it is, or no pin)."""
    if not pinned or installed == pinned:
        return ""
    return f"version attendue : {pinned} (installée : {installed or 'inconnue'})"


def restarted(times: int) -> str:
    return f"Redémarrée {times} fois depuis l'allumage"


def theme(slug: str | None) -> str:
    if not slug:
        return "Sans thématique"
    try:
        return THEME_LABELS_FR[Theme(slug)]
    except ValueError:
        return slug


def procedure_choices() -> list[tuple[str, str]]:
    """(id, French title) of every shipped procedure, by title: what a kiosk can be set to offer."""
    return sorted(((e.id, e.title_fr) for e in catalogue.shipped().values()), key=lambda kv: kv[1])


def procedure(procedure_id: str | None) -> str:
    """The French title of a shipped procedure or of one written in the console (its id when
    neither knows it)."""
    if not procedure_id:
        return "—"
    entry = catalogue.shipped().get(procedure_id)
    if entry:
        return entry.title_fr
    return titles.procedure(procedure_id) or procedure_id


def step(procedure_id: str | None, number: int, total: int | None = None,
         capital: bool = True) -> str:
    """"Étape 3 sur 7 : Vos coordonnées" from the step number a kiosk sends (the titles are in
    kiosk_wire/catalogue.json). ``total``: the step count the records carry; when it is not
    the catalogue's (records of an older version of the procedure) the title could be another
    page's, so none is given: "Étape 3 sur 6"; "Étape 3" for an unknown procedure."""
    word = "Étape" if capital else "étape"
    entry = catalogue.shipped().get(procedure_id or "")
    titles = entry.steps_fr if entry else ()
    if titles and (total is None or total == len(titles)) and 1 <= number <= len(titles):
        return f"{word} {number} sur {len(titles)} : {titles[number - 1]}"
    return f"{word} {number} sur {total}" if total else f"{word} {number}"


def month(day: object) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"  # type: ignore[attr-defined]


def device_state(slug: str, device: str | None = None) -> str:
    return device_state_level(device, slug)[0]


def device_state_level(device: str | None, slug: str) -> tuple[str, str]:
    """(words, OK | NOTICE | FAULT) of a device's state. A state this console does not know (a
    newer kiosk) is shown as it came and counted as a notice, never hidden."""
    known = DEVICE_STATES.get(device or "", {}).get(slug) or GENERIC_DEVICE_STATES.get(slug)
    return known or (slug.replace("_", " "), NOTICE)


def device(slug: str) -> str:
    return DEVICES.get(slug, slug.replace("_", " "))
