"""Errors as RFC 9457 problem details (``application/problem+json``), never a stack trace.

Invalid input is a 422 whose ``errors`` list the same path-precise problems as the CLI
(:class:`model.rules.Issue` as ``{path, message}``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from model.load import InvalidInput, capped, format_loc
from model.plan import ErrorItem
from model.rules import Issue

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("pmo.service")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem (the HTTP reason phrase).")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(default=None, description="What went wrong this time, in words.")
    instance: str | None = Field(default=None, description="The path of the request.")
    errors: list[ErrorItem] | None = Field(
        default=None, description="Invalid input: every problem with its JSON path, as the CLI reports them."
    )


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem body."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: Sequence[Issue] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


def not_found(what: str, ident: str) -> ProblemError:
    """A 404 for ``what`` (``portfolio``, ``run`` …) ``ident``, in this workspace or not at all."""
    return ProblemError(404, f"no {what} '{ident[:80]}' in this workspace")


def invalid(issues: Sequence[Issue]) -> ProblemError:
    """A 422 listing ``issues``."""
    issues = capped(list(issues))
    return ProblemError(422, f"invalid input ({len(issues)} problem(s))", errors=issues)


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: Sequence[Issue] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=[ErrorItem(path=i.path, message=i.message) for i in errors] or None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def _request_issues(exc: RequestValidationError) -> list[Issue]:
    issues = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if isinstance(p, (str, int))]
        where = loc[0] if loc else ""
        path = format_loc(loc[1:]) if where == "body" else format_loc(loc)
        issues.append(Issue(path, str(err.get("msg", "invalid")).removeprefix("Value error, ")))
    return issues


def install_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem body."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, instance=request.url.path, errors=exc.errors, headers=exc.headers
        )

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        error = invalid(exc.issues)
        return problem_response(422, error.detail, instance=request.url.path, errors=error.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        error = invalid(_request_issues(exc))
        return problem_response(422, error.detail, instance=request.url.path, errors=error.errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
            else None
        )
        return problem_response(exc.status_code, detail, instance=request.url.path, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, "an unexpected error; it has been logged", instance=request.url.path)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of the problem answers an operation may give."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
