"""The kiosk server's HTTP API (FastAPI): ingest, heartbeat, help requests, health.

Every error is JSON ``{"error": code, "message": text, "details": [...]}`` with a status code
from the list 400/401/404/405/413/422/429/500/503, never a stack trace. Request bodies larger
than ``server.max_body_bytes`` are refused (413) before they are read whole. The app keeps no
state that matters between requests (the rate limiter is a per-process safeguard), so several
processes can serve one PostgreSQL database.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk_wire import __version__
from kiosk_wire.config import Settings
from kiosk_wire.schema import (
    SUPPORTED_SCHEMA_VERSIONS,
    EventBatch,
    EventBatchReply,
    Heartbeat,
    HeartbeatReply,
    HelpRequest,
    HelpRequestStatus,
)
from kiosk_server import db, live, retention
from kiosk_server.ingest import ingest
from kiosk_server.ratelimit import RateLimiter
from kiosk_server.tenancy import KioskIdentity, TenancyError, authenticate

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 24 * 3600


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 details: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details or [], headers or {}


def _error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "details": details or []},
                        status_code=status, headers=headers)


class BodySizeLimit:
    """ASGI middleware: 413 when Content-Length, or the bytes actually received, exceed a limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        received = 0
        exceeded = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Stop reading; whatever the app answers to the cut body becomes a 413.
                    exceeded = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal replaced
            if exceeded:
                if not replaced:
                    replaced = True
                    await self._refuse(scope, receive, send)
                return
            await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(413, "too_large",
                          f"request body larger than {self.max_bytes} bytes; send smaller batches")
        await response(scope, receive, send)


_bearer = HTTPBearer(auto_error=False, description="The kiosk's token (kiosk-server admin kiosk create)")


def _validation_details(err: RequestValidationError) -> list[dict[str, Any]]:
    # Never echo the refused input back: it may be exactly the personal data we refuse to store.
    return [{"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type", ""),
             "msg": e.get("msg", "")} for e in err.errors()]


