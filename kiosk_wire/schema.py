"""The anonymised records that may leave a kiosk, shared by the kiosk and the server.

Anonymous by construction (shared/design/stats-events.md): every field is an enum, a bounded
number, a coarse date or a random id. ``extra="forbid"`` everywhere, so a record that carries an
unknown field (a name, a typed value) is refused whole; strict enums, so free text cannot hide
in a field meant for a vocabulary. The kiosk validates before queueing, the server on receipt.
"""
from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS: tuple[int, ...] = (1,)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Language(str, Enum):
    FR = "fr"
    EN = "en"
    AR = "ar"


class Accessibility(str, Enum):
    LARGE_TEXT = "large_text"
    HIGH_CONTRAST = "high_contrast"
    READ_ALOUD = "read_aloud"


class EndReason(str, Enum):
    FINISHED = "finished"
    IDLE_TIMEOUT = "idle_timeout"
    MEDIATOR = "mediator"
    REMOTE = "remote"
    CRASH_RECOVERED = "crash_recovered"


class ActivityKind(str, Enum):
    PRACTICE = "practice"
    SCAN = "scan"
    COPY = "copy"
    PRINT = "print"
    HELP = "help"


class Autonomy(str, Enum):
    GUIDED = "guided"                        # Avec guidage
    PARTLY_AUTONOMOUS = "partly_autonomous"  # Autonome avec guidage en cas de besoin
    AUTONOMOUS = "autonomous"                # Autonome


class Theme(str, Enum):
    """Theme slugs aligned with the Coop de la médiation numérique vocabularies."""

    # médiation numérique
    DIAGNOSTIC = "diagnostic_numerique"
    MATERIEL = "prendre_en_main_du_materiel"
    MAINTENANCE = "maintenance_de_materiel"
    CONTENUS = "gerer_ses_contenus_numeriques"
    NAVIGATION = "navigation_sur_internet"
    EMAIL = "email"
    BUREAUTIQUE = "bureautique"
    RESEAUX_SOCIAUX = "reseaux_sociaux_communication"
    SANTE = "sante"
    BANQUE_ACHATS = "banque_et_achats_en_ligne"
    ACCOMPAGNER_PRO = "accompagner_un_professionnel"
    INSERTION_PRO = "insertion_professionnelle"
    SECURITE = "prevention_en_securite_numerique"
    PARENTALITE = "parentalite"
    SCOLARITE = "scolarite_et_numerique"
    CREER = "creer_avec_le_numerique"
    CULTURE = "culture_numerique"
    IA = "intelligence_artificielle"
    AIDE_DEMARCHES = "aide_aux_demarches_administratives"
    # démarches administratives
    PAPIERS = "papiers_elections_citoyennete"
    FAMILLE = "famille_scolarite"
    SOCIAL_SANTE = "social_sante"
    TRAVAIL = "travail_formation_entreprise"
    LOGEMENT = "logement"
    TRANSPORTS = "transports_mobilite"
    ARGENT_IMPOTS = "argent_impots"
    JUSTICE = "justice"
    ETRANGERS = "etrangers_europe"
    LOISIRS = "loisirs_sports_culture"
    ASSOCIATIONS = "associations"


THEME_LABELS_FR: dict[Theme, str] = {
    Theme.DIAGNOSTIC: "Diagnostic numérique",
    Theme.MATERIEL: "Prendre en main du matériel",
    Theme.MAINTENANCE: "Maintenance de matériel",
    Theme.CONTENUS: "Gérer ses contenus numériques",
    Theme.NAVIGATION: "Navigation sur internet",
    Theme.EMAIL: "E-mail",
    Theme.BUREAUTIQUE: "Bureautique",
    Theme.RESEAUX_SOCIAUX: "Réseaux sociaux communication",
    Theme.SANTE: "Santé",
    Theme.BANQUE_ACHATS: "Banque et achats en ligne",
    Theme.ACCOMPAGNER_PRO: "Accompagner un professionnel",
    Theme.INSERTION_PRO: "Insertion professionnelle",
    Theme.SECURITE: "Prévention en sécurité numérique",
    Theme.PARENTALITE: "Parentalité",
    Theme.SCOLARITE: "Scolarité et numérique",
    Theme.CREER: "Créer avec le numérique",
    Theme.CULTURE: "Culture numérique",
    Theme.IA: "Intelligence artificielle (IA)",
    Theme.AIDE_DEMARCHES: "Aide aux démarches administratives",
    Theme.PAPIERS: "Papiers - Élections - Citoyenneté",
    Theme.FAMILLE: "Famille - Scolarité",
    Theme.SOCIAL_SANTE: "Social - Santé",
    Theme.TRAVAIL: "Travail - Formation - Entreprise",
    Theme.LOGEMENT: "Logement",
    Theme.TRANSPORTS: "Transports - Mobilité",
    Theme.ARGENT_IMPOTS: "Argent - Impôts",
    Theme.JUSTICE: "Justice",
    Theme.ETRANGERS: "Étrangers - Europe",
    Theme.LOISIRS: "Loisirs - Sports - Culture",
    Theme.ASSOCIATIONS: "Associations",
}


