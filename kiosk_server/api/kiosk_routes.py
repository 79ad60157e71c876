"""The kiosks' API under /api/v1 (module-level router): health, session records, heartbeats,
help requests, the site's signed catalogue bundle. Each endpoint authenticates the kiosk by
its bearer token, rate-limits it, checks its ids (kiosk_server.api.identifiers) and answers
JSON; one refused part refuses the whole request and nothing of it is stored."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, NoReturn

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kiosk_server import enrolment, live, quiet_heartbeat, retention
from kiosk_server.api import identifiers
from kiosk_server.api.errors import ApiError
from kiosk_server.ingest import ingest
from kiosk_server.procedures import bundles, parcours_store, store
from kiosk_server.quiet_heartbeat import KioskSnapshot
from kiosk_server.tenancy import KioskIdentity, TenancyError, authenticate, now
from kiosk_wire import __version__
from kiosk_wire.bundle import SignedBundle, level_of, seal
from kiosk_wire.catalogue import full_id_of
from kiosk_wire.schema import (
    SUPPORTED_SCHEMA_VERSIONS,
    EnrolmentReply,
    EnrolmentRequest,
    EventBatch,
    EventBatchReply,
    Heartbeat,
    HeartbeatReply,
    HelpRequest,
    HelpRequestStatus,
)

router = APIRouter(prefix="/api/v1", tags=["kiosk"])

_bearer = HTTPBearer(auto_error=False,
                     description="The kiosk's token (kiosk-server admin kiosk create)")

RESPONSES: dict[int | str, dict[str, Any]] = {
    s: {"description": d} for s, d in ((400, "not JSON"), (401, "bad or revoked token"),
                                       (413, "body too large"), (422, "not in the schema"),
                                       (429, "rate limited"))}


def _limit(request: Request, key: str) -> None:
    allowed, wait = request.app.state.limiter.allow(key)
    if not allowed:
        raise ApiError(429, "too_many_requests", "too many requests; slow down",
                       headers={"Retry-After": str(max(1, int(wait + 0.999)))})


def kiosk_identity(request: Request,
                   creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                   ) -> KioskIdentity:
    if creds is None or creds.scheme.lower() != "bearer":
        return _unauthorized(request, "missing bearer token")
    with request.app.state.engine.connect() as conn:
        kiosk = authenticate(conn, creds.credentials)
    if kiosk is None:
        return _unauthorized(request, "unknown or revoked token")
    _limit(request, f"kiosk:{kiosk.kiosk_id}")
    return kiosk


def _unauthorized(request: Request, message: str) -> NoReturn:
    """401, counted against the caller's address (tokens cannot be guessed at speed)."""
    _limit(request, f"ip:{request.client.host if request.client else '?'}")
    raise ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


Kiosk = Annotated[KioskIdentity, Depends(kiosk_identity)]


def _known(request: Request, *ids: str | None) -> frozenset[str]:
    """The procedure ids accepted from kiosks: the shipped and declared ones, and those
    written in the console (asked of the database only for an id outside the first), each
    with its short first-timer version's id (``<id>-courte``, kiosk.practice.variants)."""
    known: frozenset[str] = request.app.state.known_procedures
    missing = sorted({i for i in ids if i and i not in known})
    if not missing:
        return known
    with request.app.state.engine.connect() as conn:
        found = known | store.known_ids(conn, sorted({full_id_of(i) or i for i in missing}))
    return found | {i for i in missing if full_id_of(i) in found}


def _known_parcours(request: Request, *ids: str | None) -> frozenset[str]:
    """The parcours ids accepted from kiosks: the shipped and declared ones, and those written
    in the console (asked of the database only for an id outside the first)."""
    known: frozenset[str] = request.app.state.known_parcours
    missing = sorted({i for i in ids if i and i not in known})
    if not missing:
        return known
    with request.app.state.engine.connect() as conn:
        return known | parcours_store.known_ids(conn, missing)


def _refuse_if(problems: list[dict[str, object]]) -> None:
    if problems:
        raise ApiError(422, "invalid", "refused: an id or a date the server does not accept; "
                       "nothing of it was stored", problems)


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """Liveness, and which record schema versions this server accepts."""
    engine = request.app.state.engine
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        raise ApiError(503, "unavailable", "database unavailable") from None
    return {"status": "ok", "server_version": __version__,
            "schema_versions": list(SUPPORTED_SCHEMA_VERSIONS), "database": engine.dialect.name}


@router.post("/events", response_model=EventBatchReply, responses=RESPONSES)
def post_events(request: Request, batch: EventBatch, kiosk: Kiosk) -> Response:
    """A batch of anonymised session records; idempotent by ``event_id``. One refused record
    refuses the whole batch (422) and nothing of it is stored."""
    state = request.app.state
    today = dt.date.today()
    known = _known(request, *(a.procedure_id for r in batch.records for a in r.activities))
    _refuse_if(identifiers.batch_problems(batch, known, today,
                                          state.settings.get("server.clock_skew_days"),
                                          _known_parcours(request, *(
                                              a.parcours_id for r in batch.records
                                              for a in r.activities))))
    cutoff = retention.cutoff_day(today, state.settings.get("server.retention_months"))
    result = ingest(state.engine, kiosk, batch.records, not_before=cutoff)
    state.counters.ingested(result.stored)
    reply = EventBatchReply(accepted=[r.event_id for r in batch.records],
                            stored=result.stored, duplicates=result.duplicates)
    # Serialised by pydantic directly: FastAPI's generic encoder would walk 500 UUIDs in
    # Python on every batch. The documented response model stays EventBatchReply.
    return Response(reply.model_dump_json(), media_type="application/json")


