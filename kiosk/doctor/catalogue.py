"""`kiosk doctor`: the practice catalogue published from the console (kiosk.practice.published):
whether this kiosk can take its site's bundles, and which one it keeps for offline use."""
from __future__ import annotations

from pathlib import Path

from kiosk.doctor.findings import Finding, Status
from kiosk_wire import config

CODE, TITLE = "published_catalogue", "démarches publiées"


def check_published_catalogue(settings: config.Settings) -> Finding:
    from kiosk.practice.published import KEPT_FILE, BundleKeeper

    key = str(settings.get("sync.catalogue_public_key") or "").strip()
    if not key:
        return Finding(CODE, TITLE, Status.WARN,
                       "pas de clé publique du serveur (sync.catalogue_public_key) : la borne ne "
                       "reçoit pas les démarches publiées depuis la console (kiosk-server admin "
                       "catalogue-key la donne)")
    keeper = BundleKeeper.from_settings(Path(settings.data_dir), key)
    if keeper is None:
        return Finding(CODE, TITLE, Status.FAIL,
                       "sync.catalogue_public_key n'est pas une clé publique (64 chiffres "
                       "hexadécimaux) : recopiez celle que donne kiosk-server admin catalogue-key")
    if not (keeper.directory / KEPT_FILE).exists():
        return Finding(CODE, TITLE, Status.OK,
                       "aucune démarche publiée reçue pour l'instant (démarches fournies)")
    accepted = keeper.load_kept()
    if accepted is None:
        return Finding(CODE, TITLE, Status.WARN,
                       f"le catalogue gardé dans {keeper.directory} est refusé (signature d'une "
                       f"autre clé, ou démarche refusée par le vérificateur) : la borne montre "
                       f"les démarches fournies et attend le catalogue du serveur")
    return Finding(CODE, TITLE, Status.OK,
                   f"catalogue {accepted.version[:8]} gardé : "
                   f"{len(accepted.bundle.procedures)} démarche(s) publiée(s)")


CHECKS = [(check_published_catalogue, CODE, TITLE)]
