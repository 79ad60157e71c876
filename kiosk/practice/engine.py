"""The practice engine: runs any procedure page by page. No Kivy, no procedure-specific code.

A :class:`PracticeRun` is one person practising one procedure. The screens show
``run.page``, pass what was typed to :meth:`PracticeRun.submit`, show the plain-language
errors it returns, ask :meth:`PracticeRun.guide` what to highlight (guided mode) or
:meth:`PracticeRun.request_hint` (autonomous mode), and at the end put
:meth:`PracticeRun.activity` in the session record.

Privacy: what the person types goes ONLY to the ``values`` store the caller provides (the
session core's ``remember``/``recall``, wiped at the end of the session). The engine keeps
counts, never values, and never logs them; the activity holds counts only.
"""
from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from kiosk.practice.fields import check_field
from kiosk.practice.messages import MESSAGES, message
from kiosk.practice.model import Field, FieldType, Hint, Page, Procedure, Trap, TrapKind
from kiosk.practice.steps import page_depths
from kiosk.practice.text import Text
from kiosk.practice.validators import Problem, password_rule_status
from kiosk.sessions.clock import Clock, SystemClock
from kiosk_wire.schema import Activity, ActivityKind, Autonomy

log = logging.getLogger(__name__)


class Mode(str, Enum):
    GUIDED = "guided"            # next thing highlighted, hint shown
    AUTONOMOUS = "autonomous"    # hints only on request


class Outcome(str, Enum):
    NEXT = "next"            # page accepted, moved on
    ERRORS = "errors"        # page refused, see errors
    EXPIRED = "expired"      # session-expired trap: back to the restart page
    FINISHED = "finished"    # the last page was reached


class ValueStore(Protocol):
    """Where typed values live: the session core (remember/recall), wiped at session end."""

    def remember(self, key: str, value: Any) -> None: ...

    def recall(self, key: str, default: Any = None) -> Any: ...


