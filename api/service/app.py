"""The FastAPI application: routers, problem answers, the body cap, migrations and workers in its lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from api.service import runs
from api.service.body_limit import BodyLimit
from api.service.db import Database
from api.service.migrate import upgrade
from api.service.openapi import install_openapi
from api.service.problems import install_handlers
from api.service.routers import check, health, interchange, plans, portfolios, risk, scenarios, ui
from api.service.routers import runs as run_routes
from api.service.routers import status as status_routes
from api.service.settings import Settings
from api.service.workers import WorkerPool
from api.usage import package_version

log = logging.getLogger("pmo.service")
DESCRIPTION = """Verified staffing plans for a portfolio of projects, over HTTP.

Store a **portfolio** (validated as `pmo solve` validates a file: a 422 lists every problem with its
JSON path), describe **scenarios** (what-if changes to a stored version), submit **runs** (`solve`,
`compare`, `replan`: 202, then poll `Location` or follow its server-sent events) and read the
**plans** they make, each checked by the independent checker before it is stored or served.

Every request but the health checks needs an API key (`pmo keys create`) in `X-API-Key` or
`Authorization: Bearer`; a workspace sees only its own records.
"""
TAGS = [
    {"name": "portfolios", "description": "Portfolios, every version kept."},
    {"name": "scenarios", "description": "What-if changes to a stored portfolio version or scenario."},
    {"name": "runs", "description": "Solves, comparisons and replans, run by worker processes."},
    {"name": "plans", "description": "Plans, their check, KPIs, explanation and changes."},
    {"name": "check", "description": "Check any plan against a stored portfolio."},
    {"name": "interchange", "description": "Portfolios from Excel and MS Project files; plans as files."},
    {"name": "health", "description": "Liveness and readiness."},
    {"name": "ui", "description": "Chart data of plans and comparisons, as the browser UI at `/ui/` draws."},
]


def start_database(database: Database) -> int:
    """Migrate ``database`` to the latest revision and mark the runs a stopped server left running
    as ``interrupted`` (they keep their last stored plan).

    Returns
    -------
    int
        How many runs were interrupted.
    """
    upgrade(database)
    with database.write() as session:
        return runs.interrupt_running(session)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for ``settings`` (default: read from ``PMO_*`` environment variables).

    The database is migrated and the workers start when the application starts (its lifespan);
    they stop with it.
    """
    settings = settings or Settings()
    database = Database(settings.database_url)
    workers = WorkerPool(database, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        interrupted = await run_in_threadpool(start_database, database)
        if interrupted:
            log.warning("%d run(s) were running when the server last stopped: now interrupted", interrupted)
        await run_in_threadpool(
            workers.start
        )  # the first start waits for the forkserver to import the engine
        try:
            yield
        finally:
            await run_in_threadpool(workers.stop)
            database.dispose()

    app = FastAPI(
        title="pmo-planner",
        version=package_version(),
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.workers = workers
    install_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    for module in (portfolios, scenarios, run_routes, plans, risk, status_routes, check, health, ui, interchange):
        app.include_router(module.router)
    install_openapi(app)
    return app
