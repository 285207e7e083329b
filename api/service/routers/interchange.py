"""Files in and out of the service: portfolios uploaded as Excel workbooks or MS Project XML, plans
downloaded as a workbook, CSV, MS Project XML or iCalendar, the workbook template.

An upload is a ``multipart/form-data`` form with the file in ``file``, or the file as the raw body
with its media type; the format is told by content (a declared type that disagrees is an error).
Invalid files are 422s whose ``errors`` name the cell (``Requirements!D3``) or the MSPDI element,
as the JSON upload names JSON paths. Every plan is checked by the independent checker before it
is exported.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.interchange.commands import PinChoice
from api.interchange.detect import SNIFF_BYTES, FileFormat, sniff
from api.service.deps import CurrentWorkspace, ReadSession, WriteSession, nul_issues
from api.service.plans import verified_plan
from api.service.problems import ProblemError, invalid, problem_responses
from api.service.routers.portfolios import add_portfolio, add_version, portfolio_response
from api.service.schemas import ImportedPortfolioOut
from api.service.store import get_plan, get_portfolio, get_version
from model.load import InvalidInput, parse_portfolio
from model.portfolio import Portfolio
from model.rules import Issue

router = APIRouter(tags=["interchange"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_TYPE = "application/zip"
FORM_FIELD = "file"
# what a declared media type says the file holds (None: any format, told by content)
UPLOAD_TYPES: dict[str, FileFormat | None] = {
    XLSX_TYPE: FileFormat.xlsx,
    "application/xml": FileFormat.mspdi,
    "text/xml": FileFormat.mspdi,
    "application/json": FileFormat.json,
    "application/octet-stream": None,
}
FORMAT_WORDS = {
    FileFormat.xlsx: "an .xlsx workbook",
    FileFormat.mspdi: "XML",
    FileFormat.json: "JSON",
}


class PlanFormat(StrEnum):
    """The formats a plan is downloaded in (``xml`` is MS Project XML, as ``mspdi``)."""

    xlsx = "xlsx"
    csv = "csv"
    mspdi = "mspdi"
    xml = "xml"
    ics = "ics"


class Suffix(StrEnum):
    """The path suffixes of a plan's download."""

    xlsx = "xlsx"
    csv = "csv"
    xml = "xml"
    ics = "ics"


PLAN_MEDIA = {
    "xlsx": XLSX_TYPE,
    "csv": "text/csv; charset=utf-8",
    "mspdi": "application/xml",
    "ics": "text/calendar; charset=utf-8",
}
FILE_EXTENSIONS = {"xlsx": "xlsx", "mspdi": "xml"}


def _binary(media: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file: a form field `file`, or the raw body with its media type.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FORM_FIELD],
                    "properties": {FORM_FIELD: {"type": "string", "format": "binary"}},
                }
            },
            **{media: {"schema": {"type": "string", "format": "binary"}} for media in UPLOAD_TYPES},
        },
    }
}
PLAN_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The plan as a file (a zip of every CSV table or calendar without `table` or `person`)",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in (*dict.fromkeys(PLAN_MEDIA.values()), ZIP_TYPE)
        },
    },
    **problem_responses(401, 404, 409, 422),
}
PinsQuery = Query(
    default=PinChoice.all,
    description="MS Project: pin each scheduled start and the people, people only, or none.",
)
HorizonQuery = Query(default=None, description="MS Project: the last day of the planning horizon.")


def content_disposition(name: str) -> str:
    """An ``attachment`` header for ``name``: ASCII ``filename``, and ``filename*`` (RFC 6266) when
    the name is not ASCII."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    header = f'attachment; filename="{fallback}"'
    return header if fallback == name else f"{header}; filename*=UTF-8''{quote(name, safe='')}"


def _file_response(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": content_disposition(name)})


# --------------------------------------------------------------------------- uploads


async def _uploaded(request: Request) -> tuple[bytes, FileFormat | None, str]:
    """The uploaded file's bytes, the format its media type declares, and where errors point."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=8)
        upload = form.get(FORM_FIELD)
        if not isinstance(upload, UploadFile):
            raise invalid([Issue(FORM_FIELD, f"give the portfolio file in the form field `{FORM_FIELD}`")])
        declared = (upload.content_type or "").split(";", 1)[0].strip().lower()
        return await upload.read(), UPLOAD_TYPES.get(declared), FORM_FIELD
    if media not in UPLOAD_TYPES:
        accepted = ", ".join(["multipart/form-data", *UPLOAD_TYPES])
        raise ProblemError(415, f"cannot read a body of type '{media[:80]}': send one of {accepted}")
    return await request.body(), UPLOAD_TYPES[media], "body"


