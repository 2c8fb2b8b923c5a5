"""RFC 9457 problem responses for every error the API returns."""

from __future__ import annotations

import logging
from http import HTTPStatus

import psycopg
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.app.core import problem_json
from backend.app.core.problem_json import MEDIA_TYPE, TYPE_BASE
from backend.app.services.errors import DomainError

__all__ = ["MEDIA_TYPE", "TYPE_BASE", "install", "problem"]


def problem(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    slug: str,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    body = problem_json.document(
        status=status, slug=slug, title=title, detail=detail, instance=request.url.path, **extra
    )
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> JSONResponse:
        return problem(
            request,
            status=error.status,
            title=error.title,
            detail=error.detail,
            slug=error.slug,
            headers=error.headers(),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        return problem(
            request, status=422, title="Invalid request", detail=detail, slug="invalid-request", errors=errors
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    @app.exception_handler(psycopg.DataError)  # the asyncio point reads (core/async_rows.py)
    async def _out_of_range(request: Request, error: Exception) -> JSONResponse:
        """A value the database cannot hold (an id beyond 64 bits on SQLite, a number out of range on PostgreSQL)."""
        logging.getLogger("jiedan.api").info("value out of range on %s: %s", request.url.path, error)
        return problem(
            request,
            status=422,
            title="Invalid request",
            detail="a value in this request is out of the range the server can store or look up",
            slug="invalid-request",
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        logging.getLogger("jiedan.api").exception("unhandled error on %s", request.url.path, exc_info=error)
        return problem(
            request, status=500, title="Internal error", detail="the server failed; it was logged", slug="internal"
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(psycopg.OperationalError)  # the asyncio point reads (core/async_rows.py)
    @app.exception_handler(psycopg_pool.PoolTimeout)
    async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
        """The database dropped the connection or is saturated: the transaction was rolled back (or never began)."""
        logging.getLogger("jiedan.api").warning("database unavailable on %s: %s", request.url.path, error)
        response = problem(
            request,
            status=503,
            title="Database unavailable",
            detail="the database could not complete the request; try again shortly",
            slug="database-unavailable",
        )
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        title = HTTPStatus(error.status_code).phrase
        return problem(
            request,
            status=error.status_code,
            title=title,
            detail=str(error.detail),
            slug=title.lower().replace(" ", "-"),
        )
