"""official sites: site x month rows for small-count protection; allowlists kept per place

Revision ID: 0016_official_sites_protected
Revises: 0015_version_pins_enrolment
Create Date: 2026-12-06 02:00:00

``agg_official_sites`` gains its site x month grain (M), the atoms its small counts are
protected on (kiosk_server.disclosure, docs/privacy.md); the existing M rows are summed from
the daily per-kiosk rows (D), which outlive the raw records, so purged periods get them too.

The official sites a manager sets in the console were copied into each kiosk's pushed
settings: a kiosk created later did not get them. They are now kept on the site (or the
territory, for a list applied to all its sites) as ``browser_list``, and the heartbeat reply
derives each kiosk's list from there. A site whose kiosks all carry the same list gets it as
its own and the kiosks' copies are removed; kiosks that disagree keep theirs (a list set for
one kiosk still wins).
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0016_official_sites_protected'
down_revision = '0015_version_pins_enrolment'
branch_labels = None
depends_on = None

BROWSER_FIELDS = ('browser_sites', 'browser_local_sites')


def upgrade() -> None:
    for table in ('territories', 'sites'):
        op.add_column(table, sa.Column('browser_list', sa.Text(), nullable=True))
    bind = op.get_bind()
    month = ("CAST(date_trunc('month', period) AS DATE)" if bind.dialect.name == 'postgresql'
             else "substr(period, 1, 8) || '01'")
    op.execute(
        "INSERT INTO agg_official_sites (grain, period, territory_id, site_id, kiosk_id, site, "
        "sessions, minutes) "
        f"SELECT 'M', {month}, territory_id, site_id, kiosk_id, site, sum(sessions), "
        "sum(minutes) FROM agg_official_sites WHERE grain = 'D' "
        f"GROUP BY {month}, territory_id, site_id, kiosk_id, site")
    _lists_to_sites(bind)


def _lists_to_sites(bind: sa.engine.Connection) -> None:
    kiosks = bind.execute(sa.text("SELECT id, site_id, pushed_settings FROM kiosks")).all()
    per_site: dict[int, list[tuple[int, dict[str, object]]]] = {}
    for kiosk_id, site_id, pushed in kiosks:
        per_site.setdefault(site_id, []).append((kiosk_id, json.loads(pushed or '{}')))
    for site_id, rows in per_site.items():
        lists = [tuple(json.dumps(settings.get(f)) for f in BROWSER_FIELDS) for _k, settings in rows]
        if lists[0] == ('null', 'null') or any(other != lists[0] for other in lists):
            continue
        first = rows[0][1]
        kept = {'national': first.get('browser_sites'),  # None: the kiosk's own setting
                'local': first.get('browser_local_sites')}
        bind.execute(sa.text("UPDATE sites SET browser_list = :l WHERE id = :s"),
                     {'l': json.dumps(kept), 's': site_id})
        for kiosk_id, settings in rows:
            rest = {k: v for k, v in settings.items() if k not in BROWSER_FIELDS}
            bind.execute(sa.text("UPDATE kiosks SET pushed_settings = :p WHERE id = :k"),
                         {'p': json.dumps(rest), 'k': kiosk_id})


def downgrade() -> None:
    bind = op.get_bind()
    for site_id, territory_list, site_list in bind.execute(sa.text(
            "SELECT sites.id, territories.browser_list, sites.browser_list FROM sites "
            "JOIN territories ON territories.id = sites.territory_id")).all():
        chosen = site_list or territory_list
        if not chosen:
            continue
        kept = json.loads(chosen)
        for kiosk_id, pushed in bind.execute(sa.text(
                "SELECT id, pushed_settings FROM kiosks WHERE site_id = :s"),
                {'s': site_id}).all():
            settings = json.loads(pushed or '{}')
            if all(settings.get(f) is None for f in BROWSER_FIELDS):  # its own list is kept
                pairs = zip(BROWSER_FIELDS, ('national', 'local'), strict=True)
                settings |= {f: kept[k] for f, k in pairs if kept[k] is not None}
                bind.execute(sa.text("UPDATE kiosks SET pushed_settings = :p WHERE id = :k"),
                             {'p': json.dumps(settings), 'k': kiosk_id})
    op.execute("DELETE FROM agg_official_sites WHERE grain = 'M'")
    # In place, not Alembic's batch copy: sites and territories are parents (see 0015).
    for table in ('sites', 'territories'):
        op.drop_column(table, 'browser_list')