def kiosk_snapshot(request: Request,
                   creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                   ) -> KioskSnapshot:
    """The heartbeat's authentication: the kiosk and what its reply needs, in one read
    (kiosk_server.quiet_heartbeat); refused as kiosk_identity refuses."""
    if creds is None or creds.scheme.lower() != "bearer":
        return _unauthorized(request, "missing bearer token")
    with request.app.state.engine.connect() as conn:
        snap = quiet_heartbeat.snapshot(conn, creds.credentials)
    if snap is None:
        return _unauthorized(request, "unknown or revoked token")
    _limit(request, f"kiosk:{snap.identity.kiosk_id}")
    return snap


# Empty fields are left out of the reply: a kiosk older than a field (pinned_version,
# catalogue_version...) then reads the reply it knows (its schema refuses unknown fields, even
# null ones).
@router.post("/heartbeat", response_model=HeartbeatReply, responses=RESPONSES)
def post_heartbeat(request: Request, hb: Heartbeat,
                   snap: Annotated[KioskSnapshot, Depends(kiosk_snapshot)]) -> Response:
    """Live status of a kiosk; the reply carries pushed settings and pending commands, and the
    catalogue version of its site to a kiosk that says which one it has. One that changes
    nothing is answered from the authentication's read, its time written in a batch."""
    _refuse_if(identifiers.heartbeat_problems(hb, _known(request, hb.procedure_id)))
    state = request.app.state
    heartbeat_s = state.settings.get("sync.heartbeat_s")
    at = now()
    kiosk = snap.identity
    reply = quiet_heartbeat.quiet_reply(snap, hb, at, live.offline_after(heartbeat_s),
                                        state.last_seen.latest(kiosk.kiosk_id))
    if reply is not None:
        state.last_seen.note(kiosk.kiosk_id, at)
    else:
        with state.engine.begin() as conn:
            reply = live.record_heartbeat(conn, kiosk, hb, heartbeat_s)
    state.counters.heartbeat()
    return Response(reply.model_dump_json(exclude_none=True), media_type="application/json")


@router.get("/catalogue", response_model=SignedBundle, responses=RESPONSES)
def get_catalogue(request: Request, kiosk: Kiosk,
                  level: Annotated[int | None, Query(ge=1, le=100)] = None) -> SignedBundle:
    """The kiosk's site's catalogue bundle (procedures published from the console, the
    site's order and, for a kiosk asking ``level=2``, its parcours), signed with the server's
    Ed25519 key (kiosk_wire.bundle). Without ``level`` (kiosks older than parcours in
    bundles): no parcours, which such a kiosk would refuse."""
    with request.app.state.engine.connect() as conn:
        bundle = bundles.build(conn, kiosk.site_id, kiosk.territory_id, level_of(level))
    state = request.app.state
    if getattr(state, "catalogue_seed", None) is None:
        state.catalogue_seed = bundles.signing_seed(state.settings)
    return seal(bundle, state.catalogue_seed)


@router.post("/enrol", response_model=EnrolmentReply,
             responses={**RESPONSES, 403: {"description": "enrolment token unknown, used or "
                                                          "expired (error code says which)"}})
def post_enrol(request: Request, asked: EnrolmentRequest) -> EnrolmentReply:
    """`kiosk setup` trades a one-time enrolment token (made in the console) for the kiosk's
    bearer token. No bearer token here: the enrolment token is the credential; every attempt
    counts against the caller's address, so tokens cannot be guessed at speed."""
    _limit(request, f"ip:{request.client.host if request.client else '?'}")
    try:
        with request.app.state.engine.begin() as conn:
            done = enrolment.redeem(conn, asked.enrolment_token)
    except enrolment.EnrolmentRefused as err:
        raise ApiError(403, err.reason.value, "enrolment token refused") from None
    return EnrolmentReply(kiosk_name=done.kiosk_name, site_name=done.site_name, token=done.token,
                          catalogue_public_key=bundles.public_key_hex(request.app.state.settings))


@router.post("/help-requests", response_model=HelpRequestStatus, status_code=201,
             responses=RESPONSES)
def post_help_request(request: Request, req: HelpRequest, kiosk: Kiosk) -> HelpRequestStatus:
    """A resident asks for a mediator (idempotent by ``request_id``)."""
    _refuse_if(identifiers.help_problems(req, _known(request, req.procedure_id)))
    try:
        with request.app.state.engine.begin() as conn:
            status = live.open_help_request(conn, kiosk, req)
    except TenancyError as err:
        raise ApiError(422, "invalid", str(err)) from None
    return HelpRequestStatus(request_id=req.request_id, status=status)


@router.post("/help-requests/{request_id}/cancel", response_model=HelpRequestStatus,
             responses=RESPONSES)
def cancel_help_request(request: Request, request_id: uuid.UUID, kiosk: Kiosk
                        ) -> HelpRequestStatus:
    """The resident cancelled the call at the kiosk: mediators no longer see it waiting.
    Idempotent; a request a mediator already closed keeps its status."""
    with request.app.state.engine.begin() as conn:
        live.cancel_help(conn, kiosk, request_id)
        found = live.help_statuses(conn, kiosk, [request_id])
    if not found:
        raise ApiError(404, "not_found", "no such help request for this kiosk")
    return found[0]


@router.get("/help-requests/{request_id}", response_model=HelpRequestStatus,
            responses=RESPONSES)
def get_help_request(request: Request, request_id: uuid.UUID, kiosk: Kiosk
                     ) -> HelpRequestStatus:
    """Status of one of this kiosk's help requests (poll)."""
    with request.app.state.engine.connect() as conn:
        found = live.help_statuses(conn, kiosk, [request_id])
    if not found:
        raise ApiError(404, "not_found", "no such help request for this kiosk")
    return found[0]
