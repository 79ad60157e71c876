"""The server's tables, declared once for the query layer (SQLAlchemy Core).

The database itself is created and changed only by the Alembic migrations in
``kiosk_server/migrations`` (tests check that the migrated schema matches these declarations).

Three groups:
- tenancy: territories -> sites -> kiosks, kiosk tokens (hashes only), console users and the
  places (territories, sites) each is given;
- statistics: raw session records and their activities (kept ``server.retention_months``), and
  the aggregates the console reads, maintained at ingest in the same transaction;
- live: last heartbeat per kiosk, pending commands, help requests;
- and, declared in kiosk_server.catalogue_tables and named here too, the procedures and parcours
  written in the console and each site's choice of procedures.

Aggregates carry a ``grain``: ``D`` (day x kiosk), ``M`` (month x kiosk), ``E`` (day x
territory), ``T`` (month x territory; ``site_id`` = ``kiosk_id`` = 0 for both) or ``N`` (month,
national: every place id 0). The finest rows are per kiosk, with their site and territory
beside: a site's figures are the sum of its few kiosks' rows (read through the same key prefix,
``grain, site_id, period``), a kiosk's are those rows filtered by ``kiosk_id``, so the kiosk
filter costs no extra rows at ingest. Rows from before the kiosk dimension existed whose raw
records were already purged keep ``kiosk_id`` = 0 (site known, kiosk not). A national or territory
query over whole months reads
the small ``T`` rows, over an exact day range the ``E`` rows (day x territory); a site or a
kiosk reads ``D`` rows (a kiosk has a few per day). Sessions, activities and comfort options
are kept at ``D``, ``E`` and ``T``; hour-of-week, funnels, autonomy per procedure and survey
answers, which have no daily use, at ``M`` and ``T``, and the hour-of-week also at ``N`` (77
cells x territories would be the largest national read). Dimensions that may be absent are
stored as '' (they are part of the primary key, which cannot hold NULL). kiosk_server.rebuild
recomputes every aggregate from the raw records; its tests check it agrees with ingest.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from kiosk_server.table_metadata import metadata

# --- tenancy ------------------------------------------------------------------------------------
territories = sa.Table(
    "territories", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # The kiosk package version every kiosk of the territory runs (kiosk_server.version_pins);
    # a site's own pin wins. NULL: the newest of the repository.
    sa.Column("pinned_version", sa.String(32), nullable=True),
    # The official sites the browser of every kiosk of the territory allows, when a manager
    # applied a list to the whole territory (kiosk_server.browser_sites; JSON; NULL: none).
    sa.Column("browser_list", sa.Text, nullable=True),
)

sites = sa.Table(
    "sites", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("territory_id", sa.Integer, sa.ForeignKey("territories.id"), nullable=False,
              index=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # How La Coop de la médiation numérique identifies the place (optional; kiosk_server.
    # site_identifiers checks them): SIRET, code INSEE of the commune, id in the national
    # cartography of places of digital mediation.
    sa.Column("siret", sa.String(14), nullable=True),
    sa.Column("code_insee", sa.String(5), nullable=True),
    sa.Column("cartography_id", sa.String(255), nullable=True),
    # The catalogue version its kiosks should have (kiosk_wire.bundle.catalogue_version), kept
    # up to date whenever a publication or the site's choice changes, so a heartbeat reads it
    # with the kiosk's row; NULL: nothing published, no choice (the shipped catalogue).
    sa.Column("catalogue_version", sa.String(16), nullable=True),
    # The same without its parcours: what kiosks older than parcours in bundles are sent
    # (kiosk_wire.bundle.BundleLevel); NULL as above, or not computed since the migration.
    sa.Column("catalogue_version_plain", sa.String(16), nullable=True),
    # The author of a procedure may approve it alone for this site (no second person).
    sa.Column("self_approval", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("pinned_version", sa.String(32), nullable=True),  # see territories.pinned_version
    # The site's own list of official sites (wins over its territory's; see territories).
    sa.Column("browser_list", sa.Text, nullable=True),
    sa.UniqueConstraint("territory_id", "name", name="uq_sites_territory_name"),
)

kiosks = sa.Table(
    "kiosks", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False, index=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # JSON of kiosk_wire.schema.PushedSettings, sent in every heartbeat reply.
    sa.Column("pushed_settings", sa.Text, nullable=False, server_default="{}"),
    sa.UniqueConstraint("site_id", "name", name="uq_kiosks_site_name"),
)

kiosk_tokens = sa.Table(
    "kiosk_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

# One-time tokens made in the console for `kiosk setup` (kiosk_server.enrolment): hash only;
# a used or expired one is refused; using one gives the kiosk a new bearer token.
enrolment_tokens = sa.Table(
    "enrolment_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(120), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),  # argon2id
    sa.Column("role", sa.String(16), nullable=False),            # admin | manager | mediator
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
)

# The places a console user is given: territories and sites for a manager, sites for a
# mediator, none for an admin (national). Exactly one of territory_id / site_id per row; the two
# unique constraints forbid giving the same place twice (NULLs are distinct in both engines, so
# a site row never collides with a territory row). The first place (lowest id) is the user's
# default dashboard.
user_places = sa.Table(
    "user_places", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("territory_id", sa.Integer, sa.ForeignKey("territories.id"), nullable=True),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=True),
    sa.CheckConstraint("(territory_id IS NULL) <> (site_id IS NULL)",
                       name="ck_user_places_one_place"),
    sa.UniqueConstraint("user_id", "territory_id", name="uq_user_places_territory"),
    sa.UniqueConstraint("user_id", "site_id", name="uq_user_places_site"),
)

# --- statistics: raw ------------------------------------------------------------------------
session_records = sa.Table(
    "session_records", metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("kiosk_id", sa.Integer, nullable=False),
    sa.Column("site_id", sa.Integer, nullable=False),
    sa.Column("territory_id", sa.Integer, nullable=False),
    sa.Column("schema_version", sa.SmallInteger, nullable=False),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("hour", sa.SmallInteger, nullable=False),
    sa.Column("duration_min", sa.SmallInteger, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("accessibility", sa.String(64), nullable=False),  # sorted, comma-separated enums
    sa.Column("end_reason", sa.String(24), nullable=False),
    sa.Column("help_requests", sa.SmallInteger, nullable=False),
    sa.Column("age_bracket", sa.String(16), nullable=True),
    sa.Column("autonomy", sa.String(24), nullable=True),
    sa.Column("satisfaction", sa.String(16), nullable=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

activities = sa.Table(
    "activities", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, index=True),
    sa.Column("position", sa.SmallInteger, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("procedure_id", sa.String(64), nullable=True),
    sa.Column("theme", sa.String(48), nullable=True),
    sa.Column("steps_total", sa.SmallInteger, nullable=False),
    sa.Column("steps_reached", sa.SmallInteger, nullable=False),
    sa.Column("completed", sa.Boolean, nullable=False),
    sa.Column("hints_used", sa.Integer, nullable=False),
    sa.Column("errors", sa.Integer, nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("autonomy", sa.String(24), nullable=True),
    # The version of a published procedure the resident practised (NULL: a shipped one, or a
    # kiosk too old to say), so funnels can compare versions.
    sa.Column("procedure_version", sa.Integer, nullable=True),
    # A step of a parcours (migration 0013): its catalogue id and 1-based rank, else NULL.
    sa.Column("parcours_id", sa.String(64), nullable=True),
    sa.Column("parcours_step", sa.SmallInteger, nullable=True),
)

# The official sites a session used in the kiosk's browser: allowlist keys and whole minutes.
site_uses = sa.Table(
    "site_uses", metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("site", sa.String(24), primary_key=True),
    sa.Column("minutes", sa.SmallInteger, nullable=False),
)


# --- statistics: aggregates -------------------------------------------------------------------
def _agg(name: str, dims: list[sa.Column[Any]], measures: list[str]) -> sa.Table:
    key: list[sa.Column[Any]] = [
        sa.Column("grain", sa.String(1), nullable=False),
        sa.Column("period", sa.Date, nullable=False),
        sa.Column("territory_id", sa.Integer, nullable=False),
        sa.Column("site_id", sa.Integer, nullable=False),
        sa.Column("kiosk_id", sa.Integer, nullable=False),
    ]
    cols = key + dims + [sa.Column(m, sa.BigInteger, nullable=False, server_default="0")
                         for m in measures]
    # Key order = how the console reads: one grain, one site (0 above site level), a range of
    # periods, then the site's kiosks. A territory's sites (and its day ranges) are read through
    # the second index; a national day range scans the daily rows (the console offers whole
    # months nationally). kiosk_id after period: a site's period range stays one key range.
    # On PostgreSQL the key's index also carries the measures (INCLUDE, migration 0006): the
    # heap is in insert order, so a site's rows are on as many pages as rows; from the index,
    # a read is an index-only scan of one contiguous range, as on SQLite (below).
    pk = sa.PrimaryKeyConstraint("grain", "site_id", "period", "territory_id", "kiosk_id",
                                 *[c.name for c in dims], postgresql_include=measures)
    index = sa.Index(f"ix_{name}_territory", "grain", "territory_id", "period")
    # On SQLite, WITHOUT ROWID clusters rows by their key: a period range is read in place.
    return sa.Table(name, metadata, *cols, pk, index,
                    sqlite_with_rowid=False)


def _dim(name: str, length: int) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=False)


def _small(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.SmallInteger, nullable=False)


agg_sessions = _agg(
    "agg_sessions",
    [_dim("language", 8), _dim("end_reason", 24), _dim("duration_bucket", 12)],
    ["sessions", "duration_min", "help_requests", "accessible_sessions"],
)
agg_activities = _agg(
    "agg_activities",
    [_dim("kind", 16), _dim("procedure_id", 64), _dim("theme", 48)],
    ["activities", "completed", "pages", "hints_used", "errors"],
)
agg_hours = _agg("agg_hours", [_small("weekday"), _small("hour")], ["sessions"])
agg_funnel = _agg(
    "agg_funnel",
    [_dim("procedure_id", 64), _small("steps_total"), _small("steps_reached")],
    ["activities", "completed"],
)
agg_survey = _agg(
    "agg_survey",
    [_dim("age_bracket", 16), _dim("autonomy", 24), _dim("satisfaction", 16)],
    ["sessions"],
)
# Practice attempts per procedure and derived autonomy level ('' when the kiosk sent none).
agg_autonomy = _agg("agg_autonomy", [_dim("procedure_id", 64), _dim("autonomy", 24)],
                    ["activities"])
# Sessions per comfort option: a session with two options counts once under each.
agg_comfort = _agg("agg_comfort", [_dim("comfort_option", 16)], ["sessions"])
# Sessions that opened each official site in the kiosk's browser, and minutes spent on it. Also
# kept per site x month (M, migration 0016): the atoms its small counts are protected on.
agg_official_sites = _agg("agg_official_sites", [_dim("site", 24)], ["sessions", "minutes"])

# Practice attempts and completions of each step of each parcours (monthly grains).
agg_parcours = _agg("agg_parcours", [_dim("parcours_id", 64), _small("parcours_step")],
                    ["activities", "completed"])

# Practice attempts of each version of a procedure written in the console (monthly grains; only
# activities that carry a version): the console compares versions beyond the raw retention.
agg_procedure_versions = _agg(
    "agg_procedure_versions", [_dim("procedure_id", 64), sa.Column("procedure_version",
                                                                   sa.Integer, nullable=False)],
    ["activities", "completed", "steps_reached"])

AGGREGATES: tuple[sa.Table, ...] = (agg_sessions, agg_activities, agg_hours, agg_funnel,
                                    agg_survey, agg_autonomy, agg_comfort, agg_official_sites,
                                    agg_parcours, agg_procedure_versions)

# --- live ---------------------------------------------------------------------------------
kiosk_status = sa.Table(
    "kiosk_status", metadata,
    sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), primary_key=True),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("procedure_id", sa.String(64), nullable=True),
    sa.Column("step", sa.SmallInteger, nullable=True),
    sa.Column("devices", sa.Text, nullable=False, server_default="{}"),  # JSON slug -> slug
    sa.Column("app_version", sa.String(32), nullable=False),
    sa.Column("queue_length", sa.Integer, nullable=False),
    # When the current session began (server time, from the heartbeat's session_seconds), so the
    # live view can show "en session depuis 12 min". NULL when idle or out of order.
    sa.Column("session_started_at", sa.DateTime(timezone=True), nullable=True),
    # JSON device -> backend ("cups", "sane", "pcsc", "udev", "demo", "none"): a demo device
    # shows as such in the console.
    sa.Column("device_backends", sa.Text, nullable=False, server_default="{}"),
    # The kiosk's watchdog: seconds its UI loop has not turned, restarts since boot (NULL from
    # kiosks that do not say): "Écran figé", "Redémarrée n fois" in the live view.
    sa.Column("ui_stalled_s", sa.Integer, nullable=True),
    sa.Column("restarts", sa.Integer, nullable=True),
    # The terminal's last kiosk-update run (kiosk_wire.schema.UpdateState) and the version tried.
    sa.Column("update_state", sa.String(16), nullable=True),
    sa.Column("update_tried", sa.String(32), nullable=True),
    # The catalogue version the kiosk has (kiosk_wire.bundle); NULL from older kiosks.
    sa.Column("catalogue_version", sa.String(16), nullable=True),
    # The official site the kiosk's browser shows (an allowlist key, never an address): the
    # live view's "Sur un site officiel : CAF". NULL when not browsing.
    sa.Column("official_site", sa.String(24), nullable=True),
    # The Debian package version installed (NULL from kiosks that do not say): compared with the
    # site's pinned version, "version attendue" in the live view.
    sa.Column("package_version", sa.String(32), nullable=True),
    # The bundle's parcours the kiosk does not offer (comma-separated ids; one names a
    # procedure its version does not have); NULL when none.
    sa.Column("parcours_dropped", sa.String(400), nullable=True),
)

kiosk_commands = sa.Table(
    "kiosk_commands", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
)

# --- console sign-ins and failed logins, shared by every server process --------------------------
console_sessions = sa.Table(
    "console_sessions", metadata,
    sa.Column("sid_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's random id
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(160), nullable=False),  # "user:<name>" or "ip:<address>"
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_login_failures_key_at", "key", "at"),
)

help_requests = sa.Table(
    "help_requests", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), nullable=False, unique=True),
    sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False, index=True),
    sa.Column("site_id", sa.Integer, nullable=False, index=True),
    sa.Column("procedure_id", sa.String(64), nullable=True),
    sa.Column("step", sa.SmallInteger, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # kiosk_wire.schema.HelpState
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("acknowledged_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
)

# --- what changed for the live view (one row per site; 0 = console accounts and places) ---------
live_changes = sa.Table(
    "live_changes", metadata,
    sa.Column("site_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, index=True),
)


# --- monthly reports (kiosk_server/monthly_reports.py): one PDF per site and month ----------------
monthly_reports = sa.Table(
    "monthly_reports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False),
    sa.Column("month", sa.Date, nullable=False),  # its first day
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("site_id", "month", name="uq_monthly_reports_site_month"),
)


# Declared beside the code they serve, on the same metadata; named here like every table.
from kiosk_server.catalogue_tables import (  # noqa: E402
    parcours,
    parcours_publications,
    parcours_versions,
    procedure_publications,
    procedure_versions,
    procedures,
    site_catalogue,
)

__all__ = ["parcours", "parcours_publications", "parcours_versions", "procedure_publications",
           "procedure_versions", "procedures", "site_catalogue"]