def read_upload(
    data: bytes, declared: FileFormat | None, where: str, pins: PinChoice, horizon_end: dt.date | None
) -> tuple[Portfolio, FileFormat, list[str]]:
    """The portfolio of an uploaded file, its format and what of it is not mapped.

    Raises
    ------
    ProblemError
        422 naming ``where`` (the form field or the body) for an empty file or one whose content is
        not what its media type declares; every problem of the file by cell, element or JSON path.
    """
    if not data:
        raise invalid([Issue(where, "the file is empty")])
    found = sniff(data[:SNIFF_BYTES])
    if declared is not None and declared != found:
        said, held = FORMAT_WORDS[declared], FORMAT_WORDS[found]
        raise invalid([Issue(where, f"the media type says {said} but the content is {held}")])
    notes: list[str] = []
    try:
        if found == FileFormat.mspdi:
            from api.interchange.mspdi_read import Pins as ReadPins
            from api.interchange.mspdi_read import read_portfolio_mspdi

            result = read_portfolio_mspdi(data, pins=ReadPins(pins.value), horizon_end=horizon_end)
            portfolio, notes = result.portfolio, result.notes
        elif found == FileFormat.xlsx:
            from api.interchange.xlsx_read import read_portfolio_xlsx

            portfolio = read_portfolio_xlsx(data)
        else:
            portfolio = parse_portfolio(data)
    except InvalidInput as exc:
        raise invalid([Issue(i.path or where, i.message) for i in exc.issues]) from None
    stored = nul_issues(portfolio.model_dump(mode="json"))  # no database column stores a NUL
    if stored:
        raise invalid(stored)
    return portfolio, found, notes


def _imported(found: FileFormat, notes: list[str]) -> dict[str, Any]:
    return {"format": found.value, "notes": notes}


@router.post(
    "/v1/portfolios/import",
    status_code=201,
    summary="Store a portfolio from an Excel workbook or MS Project XML (or JSON) file",
    response_model=ImportedPortfolioOut,
    responses=problem_responses(400, 401, 413, 415, 422),
    openapi_extra=UPLOAD_BODY,
)
async def import_portfolio(
    request: Request,
    workspace: CurrentWorkspace,
    session: WriteSession,
    pins: PinChoice = PinsQuery,
    horizon_end: dt.date | None = HorizonQuery,
) -> Response:
    """Read the file (format told by content), validate it as the CLI does and store it as version 1;
    422 lists every problem by cell (`Requirements!D3`), MS Project element or JSON path."""
    data, declared, where = await _uploaded(request)
    portfolio, found, notes = await run_in_threadpool(read_upload, data, declared, where, pins, horizon_end)

    def store() -> Response:
        record = add_portfolio(session, workspace.id, portfolio.model_dump(mode="json"))
        return portfolio_response(session, record, 201, _imported(found, notes))

    return await run_in_threadpool(store)


@router.put(
    "/v1/portfolios/{portfolio_id}/import",
    summary="Store a new version from an Excel workbook or MS Project XML (or JSON) file",
    response_model=ImportedPortfolioOut,
    responses=problem_responses(400, 401, 404, 413, 415, 422),
    openapi_extra=UPLOAD_BODY,
)
async def import_version(
    portfolio_id: str,
    request: Request,
    workspace: CurrentWorkspace,
    session: WriteSession,
    pins: PinChoice = PinsQuery,
    horizon_end: dt.date | None = HorizonQuery,
) -> Response:
    """As the import of a new portfolio, stored as the next version of this one (the old ones are kept)."""
    record = await run_in_threadpool(get_portfolio, session, workspace.id, portfolio_id)
    data, declared, where = await _uploaded(request)
    portfolio, found, notes = await run_in_threadpool(read_upload, data, declared, where, pins, horizon_end)

    def store() -> Response:
        add_version(session, record, portfolio.model_dump(mode="json"))
        return portfolio_response(session, record, 200, _imported(found, notes))

    return await run_in_threadpool(store)


# --------------------------------------------------------------------------- downloads


def _workbook(portfolio: Portfolio | None) -> bytes:
    from api.interchange.xlsx_write import portfolio_xlsx

    try:
        return portfolio_xlsx(portfolio)
    except InvalidInput as exc:
        raise ProblemError(409, "the portfolio cannot be written as a workbook", errors=exc.issues) from None


