"""One resident's session: what it holds, and the anonymised record it becomes."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from kiosk.sessions.workspace import Artefact, Workspace
from kiosk_wire.schema import (
    Accessibility,
    Activity,
    EndReason,
    Language,
    OfficialSite,
    SessionRecord,
    SiteUse,
    Survey,
    round_duration_min,
)


@dataclass
class Session:
    session_id: str          # local only: names the workspace and journal, never sent
    event_id: str            # the record's idempotency key
    started_at: dt.datetime
    started_mono: float
    workspace: Workspace
    language: Language = Language.FR
    accessibility: set[Accessibility] = field(default_factory=set)
    activities: list[Activity] = field(default_factory=list)
    help_requests: int = 0
    artefacts: list[Artefact] = field(default_factory=list)
    # What the resident typed (practice forms...): memory only, never journaled, cleared at end.
    values: dict[str, Any] = field(default_factory=dict)
    # Seconds per official site (allowlist key) in the kiosk's browser, told at the end.
    site_seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def new(cls, workspace_root: Any, started_at: dt.datetime, started_mono: float,
            language: Language) -> Session:
        session_id = uuid.uuid4().hex
        return cls(
            session_id=session_id,
            event_id=str(uuid.uuid4()),
            started_at=started_at,
            started_mono=started_mono,
            workspace=Workspace(workspace_root, session_id),
            language=language,
        )


@dataclass(frozen=True)
class WipeSummary:
    """What was erased, for the end screen ("3 documents scannés, 2 impressions")."""

    files: int = 0
    scans: int = 0
    prints: int = 0
    documents: int = 0
    values: int = 0
    failures: int = 0

    @property
    def total(self) -> int:
        return self.files + self.prints + self.values


def build_record(
    event_id: str,
    started_at: dt.datetime,
    duration_s: float,
    language: Language,
    accessibility: set[Accessibility],
    activities: list[Activity],
    help_requests: int,
    end_reason: EndReason,
    survey: Survey | None = None,
    site_seconds: dict[str, float] | None = None,
) -> SessionRecord:
    """The anonymised record: coarse day and hour, duration rounded to 5 minutes, time per
    official site in whole minutes (at least one for a site shown)."""
    return SessionRecord(
        event_id=uuid.UUID(event_id),
        day=started_at.date(),
        hour=started_at.hour,
        duration_min=min(round_duration_min(duration_s), 24 * 60),
        language=language,
        accessibility=frozenset(accessibility),
        end_reason=end_reason,
        activities=list(activities)[:200],
        help_requests=min(help_requests, 10_000),
        survey=survey,
        official_sites=[SiteUse(site=OfficialSite(key),
                                minutes=min(24 * 60, max(1, round(seconds / 60))))
                        for key, seconds in sorted((site_seconds or {}).items())
                        if key in OFFICIAL_SITE_KEYS],
    )


OFFICIAL_SITE_KEYS = frozenset(site.value for site in OfficialSite)