class AgeBracket(str, Enum):
    UNDER_12 = "under_12"      # Moins de 12 ans
    AGE_12_17 = "12_17"
    AGE_18_24 = "18_24"
    AGE_25_39 = "25_39"
    AGE_40_59 = "40_59"
    AGE_60_69 = "60_69"
    AGE_70_PLUS = "70_plus"    # 70 ans et plus
    NOT_GIVEN = "not_given"    # Non communiqué


class SurveyAutonomy(str, Enum):
    GUIDED = "guided"
    PARTLY_AUTONOMOUS = "partly_autonomous"
    AUTONOMOUS = "autonomous"
    NOT_GIVEN = "not_given"


class Satisfaction(str, Enum):
    UNSATISFIED = "unsatisfied"
    NEUTRAL = "neutral"
    SATISFIED = "satisfied"
    NOT_GIVEN = "not_given"


# Catalogue ids are slugs, never free text: lower-case letters, digits, '-' and '_' only.
ProcedureId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Count = Annotated[int, Field(ge=0, le=10_000)]
Steps = Annotated[int, Field(ge=0, le=200)]
ParcoursStep = Annotated[int, Field(ge=1, le=24, strict=True)]


class Activity(_Strict):
    kind: ActivityKind
    procedure_id: ProcedureId | None = None
    theme: Theme | None = None
    steps_total: Steps = 0
    steps_reached: Steps = 0
    completed: bool = False
    hints_used: Count = 0
    errors: Count = 0
    pages: Count = 0
    autonomy: Autonomy | None = None
    # The version of a procedure published from the console (kiosk_wire.bundle), never its text;
    # None for a shipped procedure. Optional: older servers and kiosks leave it out.
    procedure_version: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] | None = None
    # A practice run made as a step of a parcours: the parcours' catalogue id and the step's
    # 1-based rank in it (progress counted anonymously). Optional: sent only when set, so an
    # older server, which forbids unknown fields, still takes every other record.
    parcours_id: ProcedureId | None = None
    parcours_step: ParcoursStep | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Activity:
        if self.steps_reached > self.steps_total:
            raise ValueError("steps_reached cannot exceed steps_total")
        if self.kind is ActivityKind.PRACTICE and self.procedure_id is None:
            raise ValueError("a practice activity names its procedure_id")
        if (self.parcours_id is None) != (self.parcours_step is None):
            raise ValueError("parcours_id and parcours_step go together")
        if self.parcours_id is not None and self.kind is not ActivityKind.PRACTICE:
            raise ValueError("only a practice activity is a parcours step")
        return self


class OfficialSite(str, Enum):
    """The kiosk browser's allowlist keys (kiosk/browser/sites.py); ``local`` stands for every
    site a deployment added itself. Never a URL, a path or a page title."""
    SERVICE_PUBLIC = "service_public"
    ANTS = "ants"
    CAF = "caf"
    AMELI = "ameli"
    IMPOTS = "impots"
    FRANCE_TRAVAIL = "france_travail"
    INFO_RETRAITE = "info_retraite"
    ASSURANCE_RETRAITE = "assurance_retraite"
    MSA = "msa"
    FRANCECONNECT = "franceconnect"
    MESDROITSSOCIAUX = "mesdroitssociaux"
    LOCAL = "local"


