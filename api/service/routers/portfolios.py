"""``/v1/portfolios``: validated portfolios, every version kept (a plan points at the version it was made for)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.deps import CurrentWorkspace, JsonBody, ReadSession, WriteSession
from api.service.examples import PORTFOLIO_EXAMPLE
from api.service.models import PortfolioRecord, PortfolioVersion, utcnow
from api.service.openapi import contract_response, json_request_body
from api.service.problems import problem_responses
from api.service.responses import json_response
from api.service.schemas import PortfolioOut, PortfolioSummary, VersionSummary
from api.service.store import as_utc, get_portfolio, get_version
from model.load import parse_portfolio

router = APIRouter(prefix="/v1/portfolios", tags=["portfolios"])
PORTFOLIO_BODY = json_request_body(
    "Portfolio", {"small": {"summary": "Two projects, three people", "value": PORTFOLIO_EXAMPLE}}
)
Limit = Query(default=100, ge=1, le=1000, description="Most items returned.")
Offset = Query(default=0, ge=0, le=10**9, description="Items skipped.")


def _summary(record: PortfolioRecord) -> PortfolioSummary:
    return PortfolioSummary(
        id=record.id,
        name=record.name,
        version=record.latest_version,
        created_at=as_utc(record.created_at),
        updated_at=as_utc(record.updated_at),
    )


def portfolio_response(
    session: Session, record: PortfolioRecord, status: int = 200, extra: dict[str, Any] | None = None
) -> Response:
    """The answer of a stored portfolio: its summary, version numbers and latest version (and
    ``extra`` fields); 201 carries ``Location``."""
    version = get_version(session, record)
    numbers = session.scalars(
        select(PortfolioVersion.number)
        .where(PortfolioVersion.portfolio_id == record.id)
        .order_by(PortfolioVersion.number)
    ).all()
    body: dict[str, Any] = {
        **_summary(record).model_dump(mode="json"),
        "versions": list(numbers),
        "portfolio": version.data,
        **(extra or {}),
    }
    headers = {"Location": f"/v1/portfolios/{record.id}"} if status == 201 else {}
    return json_response(body, status, headers)


def _document(data: Any) -> tuple[str, dict[str, Any]]:
    portfolio = parse_portfolio(data)  # the CLI's validation: schema, limits, look-alikes, every rule
    return portfolio.name or "portfolio", portfolio.model_dump(mode="json")


def add_portfolio(session: Session, workspace_id: str, data: Any) -> PortfolioRecord:
    """Validate ``data`` and store it as version 1 of a new portfolio of the workspace; commits.

    Raises
    ------
    model.load.InvalidInput
        With every problem and its JSON path.
    """
    name, document = _document(data)
    record = PortfolioRecord(workspace_id=workspace_id, name=name, latest_version=1)
    session.add(record)
    session.flush()
    session.add(PortfolioVersion(portfolio_id=record.id, number=1, data=document))
    session.commit()
    return record


def add_version(session: Session, record: PortfolioRecord, data: Any) -> None:
    """Validate ``data`` and store it as the next version of ``record``; commits.

    Raises
    ------
    model.load.InvalidInput
        With every problem and its JSON path.
    """
    name, document = _document(data)
    record.latest_version += 1
    record.name = name
    record.updated_at = utcnow()
    session.add(PortfolioVersion(portfolio_id=record.id, number=record.latest_version, data=document))
    session.commit()


@router.post(
    "",
    status_code=201,
    summary="Store a portfolio (validated as the CLI validates a file)",
    response_model=PortfolioOut,
    responses=problem_responses(401, 413, 422),
    openapi_extra=PORTFOLIO_BODY,
)
def create_portfolio(workspace: CurrentWorkspace, session: WriteSession, data: JsonBody) -> Response:
    """Validate and store a portfolio as version 1; 422 lists every problem with its JSON path."""
    return portfolio_response(session, add_portfolio(session, workspace.id, data), 201)


@router.get(
    "",
    summary="List portfolios",
    response_model=list[PortfolioSummary],
    responses=problem_responses(401, 422),
)
def list_portfolios(
    workspace: CurrentWorkspace, session: ReadSession, limit: int = Limit, offset: int = Offset
) -> list[PortfolioSummary]:
    """Live portfolios of the workspace, newest first."""
    rows = session.scalars(
        select(PortfolioRecord)
        .where(PortfolioRecord.workspace_id == workspace.id, PortfolioRecord.deleted_at.is_(None))
        .order_by(PortfolioRecord.created_at.desc(), PortfolioRecord.id)
        .limit(limit)
        .offset(offset)
    )
    return [_summary(r) for r in rows]


@router.get(
    "/{portfolio_id}",
    summary="A portfolio with its latest version",
    response_model=PortfolioOut,
    responses=problem_responses(401, 404, 422),
)
def read_portfolio(portfolio_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """The portfolio's metadata, its version numbers and its latest version."""
    return portfolio_response(session, get_portfolio(session, workspace.id, portfolio_id))


@router.put(
    "/{portfolio_id}",
    summary="Store a new version (the old ones are kept)",
    response_model=PortfolioOut,
    responses=problem_responses(401, 404, 413, 422),
    openapi_extra=PORTFOLIO_BODY,
)
def update_portfolio(
    portfolio_id: str, workspace: CurrentWorkspace, session: WriteSession, data: JsonBody
) -> Response:
    """Validate the new content and store it as the next version."""
    record = get_portfolio(session, workspace.id, portfolio_id)
    add_version(session, record, data)
    return portfolio_response(session, record)


@router.delete(
    "/{portfolio_id}",
    status_code=204,
    summary="Delete a portfolio",
    responses=problem_responses(401, 404, 422),
)
def delete_portfolio(portfolio_id: str, workspace: CurrentWorkspace, session: WriteSession) -> Response:
    """Remove the portfolio from the workspace; the versions stay for the plans made for them."""
    record = get_portfolio(session, workspace.id, portfolio_id)
    record.deleted_at = utcnow()
    session.commit()
    return Response(status_code=204)


@router.get(
    "/{portfolio_id}/versions",
    summary="The versions of a portfolio",
    response_model=list[VersionSummary],
    responses=problem_responses(401, 404, 422),
)
def list_versions(
    portfolio_id: str, workspace: CurrentWorkspace, session: ReadSession
) -> list[VersionSummary]:
    """Every version kept, oldest first."""
    record = get_portfolio(session, workspace.id, portfolio_id)
    rows = session.execute(
        select(PortfolioVersion.number, PortfolioVersion.created_at)
        .where(PortfolioVersion.portfolio_id == record.id)
        .order_by(PortfolioVersion.number)
    )
    return [VersionSummary(number=n, created_at=as_utc(at)) for n, at in rows]


@router.get(
    "/{portfolio_id}/versions/{number}",
    summary="One version of a portfolio (the contract's JSON)",
    responses={
        **contract_response("Portfolio", "The portfolio"),
        **problem_responses(401, 404, 422),
    },
)
def read_version(
    portfolio_id: str, number: int, workspace: CurrentWorkspace, session: ReadSession
) -> Response:
    """The portfolio exactly as stored at that version."""
    record = get_portfolio(session, workspace.id, portfolio_id)
    return json_response(get_version(session, record, number).data)