class MemoryValues:
    """A plain in-memory store for runs outside a session (checker, tests of the engine)."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def remember(self, key: str, value: Any) -> None:
        self._values[key] = value

    def recall(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)


@dataclass(frozen=True)
class FieldError:
    field: Field
    problem: Problem
    override: Text | None = None

    def text(self, lang: str = "fr") -> str:
        if self.override is not None:
            return self.override.format(lang, **dict(self.problem.params))
        return message(self.problem, lang)


@dataclass
class SubmitResult:
    outcome: Outcome
    page: Page                     # the page now shown
    errors: dict[str, FieldError] = field(default_factory=dict)
    notice: Text | None = None     # e.g. "your session expired"

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.NEXT, Outcome.FINISHED)


@dataclass
class PageStats:
    """Counts only: how this page went, for the debrief and the activity."""

    visits: int = 0
    field_errors: dict[str, int] = field(default_factory=dict)
    hints: int = 0
    expired: int = 0
    scam_clicked: int = 0
    seconds: float = 0.0     # time spent on the page, all visits (for "hesitated here")

    @property
    def errors(self) -> int:
        return sum(self.field_errors.values()) + self.scam_clicked


class PracticeRun:
    def __init__(self, procedure: Procedure, mode: Mode = Mode.GUIDED,
                 values: ValueStore | None = None, clock: Clock | None = None,
                 rng: random.Random | None = None, today: Any = None) -> None:
        self.procedure = procedure
        self.mode = mode
        self.values: ValueStore = values if values is not None else MemoryValues()
        self.clock: Clock = clock or SystemClock()
        self.today = today
        self._rng = rng or random.SystemRandom()
        self.depths = page_depths(procedure)
        self.steps_total = max(self.depths.values())
        self.stats: dict[str, PageStats] = {}
        self.history: list[str] = []
        self.sms_inbox: list[Text] = []
        self._sms_code: str | None = None
        self._hints_shown: set[tuple[str, int]] = set()
        self.completed = False
        self.max_step = 0
        self._enter(procedure.start)

    # --- where we are ------------------------------------------------------------------------
    @property
    def page(self) -> Page:
        return self.procedure.page(self._page_id)

    @property
    def step(self) -> int:
        return self.depths.get(self._page_id, 1)

    def _stats(self, page_id: str | None = None) -> PageStats:
        return self.stats.setdefault(page_id or self._page_id, PageStats())

    def _leave(self) -> None:
        """Add the time spent on the current page to its stats."""
        if getattr(self, "_page_id", None) is not None:
            self._stats().seconds += max(0.0, self.clock.monotonic() - self._entered_at)

    def _enter(self, page_id: str) -> None:
        self._leave()
        self._page_id = page_id
        self._entered_at = self.clock.monotonic()
        self._active_at = self._entered_at
        self._stats().visits += 1
        self.max_step = max(self.max_step, self.depths.get(page_id, 1))
        page = self.page
        if any(f.type in (FieldType.SMS_CODE, FieldType.EMAIL_CODE) for f in page.fields):
            self.send_sms()
        # Completed while the run is on an end page: going back from it undoes it.
        self.completed = page.end

    def _key(self, field_id: str) -> str:
        return f"practice/{self.procedure.id}/{field_id}"

    # --- values (kept by the caller's store only) ---------------------------------------------
    def set_value(self, field_id: str, value: Any) -> None:
        self.values.remember(self._key(field_id), value)

    def note_activity(self) -> None:
        """The page was sent to the (fictional) site: like a real site's session, the page's
        "expired after N minutes without doing anything" counts from the last request (the
        page shown, a retry), not from the first display. Typing alone sends nothing."""
        self._active_at = self.clock.monotonic()

    def value(self, field_id: str) -> Any:
        return self.values.recall(self._key(field_id))

    def send_sms(self) -> Text:
        """A new code on the simulated phone (also 'resend the code'): by SMS, or by e-mail
        (shown in the phone's mailbox) when the page awaits a code received by e-mail."""
        code_fields = [f for f in self.page.fields
                       if f.type in (FieldType.SMS_CODE, FieldType.EMAIL_CODE)]
        # As long as the real site's code (Doctolib's has 3 digits, most have 6).
        digits = code_fields[0].digits if code_fields else 6
        self._sms_code = f"{self._rng.randrange(0, 10 ** digits):0{digits}d}"
        by_email = any(f.type is FieldType.EMAIL_CODE for f in self.page.fields)
        template = MESSAGES["email.code" if by_email else "sms.code"]
        sms = Text(*(template.format(lang, operator=self.procedure.operator.name,
                                     code=self._sms_code) for lang in ("fr", "en", "ar")))
        self.sms_inbox.append(sms)
        return sms

    @property
    def sms_code(self) -> str | None:
        """The code last sent to the simulated phone (for the phone widget and tests)."""
        return self._sms_code

    # --- live checks (not counted as errors) ---------------------------------------------------
    def problem(self, field_id: str, value: Any,
                page_values: Mapping[str, Any] | None = None) -> FieldError | None:
        page = self.page
        fld = page.field(field_id)
        if fld is None:
            raise KeyError(f"page {page.id} has no field {field_id!r}")
        trap = next((t for t in page.traps
                     if t.kind is TrapKind.WRONG_FORMAT and t.field == field_id), None)
        problem = check_field(
            fld, value,
            persona_value=self.procedure.persona.value(fld.persona) if fld.persona else None,
            sms_code=self._sms_code, page_values=page_values, strict_format=trap,
            today=self.today)
        if problem is None:
            return None
        override = trap.message if problem.key == "trap.wrong_format" and trap else \
            fld.errors.get(problem.key)
        return FieldError(fld, problem, override)

    def password_rules(self, field_id: str, value: str) -> list[tuple[Text, bool]]:
        """The rules shown before a password field, each ticked live as the person types."""
        fld = self.page.field(field_id)
        rules = fld.rules if fld else {}
        n = rules.get("min_length", 0)
        return [(Text(*(MESSAGES[f"rule.{rule}"].format(lang, n=n)
                        for lang in ("fr", "en", "ar"))), ok)
                for rule, ok in password_rule_status(value, rules)]

    # --- submitting a page ---------------------------------------------------------------------
    def submit(self, typed: Mapping[str, Any] | None = None) -> SubmitResult:
        """Validate the current page with ``typed`` (and earlier set values); move on if fine."""
        page = self.page
        if page.end:
            return SubmitResult(Outcome.FINISHED, page)
        expiry = page.trap(TrapKind.SESSION_EXPIRED)
        if expiry and self.clock.monotonic() - self._active_at >= expiry.after_s:
            return self._expire(page, expiry)
        for field_id, value in (typed or {}).items():
            if page.field(field_id) is None:
                raise KeyError(f"page {page.id} has no field {field_id!r}")
            self.set_value(field_id, value)
        self.note_activity()
        current = {f.id: self.value(f.id) for f in page.fields}
        errors: dict[str, FieldError] = {}
        for fld in page.fields:
            error = self.problem(fld.id, current[fld.id], current)
            if error:
                errors[fld.id] = error
        detours = self._detours(page, errors, current)
        stats = self._stats()
        for field_id in detours:
            # A wrong choice the real site would follow (its own page explains the mistake):
            # counted as an error, and the person sees where it leads.
            stats.field_errors[field_id] = stats.field_errors.get(field_id, 0) + 1
            del errors[field_id]
        if errors:
            for field_id in errors:
                stats.field_errors[field_id] = stats.field_errors.get(field_id, 0) + 1
            # ids and message keys only: never what was typed
            log.debug("practice %s: page %s refused (%s)", self.procedure.id, page.id,
                      ", ".join(f"{k}={e.problem.key}" for k, e in errors.items()))
            return SubmitResult(Outcome.ERRORS, page, errors)
        self.history.append(page.id)
        self._enter(self._next_page(page))
        log.debug("practice %s: page %s accepted, now on %s (step %d/%d)", self.procedure.id,
                  page.id, self._page_id, self.step, self.steps_total)
        return SubmitResult(Outcome.FINISHED if self.completed else Outcome.NEXT, self.page)

    @staticmethod
    def _detours(page: Page, errors: Mapping[str, FieldError],
                 current: Mapping[str, Any]) -> list[str]:
        """Choice fields answered with a value the card does not say, but for which this page
        has its own way (``next: - {field: x, equals: wrong, page: explanation}``)."""
        found = []
        for field_id, error in errors.items():
            if error.field.type is not FieldType.CHOICE or \
                    error.problem.key not in ("persona.mismatch", "expected.mismatch"):
                continue
            value = str(current.get(field_id))
            if any(b.field == field_id and b.equals == value for b in page.next):
                found.append(field_id)
        return found if len(found) == len(errors) else []

    def _expire(self, page: Page, trap: Trap) -> SubmitResult:
        self._stats().expired += 1
        for fld in page.fields:  # as on the real site, what was typed on this page is lost
            self.set_value(fld.id, None)
        restart = trap.restart or page.id
        if restart != page.id:
            self.history.append(page.id)
        self._enter(restart)
        return SubmitResult(Outcome.EXPIRED, self.page, notice=MESSAGES["session.expired"])

    def _next_page(self, page: Page) -> str:
        for branch in page.next:
            if branch.applies(self.value(branch.field) if branch.field else None):
                return branch.page
        raise RuntimeError(f"procedure {self.procedure.id}: page {page.id} leads nowhere "
                           "(run `kiosk procedures check`)")

    def jump_to(self, page_id: str) -> Page:
        """Show ``page_id`` directly, without answering the pages before it: for guided
        demonstrations and the screenshots of every page (a normal run never calls this)."""
        self.procedure.page(page_id)  # KeyError for an unknown page
        self._enter(page_id)
        return self.page

    def back(self) -> Page:
        """The previous page, like the browser's back button (nothing counted)."""
        if self.history:
            self._leave()
            self._page_id = self.history.pop()
            self._entered_at = self._active_at = self.clock.monotonic()
            self.completed = self.page.end
        return self.page

    def follow_link(self) -> Text:
        """The person touched the page's lookalike link: counted, explained, page unchanged."""
        trap = self.page.trap(TrapKind.SCAM_LINK)
        if trap is None:
            raise KeyError(f"page {self.page.id} has no scam link")
        self._stats().scam_clicked += 1
        return trap.message or MESSAGES["scam.link"]

    # --- hints ---------------------------------------------------------------------------------
    def _count_hint(self, index: int) -> None:
        key = (self._page_id, index)
        if key not in self._hints_shown:
            self._hints_shown.add(key)
            self._stats().hints += 1

    def _pending_field(self) -> Field | None:
        """The first field of the page that is not yet acceptable: the next thing to touch."""
        current = {f.id: self.value(f.id) for f in self.page.fields}
        for fld in self.page.fields:
            if self.problem(fld.id, current[fld.id], current) is not None:
                return fld
        return None

    def _hint_for(self, fld: Field | None) -> tuple[int, Hint] | None:
        """The hint about ``fld``; else a hint about the page as a whole (no field). When
        every field is done (``fld`` is None) a hint about a field would point the wrong way."""
        hints = self.page.hints
        for index, hint in enumerate(hints):
            if fld is not None and hint.field == fld.id:
                return index, hint
        for index, hint in enumerate(hints):
            if hint.field is None:
                return index, hint
        return None

    def guide(self) -> tuple[Field | None, Hint | None]:
        """Guided mode: the field to highlight (None: the page's button) and its hint."""
        fld = self._pending_field()
        found = self._hint_for(fld) if self.mode is Mode.GUIDED else None
        if found:
            self._count_hint(found[0])
        return fld, found[1] if found else None

    def request_hint(self) -> Hint | None:
        """The person touched "Aide": the hint for what they should do now."""
        found = self._hint_for(self._pending_field())
        if found is None and self.page.hints:
            found = (0, self.page.hints[0])
        if found is None:
            return None
        self._count_hint(found[0])
        return found[1]

    # --- results -------------------------------------------------------------------------------
    @property
    def hints_used(self) -> int:
        return sum(s.hints for s in self.stats.values())

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.stats.values())

    @property
    def steps_reached(self) -> int:
        return self.steps_total if self.completed else min(self.max_step, self.steps_total)

    def autonomy(self) -> Autonomy:
        """Guided mode is 'avec guidage'; alone, any hint asked makes it 'partly'."""
        if self.mode is Mode.GUIDED:
            return Autonomy.GUIDED
        return Autonomy.AUTONOMOUS if self.hints_used == 0 else Autonomy.PARTLY_AUTONOMOUS

    def activity(self) -> Activity:
        """The anonymised activity for the session record: ids and counts only."""
        return Activity(
            kind=ActivityKind.PRACTICE, procedure_id=self.procedure.id,
            theme=self.procedure.theme, steps_total=self.steps_total,
            steps_reached=self.steps_reached, completed=self.completed,
            hints_used=self.hints_used, errors=self.errors, autonomy=self.autonomy(),
            procedure_version=self.procedure.published_version,
        )
