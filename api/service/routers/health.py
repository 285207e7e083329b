"""``/healthz`` (the process answers) and ``/readyz`` (database migrated and workers up)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from api.service.deps import DatabaseDep
from api.service.migrate import current_revision, head_revision
from api.service.problems import ProblemError, problem_responses
from api.service.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", response_model=Health)
def healthz() -> Health:
    """The web process answers."""
    return Health(status="ok")


@router.get("/readyz", summary="Readiness", response_model=Health, responses=problem_responses(503))
def readyz(request: Request, database: DatabaseDep) -> Health:
    """The database answers at the latest migration and the worker processes are up."""
    try:
        with database.read() as session:
            session.execute(text("SELECT 1"))
        revision = current_revision(database)
    except Exception:
        raise ProblemError(503, "the database does not answer") from None
    if revision != head_revision():
        raise ProblemError(503, f"the database is at revision {revision}, not {head_revision()}")
    alive = request.app.state.workers.alive()
    if alive == 0:
        raise ProblemError(503, "no worker process is running")
    return Health(status="ready", database=revision, workers=alive)
