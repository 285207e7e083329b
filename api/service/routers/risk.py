"""``/v1/plans/{id}/risk``: the schedule risk of a stored plan (as ``pmo risk --json`` prints it)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.service.deps import CurrentWorkspace, ReadSession
from api.service.plans import verified_plan
from api.service.problems import problem_responses
from api.service.store import get_plan
from model.risk import DEFAULT_SAMPLES, RiskReport, StartPolicy, analyse_risk

router = APIRouter(prefix="/v1/plans", tags=["plans"])
MAX_SERVICE_SAMPLES = 100_000  # one request computes in its own thread: keep it to seconds


@router.get(
    "/{plan_id}/risk",
    summary="The plan's schedule risk",
    response_model=RiskReport,
    responses=problem_responses(401, 404, 409, 422),
)
def plan_risk(
    plan_id: str,
    workspace: CurrentWorkspace,
    session: ReadSession,
    samples: int = Query(
        default=DEFAULT_SAMPLES, ge=1, le=MAX_SERVICE_SAMPLES, description="Sampled schedules."
    ),
    seed: int = Query(default=0, ge=0, le=2**63 - 1, description="Random seed (same seed, same figures)."),
    policy: StartPolicy = Query(
        default=StartPolicy.planned,
        description="`planned`: no task starts before its planned start; `earliest`: as soon as it can.",
    ),
) -> RiskReport:
    """A Monte Carlo simulation of the plan with its people and their order of work kept: per project
    P(on time), P(by deadline), P50, P80 and the S-curve of its finish; per task its criticality;
    per person how often they are on the chain behind a late finish. The checker passes the plan first;
    a plan without assignments is a 422."""
    portfolio, plan = verified_plan(session, get_plan(session, workspace.id, plan_id))
    return analyse_risk(portfolio, plan, samples, seed, policy)
