"""The national official sites a kiosk may show by default.

A site is named by a stable *key* (what statistics carry: never a URL, a path or a title), a
registrable domain (the site and all its subdomains), a plain name and one line on what it is
for, in French as a resident reads it on the home cards.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import N_

# What statistics record for a host a site added itself (browser.local_sites): one key, since
# the wire schema's enum cannot know each deployment's hosts.
LOCAL_KEY = "local"


@dataclass(frozen=True)
class OfficialSite:
    key: str        # stable, for statistics and settings
    domain: str     # registrable domain: the site and its subdomains are allowed
    name: str       # as a resident knows it (untranslated: a proper name)
    purpose: str    # one line, marked for translation
    home: str       # the page a card opens

    def __post_init__(self) -> None:
        if not self.home.startswith("https://"):
            raise ValueError(f"{self.key}: a site's home page must be https")


NATIONAL_SITES: tuple[OfficialSite, ...] = (
    OfficialSite("service_public", "service-public.fr", "Service-Public.fr",
                 N_("Vos droits et démarches : toutes les informations officielles"),
                 "https://www.service-public.fr/"),
    OfficialSite("ants", "ants.gouv.fr", "ANTS",
                 N_("Carte d'identité, passeport, permis de conduire, carte grise"),
                 "https://ants.gouv.fr/"),
    OfficialSite("caf", "caf.fr", "CAF",
                 N_("Allocations familiales, aide au logement, RSA, prime d'activité"),
                 "https://www.caf.fr/"),
    OfficialSite("ameli", "ameli.fr", "ameli (Assurance Maladie)",
                 N_("Remboursements de soins, carte Vitale, attestations"),
                 "https://www.ameli.fr/"),
    OfficialSite("impots", "impots.gouv.fr", "impots.gouv.fr",
                 N_("Déclaration de revenus, avis d'impôt, taxe foncière"),
                 "https://www.impots.gouv.fr/"),
    OfficialSite("france_travail", "francetravail.fr", "France Travail",
                 N_("Inscription, actualisation, offres d'emploi"),
                 "https://www.francetravail.fr/"),
    OfficialSite("info_retraite", "info-retraite.fr", "Info Retraite",
                 N_("Votre relevé de carrière et votre demande de retraite"),
                 "https://www.info-retraite.fr/"),
    OfficialSite("assurance_retraite", "lassuranceretraite.fr", "L'Assurance retraite",
                 N_("Retraite des salariés : estimation, paiements, attestations"),
                 "https://www.lassuranceretraite.fr/"),
    OfficialSite("msa", "msa.fr", "MSA",
                 N_("Protection sociale du monde agricole"),
                 "https://www.msa.fr/"),
    OfficialSite("franceconnect", "franceconnect.gouv.fr", "FranceConnect",
                 N_("Se connecter aux sites publics avec un seul compte"),
                 "https://franceconnect.gouv.fr/"),
    OfficialSite("mesdroitssociaux", "mesdroitssociaux.gouv.fr", "Mes droits sociaux",
                 N_("Voir toutes vos aides et simuler vos droits"),
                 "https://www.mesdroitssociaux.gouv.fr/"),
)

SITE_KEYS: tuple[str, ...] = tuple(s.key for s in NATIONAL_SITES)
BY_KEY: dict[str, OfficialSite] = {s.key: s for s in NATIONAL_SITES}


LOCAL_PURPOSE = N_("Un site ajouté par votre lieu")


def local_site(domain: str) -> OfficialSite:
    """A card for a domain a place added (browser.local_sites, or pushed from the console):
    named by its domain, opening its home page."""
    return OfficialSite(LOCAL_KEY, domain, domain, LOCAL_PURPOSE, f"https://{domain}/")