@router.get(
    "/v1/portfolios/{portfolio_id}/workbook",
    summary="A portfolio version as the Excel workbook",
    responses={**_binary(XLSX_TYPE, "The workbook"), **problem_responses(401, 404, 409, 422)},
)
def portfolio_workbook(
    portfolio_id: str,
    workspace: CurrentWorkspace,
    session: ReadSession,
    version: int | None = Query(default=None, ge=1, description="The version (default: the latest)."),
) -> Response:
    """The workbook `pmo export xlsx` writes, for the latest version or ``version``; it imports back
    as the same portfolio."""
    record = get_portfolio(session, workspace.id, portfolio_id)
    stored = get_version(session, record, version)
    data = _workbook(parse_portfolio(stored.data))
    return _file_response(data, XLSX_TYPE, f"portfolio-{record.id}-v{stored.number}.xlsx")


@router.get(
    "/v1/templates/portfolio.xlsx",
    summary="The portfolio workbook template",
    responses={**_binary(XLSX_TYPE, "The template"), **problem_responses(401, 422)},
)
def workbook_template(
    workspace: CurrentWorkspace,
    example: bool = Query(default=False, description="Filled with the small example instead of empty."),
) -> Response:
    """The workbook `pmo template` writes: every sheet with a notes row and validation lists."""
    from api.interchange.xlsx_write import template_xlsx

    name = "portfolio-example.xlsx" if example else "portfolio-template.xlsx"
    return _file_response(template_xlsx(example), XLSX_TYPE, name)


def plan_download(
    session: Session, workspace: str, plan_id: str, fmt: str, table: str | None, person: str | None
) -> Response:
    """A stored plan as a file of format ``fmt`` (``xlsx``, ``csv``, ``mspdi``, ``ics``), once the
    checker passed it; one CSV ``table`` or one ``person``'s calendar, else a zip of them all.

    Raises
    ------
    ProblemError
        404 for a plan the workspace does not have, 409 for one without assignments or that breaks
        a hard rule, 422 for an unknown table or person, or one given for another format.
    """
    from api.interchange.exports import UnknownPart, export_part, export_plan, zip_files

    record = get_plan(session, workspace, plan_id)
    misplaced = [
        Issue(name, f"only a {kind} download has a {name}")
        for name, kind, value in (("table", "csv", table), ("person", "ics", person))
        if value is not None and fmt != kind
    ]
    if misplaced:
        raise invalid(misplaced)
    portfolio, plan = verified_plan(session, record)
    if not plan.status.has_plan:
        raise ProblemError(409, f"the plan has no assignments to export (status {plan.status.value})")
    stem = f"plan-{record.id}"
    part = table if fmt == "csv" else person
    if part is not None:
        try:
            name, data = export_part(fmt, portfolio, plan, part)
        except UnknownPart as exc:
            raise invalid([Issue("table" if fmt == "csv" else "person", str(exc))]) from None
        return _file_response(data, PLAN_MEDIA[fmt], f"{stem}-{name}")
    files = export_plan(fmt, portfolio, plan)
    if fmt in FILE_EXTENSIONS:
        (data,) = files.values()
        return _file_response(data, PLAN_MEDIA[fmt], f"{stem}.{FILE_EXTENSIONS[fmt]}")
    return _file_response(zip_files(files), ZIP_TYPE, f"{stem}-{fmt}.zip")


TableQuery = Query(
    default=None,
    max_length=200,
    description="csv: one table (assignments, load, projects, late_projects, late_chains).",
)
PersonQuery = Query(default=None, max_length=1000, description="ics: one person's calendar (their id).")


@router.get(
    "/v1/plans/{plan_id}/export",
    summary="A plan as a workbook, CSV, MS Project XML or iCalendar (checked first)",
    responses=PLAN_DOWNLOAD,
)
def export_plan_as(
    plan_id: str,
    workspace: CurrentWorkspace,
    session: ReadSession,
    format: PlanFormat = Query(description="xlsx, csv, mspdi (or xml) or ics."),
    table: str | None = TableQuery,
    person: str | None = PersonQuery,
) -> Response:
    """The files `pmo export` writes: the plan workbook, CSV tables, MS Project XML, one calendar
    per person; the independent checker passes the plan first."""
    fmt = "mspdi" if format == PlanFormat.xml else format.value
    return plan_download(session, workspace.id, plan_id, fmt, table, person)


@router.get(
    "/v1/plans/{plan_id}/export.{suffix}",
    summary="A plan as a file named by its suffix (.xlsx, .csv, .xml, .ics)",
    responses=PLAN_DOWNLOAD,
)
def export_plan_by_suffix(
    plan_id: str,
    suffix: Suffix,
    workspace: CurrentWorkspace,
    session: ReadSession,
    table: str | None = TableQuery,
    person: str | None = PersonQuery,
) -> Response:
    """As ``/export?format=…``, the format given by the path's suffix (``.xml``: MS Project XML)."""
    fmt = "mspdi" if suffix == Suffix.xml else suffix.value
    return plan_download(session, workspace.id, plan_id, fmt, table, person)
