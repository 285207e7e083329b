"""``/v1/plans/{id}/status``: progress of a stored plan against posted actuals (as ``pmo status --json``)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.service.deps import CurrentWorkspace, ReadSession
from api.service.plans import verified_plan
from api.service.problems import problem_responses
from api.service.store import get_plan
from model.actuals import Actuals, StatusReport, actuals_issues, status_report
from model.load import InvalidInput

router = APIRouter(prefix="/v1/plans", tags=["plans"])
MAX_STATUS_SECONDS = 30.0  # the replan runs in the request's own thread: keep it to seconds


@router.post(
    "/{plan_id}/status",
    summary="Progress of the plan against actuals",
    response_model=StatusReport,
    responses=problem_responses(400, 401, 404, 409, 422),
)
def plan_status(
    plan_id: str,
    actuals: Actuals,
    workspace: CurrentWorkspace,
    session: ReadSession,
    time_limit: float = Query(default=5.0, gt=0, le=MAX_STATUS_SECONDS, description="Seconds for the replan."),
) -> StatusReport:
    """The stored plan is the baseline and the body the status update: per project the baseline and
    forecast finish (the remaining work replanned around the actuals), slip, PV, EV and SPI; the tasks
    late to start or finish; the tasks and people that add most slip. Bad actuals are a 422 naming
    their path (``tasks[0].actual_start``)."""
    from solver.planning.actuals import replan_from_actuals
    from solver.settings import SolverSettings

    portfolio, baseline = verified_plan(session, get_plan(session, workspace.id, plan_id))
    issues = actuals_issues(portfolio, baseline, actuals)
    if issues:
        raise InvalidInput(issues)
    settings = SolverSettings(time_limit=time_limit)
    _, forecast = replan_from_actuals(portfolio, baseline, actuals, deadlines=False, settings=settings)
    return status_report(portfolio, baseline, actuals, forecast)