def create_app(settings: Settings, engine: Engine | None = None,
               run_migrations: bool = True) -> FastAPI:
    engine = engine if engine is not None else db.open_engine(db.database_url(settings))
    if run_migrations:
        db.migrate(engine)
    limiter = RateLimiter(settings.get("server.rate_limit_per_min"))
    retention_months: int = settings.get("server.retention_months")

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_retention_loop(engine, retention_months))
        try:
            yield
        finally:
            task.cancel()

    app = FastAPI(
        title="kiosk server", version=__version__, lifespan=lifespan,
        description="Anonymised statistics, heartbeats and help requests of kiosks.",
        openapi_url="/openapi.json", docs_url="/api/docs", redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.add_middleware(BodySizeLimit, max_bytes=settings.get("server.max_body_bytes"))

    # --- errors ------------------------------------------------------------------------------
    @app.exception_handler(ApiError)
    async def _api_error(_r: Request, err: ApiError) -> JSONResponse:
        return _error(err.status, err.code, err.message, err.details, err.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, err: RequestValidationError) -> JSONResponse:
        details = _validation_details(err)
        if any(d["type"] == "json_invalid" for d in details):
            return _error(400, "bad_json", "the body is not valid JSON", details)
        return _error(422, "invalid", "refused: the request does not follow the schema; "
                      "nothing of it was stored", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, err: StarletteHTTPException) -> JSONResponse:
        # FastAPI raises a bare 400 only when it cannot parse the body (e.g. nested too deep).
        codes = {404: "not_found", 405: "method_not_allowed", 400: "bad_json"}
        return _error(err.status_code, codes.get(err.status_code, "http_error"), str(err.detail))

    @app.exception_handler(Exception)
    async def _crash(_r: Request, err: Exception) -> JSONResponse:
        log.exception("unhandled error")
        if isinstance(err, sa.exc.OperationalError):
            return _error(503, "unavailable", "database unavailable, retry later",
                          headers={"Retry-After": "5"})
        return _error(500, "internal", "internal error; the request was not stored")

    # --- authentication and rate limit --------------------------------------------------------
    def kiosk_identity(request: Request,
                       creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                       ) -> KioskIdentity:
        client = request.client.host if request.client else "?"
        if creds is None or creds.scheme.lower() != "bearer":
            _limit(f"ip:{client}")
            raise ApiError(401, "unauthorized", "missing bearer token",
                           headers={"WWW-Authenticate": "Bearer"})
        with engine.connect() as conn:
            kiosk = authenticate(conn, creds.credentials)
        if kiosk is None:
            _limit(f"ip:{client}")
            raise ApiError(401, "unauthorized", "unknown or revoked token",
                           headers={"WWW-Authenticate": "Bearer"})
        _limit(f"kiosk:{kiosk.kiosk_id}")
        return kiosk

    def _limit(key: str) -> None:
        allowed, wait = limiter.allow(key)
        if not allowed:
            raise ApiError(429, "too_many_requests", "too many requests; slow down",
                           headers={"Retry-After": str(max(1, int(wait + 0.999)))})

    # (Depends as a default, not Annotated: annotations are strings here and kiosk_identity is
    # local to create_app, so FastAPI could not resolve an Annotated alias.)
    # --- endpoints -----------------------------------------------------------------------------
    responses: dict[int | str, dict[str, Any]] = {
        s: {"description": d} for s, d in ((400, "not JSON"), (401, "bad or revoked token"),
                                           (413, "body too large"), (422, "not in the schema"),
                                           (429, "rate limited"))}

    @app.get("/api/v1/health", tags=["kiosk"])
    def health() -> dict[str, Any]:
        """Liveness, and which record schema versions this server accepts."""
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            raise ApiError(503, "unavailable", "database unavailable") from None
        return {"status": "ok", "server_version": __version__,
                "schema_versions": list(SUPPORTED_SCHEMA_VERSIONS),
                "database": engine.dialect.name}

    @app.post("/api/v1/events", tags=["kiosk"], response_model=EventBatchReply,
              responses=responses)
    def post_events(batch: EventBatch,
                    kiosk: KioskIdentity = Depends(kiosk_identity)  # noqa: B008
                    ) -> Response:
        """A batch of anonymised session records; idempotent by ``event_id``. One refused record
        refuses the whole batch (422) and nothing of it is stored."""
        cutoff = retention.cutoff_day(dt.date.today(), retention_months)
        result = ingest(engine, kiosk, batch.records, not_before=cutoff)
        reply = EventBatchReply(accepted=[r.event_id for r in batch.records],
                                stored=result.stored, duplicates=result.duplicates)
        # Serialised by pydantic directly: FastAPI's generic encoder would walk 500 UUIDs in
        # Python on every batch. The documented response model stays EventBatchReply.
        return Response(reply.model_dump_json(), media_type="application/json")

    @app.post("/api/v1/heartbeat", tags=["kiosk"], response_model=HeartbeatReply,
              responses=responses)
    def post_heartbeat(hb: Heartbeat,
                       kiosk: KioskIdentity = Depends(kiosk_identity)  # noqa: B008
                    ) -> HeartbeatReply:
        """Live status of a kiosk; the reply carries pushed settings and pending commands."""
        with engine.begin() as conn:
            return live.record_heartbeat(conn, kiosk, hb)

    @app.post("/api/v1/help-requests", tags=["kiosk"], response_model=HelpRequestStatus,
              status_code=201, responses=responses)
    def post_help_request(req: HelpRequest,
                          kiosk: KioskIdentity = Depends(kiosk_identity)  # noqa: B008
                    ) -> HelpRequestStatus:
        """A resident asks for a mediator (idempotent by ``request_id``)."""
        try:
            with engine.begin() as conn:
                status = live.open_help_request(conn, kiosk, req)
        except TenancyError as err:
            raise ApiError(422, "invalid", str(err)) from None
        return HelpRequestStatus(request_id=req.request_id, status=status)

    @app.get("/api/v1/help-requests/{request_id}", tags=["kiosk"],
             response_model=HelpRequestStatus, responses=responses)
    def get_help_request(request_id: uuid.UUID,
                         kiosk: KioskIdentity = Depends(kiosk_identity)  # noqa: B008
                    ) -> HelpRequestStatus:
        """Status of one of this kiosk's help requests (poll)."""
        with engine.connect() as conn:
            found = live.help_statuses(conn, kiosk, [request_id])
        if not found:
            raise ApiError(404, "not_found", "no such help request for this kiosk")
        return found[0]

    from kiosk_server.console import mount as mount_console  # the web console, under /console
    mount_console(app, settings, engine)
    return app


async def _retention_loop(engine: Engine, months: int) -> None:
    while True:
        try:
            await run_in_threadpool(retention.purge, engine, months)
        except Exception:  # a failed purge is retried tomorrow; serving goes on
            log.exception("retention purge failed")
        await asyncio.sleep(RETENTION_EVERY_S)
