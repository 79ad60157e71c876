"""The kiosk server's ASGI app: the kiosks' API (kiosk_server/api/) and the web console
(kiosk_server/console/), with the daily retention purge and the monthly reports
(kiosk_server/monthly_reports.py), both tasks of each server process.

Every API error is JSON ``{"error": code, "message": text, "details": [...]}`` with a status
code from the list 400/401/404/405/413/422/429/500/503, never a stack trace. Past
``server.max_in_flight`` kiosk requests in progress in a process, more are refused at once with
503 and ``Retry-After`` (kiosk_server/api/shedding.py). Request bodies
larger than ``server.max_body_bytes`` are refused (413) before any of it is processed. The app
keeps no state that matters between requests (the rate limiter is a per-process safeguard), so
several processes can serve one PostgreSQL database.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine

from kiosk_server import db, monthly_reports, retention
from kiosk_server.api import errors, identifiers, kiosk_routes, metrics
from kiosk_server.api.errors import ApiError
from kiosk_server.api.middleware import BodySizeLimit
from kiosk_server.api.shedding import LoadShedding
from kiosk_server.last_seen import LastSeenBuffer, flush_period
from kiosk_server.ratelimit import RateLimiter
from kiosk_server.report_mail import Mailer
from kiosk_wire import __version__
from kiosk_wire.config import Settings

__all__ = ["ApiError", "app_from_environment", "create_app"]

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 24 * 3600
# The first pass of the monthly reports waits this long after the start: a restarted server
# first takes back the kiosks' reconnection storm and the live pages.
REPORTS_FIRST_AFTER_S = 120.0


def create_app(settings: Settings, engine: Engine | None = None,
               run_migrations: bool = True) -> FastAPI:
    engine = engine if engine is not None else db.open_engine(db.database_url(settings))
    if run_migrations:
        db.migrate(engine)
    retention_months: int = settings.get("server.retention_months")
    mailer = Mailer.from_settings(settings)

    last_seen = LastSeenBuffer(engine, flush_period(settings.get("sync.heartbeat_s")))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(_retention_loop(engine, retention_months)),
                 asyncio.create_task(monthly_report_loop(engine, mailer, REPORTS_FIRST_AFTER_S,
                                                         monthly_reports.CHECK_EVERY_S)),
                 asyncio.create_task(_last_seen_loop(last_seen))]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            # The heartbeats' times not written yet: a stopping process writes them.
            await run_in_threadpool(last_seen.flush_quietly)

    # No interactive API page: Swagger UI loads its code from a CDN. The API is described by
    # /openapi.json, served from here like everything else.
    app = FastAPI(
        title="kiosk server", version=__version__, lifespan=lifespan,
        description="Anonymised statistics, heartbeats and help requests of kiosks.",
        openapi_url="/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.limiter = RateLimiter(settings.get("server.rate_limit_per_min"))
    app.state.known_procedures = identifiers.known_procedures(settings)
    app.state.known_parcours = identifiers.known_parcours(settings)
    app.state.counters = metrics.Counters()
    app.state.last_seen = last_seen
    app.add_middleware(BodySizeLimit, max_bytes=settings.get("server.max_body_bytes"))
    # Outside the body reading: a request waiting for its body counts as in progress.
    app.add_middleware(LoadShedding, max_in_flight=settings.get("server.max_in_flight"),
                       retry_after_s=settings.get("server.shed_retry_after_s"))
    app.add_middleware(metrics.CountRequests, counters=app.state.counters)  # outermost: sees 413s
    errors.install(app)
    app.include_router(kiosk_routes.router)
    app.include_router(metrics.router)

    from kiosk_server.console import mount as mount_console  # the web console, under /console
    mount_console(app, settings, engine)
    return app


def app_from_environment() -> FastAPI:
    """The app built from the settings file (``KIOSK_CONFIG``), credentials and ``KIOSK_*``
    variables: the factory each uvicorn worker process calls when ``server.workers`` > 1
    (``kiosk-server run`` has migrated the database before starting them)."""
    from kiosk_wire import config, logs

    settings = config.load()
    logs.mask_secrets_in_logs(settings)
    return create_app(settings, run_migrations=False)


async def _retention_loop(engine: Engine, months: int) -> None:
    while True:
        try:
            await run_in_threadpool(retention.purge, engine, months)
        except Exception:  # a failed purge is retried tomorrow; serving goes on
            log.exception("retention purge failed")
        await asyncio.sleep(RETENTION_EVERY_S)


async def _last_seen_loop(buffer: LastSeenBuffer) -> None:
    while True:
        await asyncio.sleep(buffer.flush_s)
        await run_in_threadpool(buffer.flush_quietly)


async def monthly_report_loop(engine: Engine, mailer: Mailer | None, first_after_s: float,
                              every_s: float) -> None:
    """A pass of kiosk_server.monthly_reports after ``first_after_s``, then every ``every_s``:
    the last month's missing reports are made (and mailed), whatever day the server started."""
    await asyncio.sleep(first_after_s)
    while True:
        try:
            await run_in_threadpool(monthly_reports.run_pass, engine, mailer)
        except Exception:  # a failed pass is tried again at the next one; serving goes on
            log.exception("monthly reports failed")
        await asyncio.sleep(every_s)
