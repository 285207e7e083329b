"""``/v1/scenarios``: a stored base (a portfolio version or a scenario) and the CLI's typed changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.deps import CurrentWorkspace, JsonBody, ReadSession, WriteSession
from api.service.examples import SCENARIO_CHANGES_EXAMPLE
from api.service.models import PortfolioVersion, ScenarioRecord, utcnow
from api.service.openapi import contract_response, json_request_body
from api.service.problems import invalid, problem_responses
from api.service.responses import json_response
from api.service.schemas import ScenarioBase, ScenarioOut
from api.service.store import as_utc, get_portfolio, get_scenario, get_version
from model.load import InvalidInput, parse_model, parse_portfolio
from model.rules import Issue
from model.scenario import apply_changes, parse_scenario

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])
BASE_FIELDS = ("portfolio", "version", "scenario")
SCENARIO_BODY = json_request_body(
    "ScenarioIn",
    {
        "hire": {
            "summary": "Hire a backend developer, rush the portal",
            "value": {"name": "hire", "portfolio": "PORTFOLIO_ID", "changes": SCENARIO_CHANGES_EXAMPLE},
        }
    },
)


def _base(data: Any) -> tuple[ScenarioBase, dict[str, Any]]:
    if not isinstance(data, dict):
        raise invalid([Issue("", "a scenario is a JSON object")])
    if "base" in data:
        raise invalid([Issue("base", "name the base by id: give `portfolio` (and `version`) or `scenario`")])
    base = parse_model(ScenarioBase, {k: data[k] for k in BASE_FIELDS if k in data})
    if (base.portfolio is None) == (base.scenario is None):
        raise invalid(
            [Issue("portfolio", "give exactly one base: `portfolio` (and `version`) or `scenario`")]
        )
    if base.version is not None and base.portfolio is None:
        raise invalid([Issue("version", "a version belongs with `portfolio`")])
    return base, {k: v for k, v in data.items() if k not in BASE_FIELDS}


def _out(record: ScenarioRecord, base: ScenarioBase) -> ScenarioOut:
    return ScenarioOut(
        id=record.id,
        name=record.name,
        description=record.description,
        base=base,
        changes=record.changes,
        created_at=as_utc(record.created_at),
        portfolio=f"/v1/scenarios/{record.id}/portfolio",
    )


def _stored_base(session: Session, record: ScenarioRecord) -> ScenarioBase:
    if record.base_scenario_id is not None:
        return ScenarioBase(scenario=record.base_scenario_id)
    version = session.get(PortfolioVersion, record.base_version_id)
    assert version is not None
    return ScenarioBase(portfolio=version.portfolio_id, version=version.number)


@router.post(
    "",
    status_code=201,
    summary="Store a scenario (its changes applied and validated)",
    response_model=ScenarioOut,
    responses=problem_responses(401, 404, 413, 422),
    openapi_extra=SCENARIO_BODY,
)
def create_scenario(workspace: CurrentWorkspace, session: WriteSession, data: JsonBody) -> Response:
    """Apply the changes to the base; 422 names the change and path of every problem, as the CLI does."""
    base, rest = _base(data)
    scenario = parse_scenario(rest)
    version_id = base_scenario_id = None
    if base.portfolio is not None:
        version = get_version(session, get_portfolio(session, workspace.id, base.portfolio), base.version)
        start, version_id = version.data, version.id
        base = ScenarioBase(portfolio=base.portfolio, version=version.number)
    else:
        assert base.scenario is not None
        parent = get_scenario(session, workspace.id, base.scenario)
        start, base_scenario_id = parent.applied, parent.id
    try:
        applied = apply_changes(parse_portfolio(start), scenario.changes)
    except InvalidInput as exc:
        raise invalid(exc.issues) from None
    record = ScenarioRecord(
        workspace_id=workspace.id,
        name=scenario.name,
        description=scenario.description,
        base_version_id=version_id,
        base_scenario_id=base_scenario_id,
        changes=list(rest.get("changes") or []),
        applied=applied.model_dump(mode="json"),
    )
    session.add(record)
    session.commit()
    return json_response(_out(record, base), 201, {"Location": f"/v1/scenarios/{record.id}"})


@router.get(
    "", summary="List scenarios", response_model=list[ScenarioOut], responses=problem_responses(401, 422)
)
def list_scenarios(
    workspace: CurrentWorkspace,
    session: ReadSession,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> list[ScenarioOut]:
    """Live scenarios of the workspace, newest first."""
    rows = session.scalars(
        select(ScenarioRecord)
        .where(ScenarioRecord.workspace_id == workspace.id, ScenarioRecord.deleted_at.is_(None))
        .order_by(ScenarioRecord.created_at.desc(), ScenarioRecord.id)
        .limit(limit)
        .offset(offset)
    )
    return [_out(r, _stored_base(session, r)) for r in rows]


@router.get(
    "/{scenario_id}",
    summary="A scenario",
    response_model=ScenarioOut,
    responses=problem_responses(401, 404, 422),
)
def read_scenario(scenario_id: str, workspace: CurrentWorkspace, session: ReadSession) -> ScenarioOut:
    """The scenario's base and changes."""
    record = get_scenario(session, workspace.id, scenario_id)
    return _out(record, _stored_base(session, record))


@router.get(
    "/{scenario_id}/portfolio",
    summary="The scenario's portfolio (its changes applied)",
    responses={
        **contract_response("Portfolio", "The portfolio"),
        **problem_responses(401, 404, 422),
    },
)
def scenario_portfolio(scenario_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """The portfolio the scenario's changes give, in the contract's JSON."""
    return json_response(get_scenario(session, workspace.id, scenario_id).applied)


@router.delete(
    "/{scenario_id}", status_code=204, summary="Delete a scenario", responses=problem_responses(401, 404, 422)
)
def delete_scenario(scenario_id: str, workspace: CurrentWorkspace, session: WriteSession) -> Response:
    """Remove the scenario from the workspace (plans made for it keep their portfolio)."""
    record = get_scenario(session, workspace.id, scenario_id)
    record.deleted_at = utcnow()
    session.commit()
    return Response(status_code=204)