# A domain a place allows in the kiosk's browser, lower-case and IDNA-encoded
# ("mairie-exemple.fr"): the site and its subdomains. Never a URL.
Domain = Annotated[str, Field(
    max_length=253, pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")]


class SiteUse(_Strict):
    """Time spent on one official site in the kiosk's browser, in whole minutes (at least 1
    once the site was shown)."""
    site: OfficialSite
    minutes: Annotated[int, Field(ge=0, le=24 * 60, strict=True)]


class Survey(_Strict):
    age_bracket: AgeBracket = AgeBracket.NOT_GIVEN
    autonomy: SurveyAutonomy = SurveyAutonomy.NOT_GIVEN
    satisfaction: Satisfaction = Satisfaction.NOT_GIVEN


class SessionRecord(_Strict):
    """One per session, appended to the outgoing queue when the session ends."""

    event_id: uuid.UUID
    schema_version: Annotated[int, Field(ge=1, le=100)] = SCHEMA_VERSION
    day: dt.date
    hour: Annotated[int, Field(ge=0, le=23, strict=True)]
    duration_min: Annotated[int, Field(ge=0, le=24 * 60, multiple_of=5)]
    language: Language
    accessibility: frozenset[Accessibility] = frozenset()
    end_reason: EndReason
    activities: Annotated[list[Activity], Field(max_length=200)] = []
    help_requests: Count = 0
    survey: Survey | None = None
    # Optional: older kiosks send none, and none is sent when empty (an older server forbids it).
    official_sites: Annotated[list[SiteUse], Field(max_length=len(OfficialSite))] = []

    @field_validator("official_sites")
    @classmethod
    def _one_entry_per_site(cls, value: list[SiteUse]) -> list[SiteUse]:
        if len({use.site for use in value}) != len(value):
            raise ValueError("official_sites names each site once")
        return value

    @field_validator("event_id")
    @classmethod
    def _uuid4(cls, value: uuid.UUID) -> uuid.UUID:
        if value.version != 4:
            raise ValueError("event_id must be a random UUID (version 4)")
        return value

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value not in SUPPORTED_SCHEMA_VERSIONS:
            raise ValueError(f"schema_version {value} not supported; supported: "
                             f"{list(SUPPORTED_SCHEMA_VERSIONS)}")
        return value

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready dict with a stable order (accessibility sorted)."""
        data = self.model_dump(mode="json")
        data["accessibility"] = sorted(data["accessibility"])
        if not data["official_sites"]:
            del data["official_sites"]  # as an older kiosk sends it: any server takes it
        for activity in data["activities"]:
            if activity.get("procedure_version") is None:
                activity.pop("procedure_version", None)  # likewise
            if activity["parcours_id"] is None:  # idem: only a parcours step carries them
                del activity["parcours_id"], activity["parcours_step"]
        return data


def round_duration_min(seconds: float) -> int:
    """Duration in minutes rounded to the nearest 5 (coarse on purpose)."""
    return int(5 * round(max(0.0, seconds) / 300.0))


# --- live status: heartbeat, its reply, help requests (not statistics; no personal data) ------

class Device(str, Enum):
    """The devices a heartbeat reports (kiosk.devices.Devices.states)."""

    PRINTER = "printer"
    SCANNER = "scanner"
    READER = "reader"
    HOTPLUG = "hotplug"
    USB_STORAGE = "usb_storage"


class DeviceState(str, Enum):
    """Every state a device facade can be in (kiosk.devices: PrinterState, ScannerState...);
    tests/devices check the two lists agree."""

    READY = "ready"
    PRINTING = "printing"
    BUSY = "busy"
    STOPPED = "stopped"
    REJECTING = "rejecting"
    PAPER_OUT = "paper_out"
    PAPER_JAM = "paper_jam"
    JAMMED = "jammed"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ABSENT = "absent"
    ERROR = "error"
    CARD_PRESENT = "card_present"
    WATCHING = "watching"
    UNAVAILABLE = "unavailable"
    NONE = "none"
    REFUSED = "refused"
    OFFERED = "offered"


class DeviceBackend(str, Enum):
    """What drives a device: the real stack, the demo one (only in `kiosk demo` or when set),
    or none while the real stack is missing."""

    CUPS = "cups"
    SANE = "sane"
    PCSC = "pcsc"
    UDEV = "udev"
    DEMO = "demo"
    NONE = "none"


# A release number ("0.1.0", "1.2", "2.0.1rc1", "1.0.post2"), nothing free-form beside it.
AppVersion = Annotated[str, Field(
    pattern=r"^[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,3})?((a|b|rc)[0-9]{1,3}|\.(dev|post)[0-9]{1,3})?$")]
# A Debian package version ("0.2.0-1", "1:0.2.0-1~bpo12+1"): its characters only, no spaces.
PACKAGE_VERSION_PATTERN = r"^[0-9][A-Za-z0-9.+~:-]{0,31}$"
PackageVersion = Annotated[str, Field(pattern=PACKAGE_VERSION_PATTERN)]
CommandId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # fits every database's INTEGER


class UpdateState(str, Enum):
    """The outcome of the terminal's last kiosk-update run (packaging/bin/kiosk-update)."""

    UP_TO_DATE = "up_to_date"
    UPDATED = "updated"
    ROLLED_BACK = "rolled_back"   # the new version failed its health check; the previous runs
    WAITING = "waiting"           # a session was running: next night
    REFUSED = "refused"           # repository unsigned, wrongly signed or unreachable
    FAILED = "failed"             # no way back to the running version: nothing installed


class KioskState(str, Enum):
    """What a heartbeat says the kiosk is doing (the values of the session core's states)."""

    IDLE = "idle"
    ACTIVE = "active"
    IDLE_WARNING = "idle_warning"
    ENDING = "ending"
    OUT_OF_ORDER = "out_of_order"
    MAINTENANCE = "maintenance"


class CommandKind(str, Enum):
    END_SESSION = "end_session"
    OUT_OF_ORDER = "out_of_order"
    BACK_IN_SERVICE = "back_in_service"


class HelpState(str, Enum):
    """A help request as the server sees it; a mediator acknowledges it ("J'arrive")."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"
    CANCELLED = "cancelled"  # the resident cancelled the call at the kiosk


# A help request nobody has to answer any more.
FINISHED_HELP_STATES = frozenset({HelpState.CLOSED, HelpState.CANCELLED})


class Heartbeat(_Strict):
    schema_version: Annotated[int, Field(ge=1, le=100)] = SCHEMA_VERSION
    state: KioskState
    procedure_id: ProcedureId | None = None
    step: Steps | None = None
    devices: Annotated[dict[Device, DeviceState], Field(max_length=16)] = {}
    device_backends: Annotated[dict[Device, DeviceBackend], Field(max_length=16)] = {}
    app_version: AppVersion
    queue_length: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    # Seconds since the current session began (None when not in session): the mediator's "en
    # session depuis 12 min". A duration, not a time of day; optional, so schema version 1 still
    # reads heartbeats without it.
    session_seconds: Annotated[int, Field(ge=0, le=86_400, strict=True)] | None = None
    # The watchdog's view (kiosk/watchdog.py): seconds (in steps of 10, so 0 while all is
    # well) since the UI loop last turned (a frozen UI while the heartbeat thread still runs),
    # and restarts since the machine booted (crashes, watchdog kills). Optional: kiosks older
    # than them still send valid heartbeats.
    ui_stalled_s: Annotated[int, Field(ge=0, le=31_536_000, strict=True)] | None = None
    restarts: Annotated[int, Field(ge=0, le=1_000_000, strict=True)] | None = None
    # The last update run on this terminal and the version it tried (kiosk-update); optional.
    update_state: UpdateState | None = None
    update_tried: PackageVersion | None = None
    # The catalogue bundle the kiosk uses (kiosk_wire.bundle.catalogue_version); optional.
    catalogue_version: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")] | None = None
    # What the kiosk can read in a bundle (kiosk_wire.bundle.BundleLevel); None from kiosks
    # older than parcours in bundles, which are sent bundles without parcours.
    bundle_level: Annotated[int, Field(ge=1, le=100, strict=True)] | None = None
    # The bundle's parcours the kiosk does not offer (one names a procedure this kiosk's
    # version does not have): the mediator's live view names them. Optional.
    parcours_dropped: Annotated[list[ProcedureId], Field(max_length=50)] = []
    # The official site shown in the kiosk's browser right now (its allowlist key: never an
    # address or a path), for the mediator's live view; None when not browsing. Optional.
    official_site: OfficialSite | None = None
    # The Debian package version installed (dpkg's), the one a site's pinned version is compared
    # with; None outside a package install. Optional: older kiosks do not send it.
    package_version: PackageVersion | None = None
    # Commands of earlier replies that this kiosk has applied (confirmation).
    acked_commands: Annotated[list[CommandId], Field(max_length=100)] = []
    # Help requests whose status the kiosk is waiting for.
    help_requests: Annotated[list[uuid.UUID], Field(max_length=20)] = []


class PushedSettings(_Strict):
    """Settings the server pushes in a heartbeat reply; None leaves the kiosk's own value."""

    idle_timeout_s: Annotated[int, Field(ge=10, le=3600)] | None = None
    idle_warning_s: Annotated[int, Field(ge=5, le=600)] | None = None
    print_quota_pages: Annotated[int, Field(ge=0, le=1000)] | None = None
    enabled_procedures: Annotated[list[ProcedureId], Field(max_length=500)] | None = None
    # Written by a site manager for residents ("Fermeture à 16 h aujourd'hui"), never by them.
    banner: Annotated[str, Field(max_length=280)] | None = None
    # The browser's allowlist for this kiosk, set by a site manager in the console (settings
    # browser.sites / browser.local_sites): the national sites kept, and the place's own domains.
    # The kiosk applies them between sessions, never to a resident's browsing in progress.
    browser_sites: Annotated[list[OfficialSite], Field(max_length=20)] | None = None
    browser_local_sites: Annotated[list[Domain], Field(max_length=50)] | None = None

    @field_validator("browser_sites")
    @classmethod
    def _national_only(cls, sites: list[OfficialSite] | None) -> list[OfficialSite] | None:
        if sites is not None and OfficialSite.LOCAL in sites:
            raise ValueError("'local' is not a national site: list the domains in "
                             "browser_local_sites")
        if sites is not None and len(set(sites)) != len(sites):
            raise ValueError("browser_sites names each site once")
        return sites
    # The kiosk package version a manager pinned for the kiosk's site (or its territory):
    # kiosk-update installs exactly it, between sessions (kiosk/update_pin.py).
    pinned_version: PackageVersion | None = None


class Command(_Strict):
    id: CommandId
    kind: CommandKind


class HelpRequestStatus(_Strict):
    request_id: uuid.UUID
    status: HelpState


class HeartbeatReply(_Strict):
    settings: PushedSettings = PushedSettings()
    commands: Annotated[list[Command], Field(max_length=100)] = []
    help_requests: Annotated[list[HelpRequestStatus], Field(max_length=20)] = []
    server_time: dt.datetime | None = None
    # The catalogue version this kiosk's site should have (kiosk_wire.bundle): a kiosk with
    # another one fetches GET /api/v1/catalogue. Sent only to a kiosk whose heartbeat says
    # which catalogue it has (left out otherwise: an older kiosk refuses unknown fields).
    catalogue_version: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")] | None = None


class EnrolmentRequest(_Strict):
    """`kiosk setup` trades the one-time token made in the console for the kiosk's own."""

    enrolment_token: Annotated[str, Field(min_length=8, max_length=128)]


class EnrolmentReply(_Strict):
    kiosk_name: Annotated[str, Field(max_length=120)]
    site_name: Annotated[str, Field(max_length=120)]
    token: Annotated[str, Field(min_length=16, max_length=256)]  # the kiosk's bearer token
    # The server's public key for catalogue bundles (sync.catalogue_public_key), so that an
    # installer never copies 64 hex digits by hand.
    catalogue_public_key: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class EnrolmentRefusal(str, Enum):
    """Why an enrolment token was refused (the API's error code; `kiosk setup` words it)."""

    UNKNOWN = "enrolment_unknown"
    USED = "enrolment_used"
    EXPIRED = "enrolment_expired"


class HelpRequest(_Strict):
    """A resident pressed "Appeler un médiateur"; sent at once, outside the session record."""

    request_id: uuid.UUID
    schema_version: Annotated[int, Field(ge=1, le=100)] = SCHEMA_VERSION
    procedure_id: ProcedureId | None = None
    step: Steps | None = None

    @field_validator("request_id")
    @classmethod
    def _uuid4(cls, value: uuid.UUID) -> uuid.UUID:
        if value.version != 4:
            raise ValueError("request_id must be a random UUID (version 4)")
        return value


class EventBatch(_Strict):
    """POST /api/v1/events: one batch; one bad record refuses the whole batch."""

    records: Annotated[list[SessionRecord], Field(min_length=1, max_length=500)]


class EventBatchReply(_Strict):
    accepted: list[uuid.UUID]   # every record of the batch is now stored (new or already there)
    stored: int                 # how many were new
    duplicates: int             # how many were already stored (a re-send)
