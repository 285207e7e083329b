"""``/v1/plans``: the plans runs made, their check report, KPIs, explanation and changes."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from api.service.deps import CurrentWorkspace, ReadSession
from api.service.models import PlanRecord
from api.service.openapi import contract_response
from api.service.plans import plan_portfolio, stored_plan, verified_plan, violations_of
from api.service.problems import problem_responses
from api.service.responses import json_response
from api.service.schemas import CheckReport, PlanChanges, PlanSummary
from api.service.store import as_utc, get_plan, is_record_id, plan_target
from model.explanation import Explanation
from model.kpis import compute_kpis
from model.plan import Kpis

router = APIRouter(prefix="/v1/plans", tags=["plans"])
PLAN_RESPONSE = contract_response("Plan", "The plan (the contract's JSON)")


def _summary(session: ReadSession, record: PlanRecord) -> PlanSummary:
    target = plan_target(session, record)
    return PlanSummary(
        id=record.id,
        run=record.run_id,
        label=record.label,
        status=record.status,
        objective=record.objective,
        final=record.final,
        portfolio=target.portfolio_id,
        version=target.version,
        scenario=target.scenario_id,
        baseline=record.baseline_plan_id,
        created_at=as_utc(record.created_at),
        updated_at=as_utc(record.updated_at),
    )


@router.get("", summary="List plans", response_model=list[PlanSummary], responses=problem_responses(401, 422))
def list_plans(
    workspace: CurrentWorkspace,
    session: ReadSession,
    run: str | None = Query(default=None, max_length=200, description="Only the plans of this run."),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> list[PlanSummary]:
    """Plans of the workspace, newest first."""
    query = select(PlanRecord).where(PlanRecord.workspace_id == workspace.id)
    if run is not None:
        query = query.where(PlanRecord.run_id == (run if is_record_id(run) else None))
    rows = session.scalars(
        query.order_by(PlanRecord.created_at.desc(), PlanRecord.id).limit(limit).offset(offset)
    )
    return [_summary(session, r) for r in rows]


@router.get(
    "/{plan_id}",
    summary="A plan (checked before it is served)",
    responses={**PLAN_RESPONSE, **problem_responses(401, 404, 409, 422)},
)
def read_plan(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """The plan JSON, as `pmo solve -o` writes it; the independent checker passes it first."""
    record = get_plan(session, workspace.id, plan_id)
    verified_plan(session, record)
    return json_response(record.data)


@router.get(
    "/{plan_id}/summary",
    summary="What a plan was made for",
    response_model=PlanSummary,
    responses=problem_responses(401, 404, 422),
)
def read_plan_summary(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> PlanSummary:
    """The run, portfolio version (or scenario) and baseline of a plan."""
    return _summary(session, get_plan(session, workspace.id, plan_id))


@router.get(
    "/{plan_id}/check",
    summary="The checker's report",
    response_model=CheckReport,
    responses=problem_responses(401, 404, 422),
)
def check_stored_plan(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> CheckReport:
    """Every hard rule of the plan's portfolio, checked again by the independent checker."""
    record = get_plan(session, workspace.id, plan_id)
    broken = violations_of(plan_portfolio(session, record), stored_plan(record))
    return CheckReport(valid=not broken, violations=broken)


@router.get(
    "/{plan_id}/kpis",
    summary="The plan's KPIs",
    response_model=Kpis,
    responses=problem_responses(401, 404, 409, 422),
)
def plan_kpis(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Kpis:
    """Tardiness, late projects, makespan, cost and utilisation, computed from the plan and its portfolio."""
    portfolio, plan = verified_plan(session, get_plan(session, workspace.id, plan_id))
    return compute_kpis(portfolio, plan.assignments)


@router.get(
    "/{plan_id}/explanation",
    summary="Why the plan looks the way it does",
    response_model=Explanation,
    responses=problem_responses(401, 404, 409, 422),
)
def plan_explanation(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Explanation:
    """Bottlenecks, why late projects are late, slack, proposed projects (computed when not stored)."""
    portfolio, plan = verified_plan(session, get_plan(session, workspace.id, plan_id))
    if plan.explanation_detail is not None:
        return plan.explanation_detail
    from solver.analysis.explain import explain_plan  # the engine loads only when an explanation is computed

    return explain_plan(portfolio, plan)


@router.get(
    "/{plan_id}/changes",
    summary="Changes against the baseline",
    response_model=PlanChanges,
    responses=problem_responses(401, 404, 409, 422),
)
def plan_changes(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> PlanChanges:
    """What a replanned plan changed against the plan it replans (empty for other plans)."""
    record = get_plan(session, workspace.id, plan_id)
    _, plan = verified_plan(session, record)
    return PlanChanges(baseline=record.baseline_plan_id, changes=plan.changes)


@router.get(
    "/{plan_id}/portfolio",
    summary="The portfolio the plan was made for",
    responses={
        **contract_response("Portfolio", "The portfolio"),
        **problem_responses(401, 404, 422),
    },
)
def plan_made_for(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """Exactly the portfolio version (or the scenario's portfolio) the plan was made for."""
    record = get_plan(session, workspace.id, plan_id)
    return json_response(plan_portfolio(session, record).model_dump(mode="json"))
