"""The API's errors: every one is JSON ``{"error": code, "message": text, "details": [...]}``,
never a stack trace, and never an echo of what was refused.

A 422 names the *field path of the schema* (``body.records.0.hour``), never the sender's keys or
values: an unknown key or a free-form dictionary key is where personal data would hide, so it is
shown as ``*``.
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk_wire import schema

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 details: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details or [], headers or {}


def error_response(status: int, code: str, message: str,
                   details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "details": details or []},
                        status_code=status, headers=headers)


def _schema_field_names() -> frozenset[str]:
    names = {"body", "query", "path", "header"}
    for value in vars(schema).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(value.model_fields)
    return frozenset(names)


FIELD_NAMES = _schema_field_names()


def schema_path(loc: tuple[Any, ...] | list[Any]) -> list[str]:
    """A validation error's location with only the schema's own names and list indexes kept."""
    return [str(part) if isinstance(part, int) or part in FIELD_NAMES else "*" for part in loc]


def validation_details(err: RequestValidationError) -> list[dict[str, Any]]:
    # Never echo the refused input back: it may be exactly the personal data we refuse to store.
    return [{"loc": schema_path(e.get("loc", ())), "type": e.get("type", ""),
             "msg": e.get("msg", "") if e.get("type") != "extra_forbidden"
             else "unexpected field"} for e in err.errors()]


def install(app: FastAPI) -> None:
    """The API's exception handlers."""

    @app.exception_handler(ApiError)
    async def _api_error(_r: Request, err: ApiError) -> JSONResponse:
        return error_response(err.status, err.code, err.message, err.details, err.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, err: RequestValidationError) -> JSONResponse:
        details = validation_details(err)
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(400, "bad_json", "the body is not valid JSON", details)
        return error_response(422, "invalid", "refused: the request does not follow the "
                              "schema; nothing of it was stored", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, err: StarletteHTTPException) -> JSONResponse:
        # FastAPI raises a bare 400 only when it cannot parse the body (e.g. nested too deep).
        codes = {404: "not_found", 405: "method_not_allowed", 400: "bad_json"}
        return error_response(err.status_code, codes.get(err.status_code, "http_error"),
                              str(err.detail))

    @app.exception_handler(Exception)
    async def _crash(_r: Request, err: Exception) -> JSONResponse:
        log.exception("unhandled error")
        if isinstance(err, sa.exc.OperationalError):
            return error_response(503, "unavailable", "database unavailable, retry later",
                                  headers={"Retry-After": "5"})
        return error_response(500, "internal", "internal error; the request was not stored")
