"""The browser UI: its static page and scripts, and the chart data of plans and comparisons.

The page holds no secret and reads nothing by itself: every figure comes from the JSON API with
the API key the user types in (kept in the browser's localStorage), as any other client sends it.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from api.service.deps import CurrentWorkspace, ReadSession
from api.service.plans import verified_plan
from api.service.problems import not_found, problem_responses
from api.service.responses import json_response
from api.service.store import get_plan, get_run
from api.ui import static_text
from api.views.comparison_view import comparison_view
from api.views.plan_view import plan_view

router = APIRouter(tags=["ui"])
STATIC = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "charts.css": "text/css; charset=utf-8",
}
# the page runs only its own scripts and talks only to this server (the charts size elements inline)
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    """The UI lives under ``/ui/``."""
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui/", include_in_schema=False)
@router.get("/ui/{name}", include_in_schema=False)
async def static_file(name: str = "index.html") -> Response:
    """A file of the UI (only the files it ships)."""
    if name not in STATIC:
        raise not_found("file", name)
    text = await run_in_threadpool(static_text, name)
    return Response(text, media_type=STATIC[name], headers=PAGE_HEADERS)


@router.get(
    "/v1/views/plans/{plan_id}",
    summary="A plan's chart data (Gantt by person and by project, heatmaps, late projects, changes)",
    responses=problem_responses(401, 404, 409, 422),
)
def plan_chart_data(plan_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """The data the UI's plan page draws; the plan passes the independent checker first."""
    record = get_plan(session, workspace.id, plan_id)
    portfolio, plan = verified_plan(session, record)
    name = portfolio.name or "Portfolio"
    title = name if record.label in (name, "") else f"{name} — {record.label}"
    return json_response(plan_view(portfolio, plan, title=title))


@router.get(
    "/v1/views/runs/{run_id}/comparison",
    summary="A compare run's chart data (figures side by side, finish deltas, who moves where)",
    responses=problem_responses(401, 404, 422),
)
def comparison_chart_data(run_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """The data the UI's comparison page draws."""
    run = get_run(session, workspace.id, run_id)
    if run.kind != "compare" or run.result is None:
        raise not_found("comparison", f"of run {run_id} (ready when a compare run completes)")
    return json_response(comparison_view(run.result))
