"""La Coop de la médiation numérique's vocabulary, as its data model spells it (the ``@map``
values of the enums in inclusion-numerique/coop-mediation-numerique, apps/web/prisma/
schema.prisma, and their labels in apps/web/src: thematique.ts, tranche-age.ts, autonomie.ts,
duree-accompagnement.ts), and our codes in theirs.

Our wire slugs (kiosk_wire.schema.Theme) were written from the Coop's labels; five differ from
its codes (``gerer_ses_contenus_numeriques`` where the Coop writes ``gere_…``...). Kiosks keep
sending theirs; the translation is made here, once, for the "Coop" export.
"""
from __future__ import annotations

from kiosk_wire.schema import Theme

# Thematique: code -> label (Coop).
THEMES: dict[str, str] = {
    "diagnostic_numerique": "Diagnostic numérique",
    "prendre_en_main_du_materiel": "Prendre en main du matériel",
    "maintenance_de_materiel": "Maintenance de matériel",
    "gere_ses_contenus_numeriques": "Gérer ses contenus numériques",
    "navigation_sur_internet": "Navigation sur internet",
    "email": "E-mail",
    "bureautique": "Bureautique",
    "reseaux_sociaux": "Réseaux sociaux communication",
    "sante": "Santé",
    "banque_et_achats_en_ligne": "Banque et achats en ligne",
    "entrepreneuriat": "Accompagner un professionnel",
    "insertion_professionnelle": "Insertion professionnelle",
    "securite_numerique": "Prévention en sécurité numérique",
    "parentalite": "Parentalité",
    "scolarite_et_numerique": "Scolarité et numérique",
    "creer_avec_le_numerique": "Créer avec le numérique",
    "culture_numerique": "Culture numérique",
    "intelligence_artificielle": "Intelligence artificielle (IA)",
    "aide_aux_demarches_administratives": "Aide aux démarches administratives",
    "papiers_elections_citoyennete": "Papiers - Élections - Citoyenneté",
    "famille_scolarite": "Famille - Scolarité",
    "social_sante": "Social - Santé",
    "travail_formation": "Travail - Formation - Entreprise",
    "logement": "Logement",
    "transports_mobilite": "Transports - Mobilité",
    "argent_impots": "Argent - Impôts",
    "justice": "Justice",
    "etrangers_europe": "Étrangers - Europe",
    "loisirs_sports_culture": "Loisirs - Sports - Culture",
    "associations": "Associations",
}
_RENAMED = {Theme.CONTENUS: "gere_ses_contenus_numeriques",
            Theme.RESEAUX_SOCIAUX: "reseaux_sociaux",
            Theme.ACCOMPAGNER_PRO: "entrepreneuriat",
            Theme.SECURITE: "securite_numerique",
            Theme.TRAVAIL: "travail_formation"}
THEME_CODE: dict[str, str] = {t.value: _RENAMED.get(t, t.value) for t in Theme}

# Autonomie (practice attempts as the kiosk assessed them).
AUTONOMY: dict[str, tuple[str, str]] = {
    "guided": ("entierement_accompagne", "Avec guidage"),
    "partly_autonomous": ("partiellement_autonome", "Autonome avec guidage en cas de besoin"),
    "autonomous": ("autonome", "Autonome"),
    "": ("non_evaluee", "Non évaluée"),  # ours: the kiosk could not assess the attempt
}
# TrancheAge (voluntary survey).
AGE_BRACKETS: dict[str, tuple[str, str]] = {
    "under_12": ("moins_de_douze", "Moins de 12 ans"),
    "12_17": ("douze_dix_huit", "12 - 17 ans"),
    "18_24": ("dix_huit_vingt_quatre", "18 - 24 ans"),
    "25_39": ("vingt_cinq_trente_neuf", "25 - 39 ans"),
    "40_59": ("quarante_cinquante_neuf", "40 - 59 ans"),
    "60_69": ("soixante_soixante_neuf", "60 - 69 ans"),
    "70_plus": ("soixante_dix_plus", "70 ans et plus"),
    "not_given": ("non_communique", "Non communiqué"),
}
# dureeAccompagnementStatisticsRanges: key and label of each bucket.
DURATIONS: dict[str, tuple[str, str]] = {
    "lt_30": ("30", "Moins de 30 min"),
    "30_60": ("60", "30min à 1 h"),
    "60_120": ("120", "1 h à 2 h"),
    "120_plus": ("more", "2 h et plus"),
}
MASKED = ("masque", "Masqué (petits effectifs et compléments)")


def theme(slug: str) -> tuple[str, str]:
    """(Coop code, Coop label) of one of our theme slugs."""
    code = THEME_CODE.get(slug, slug)
    return code, THEMES.get(code, slug)
