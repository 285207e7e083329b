"""``/v1/runs``: solves, comparisons and replans, queued in the database and run by worker processes."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.service import runs
from api.service.db import Database
from api.service.deps import CurrentWorkspace, DatabaseDep, JsonBody, ReadSession, SettingsDep, WriteSession
from api.service.examples import COMPARE_EXAMPLE, REPLAN_EXAMPLE, SOLVE_EXAMPLE, SWEEP_EXAMPLE
from api.service.models import RunEvent, RunRecord, Workspace
from api.service.openapi import json_request_body
from api.service.problems import ProblemError, not_found, problem_responses
from api.service.responses import json_response
from api.service.schemas import RunOut, RunState
from api.service.store import get_run
from api.service.submission import parse_run, request_digest, resolve_targets, total_time_limit

router = APIRouter(prefix="/v1/runs", tags=["runs"])
RETRY_AFTER_SECONDS = 1
QUOTA_RETRY_SECONDS = 5
EVENT_POLL_SECONDS = 0.2
KEEP_ALIVE_SECONDS = 15.0
RUN_BODY = json_request_body(
    "RunIn",
    {
        "solve": {"summary": "A staffing plan", "value": SOLVE_EXAMPLE},
        "compare": {"summary": "What-if scenarios side by side", "value": COMPARE_EXAMPLE},
        "replan": {"summary": "Replan from the plan being executed", "value": REPLAN_EXAMPLE},
        "sweep": {"summary": "A grid of what-if changes, ranked", "value": SWEEP_EXAMPLE},
    },
)
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying with the same key and body returns the same run; another body is a 422.",
    ),
]
LastEventId = Annotated[
    str | None, Header(alias="Last-Event-ID", max_length=40, description="Resume after this event.")
]


def _accepted(session: Session, run: RunRecord, *, replayed: bool = False) -> Response:
    headers = {"Location": runs.run_path(run.id), "Retry-After": str(RETRY_AFTER_SECONDS)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(runs.run_out(session, run), 202, headers)


def _replay(session: Session, workspace: str, key: str, digest: str) -> RunRecord | None:
    found = session.scalar(
        select(RunRecord).where(RunRecord.workspace_id == workspace, RunRecord.idempotency_key == key)
    )
    if found is not None and found.request_hash != digest:
        raise ProblemError(
            422, "this Idempotency-Key was used with another body: use a new key for a new run"
        )
    return found


@router.post(
    "",
    status_code=202,
    summary="Submit a run (solve, compare, replan or sweep)",
    response_model=RunOut,
    responses={
        202: {"description": "Queued; poll `Location` (or follow its events)", "model": RunOut},
        **problem_responses(401, 404, 409, 413, 422, 429),
    },
    openapi_extra=RUN_BODY,
)
def submit_run(
    request: Request,
    workspace: CurrentWorkspace,
    session: WriteSession,
    settings: SettingsDep,
    data: JsonBody,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Queue a run; 202 with `Location` and `Retry-After`. 429 when the workspace has its quota of runs
    queued or running."""
    body = parse_run(data, settings)
    digest = request_digest(data)
    if idempotency_key:
        existing = _replay(session, workspace.id, idempotency_key, digest)
        if existing is not None:
            return _accepted(session, existing, replayed=True)
    targets = resolve_targets(session, workspace.id, body, settings)
    session.get(Workspace, workspace.id, with_for_update=True)  # one submission per workspace at a time
    if runs.active_runs(session, workspace.id) >= settings.workspace_run_quota:
        raise ProblemError(
            429,
            f"this workspace already has {settings.workspace_run_quota} run(s) queued or running",
            headers={"Retry-After": str(QUOTA_RETRY_SECONDS)},
        )
    run = RunRecord(
        workspace_id=workspace.id,
        kind=body.kind,
        state=runs.QUEUED,
        request=data,
        request_hash=digest,
        idempotency_key=idempotency_key or None,
        targets=targets,
        time_limit=total_time_limit(body, targets),
        event_seq=0,
    )
    session.add(run)
    runs.add_event(session, run, runs.QUEUED)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        if not idempotency_key:
            raise
        # the same key was committed by a concurrent request meanwhile
        existing = _replay(session, workspace.id, idempotency_key, digest)
        if existing is None:
            raise ProblemError(409, "a request with this Idempotency-Key is still being processed") from None
        return _accepted(session, existing, replayed=True)
    request.app.state.workers.wake()
    return _accepted(session, run)


@router.get("", summary="List runs", response_model=list[RunOut], responses=problem_responses(401, 422))
def list_runs(
    workspace: CurrentWorkspace,
    session: ReadSession,
    state: Annotated[RunState | None, Query(description="Only runs in this state.")] = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> list[RunOut]:
    """Runs of the workspace, newest first."""
    query = select(RunRecord).where(RunRecord.workspace_id == workspace.id)
    if state is not None:
        query = query.where(RunRecord.state == state)
    rows = session.scalars(
        query.order_by(RunRecord.created_at.desc(), RunRecord.id).limit(limit).offset(offset)
    )
    return [runs.run_out(session, r) for r in rows]


@router.get("/{run_id}", summary="A run", response_model=RunOut, responses=problem_responses(401, 404, 422))
def read_run(run_id: str, workspace: CurrentWorkspace, session: ReadSession) -> RunOut:
    """State, objective, bound, gap in words, time to first plan and the path of the best plan so far."""
    return runs.run_out(session, get_run(session, workspace.id, run_id))


@router.get(
    "/{run_id}/comparison",
    summary="The comparison of a completed compare run",
    responses={
        200: {
            "description": "Scenarios side by side",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **problem_responses(401, 404, 422),
    },
)
def read_comparison(run_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """Statuses, figures and deltas, projects and people side by side (the CLI's `compare --json`)."""
    run = get_run(session, workspace.id, run_id)
    if run.kind != "compare" or run.result is None:  # a sweep's result is its ranking (/sweep)
        raise not_found("comparison", f"of run {run_id} (ready when a compare run completes)")
    return json_response(run.result)


@router.get(
    "/{run_id}/sweep",
    summary="The ranked scenarios of a sweep run",
    responses={
        200: {
            "description": "Scenarios best first: rank, changes, status, figures, deltas against the baseline",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **problem_responses(401, 404, 422),
    },
)
def read_sweep(run_id: str, workspace: CurrentWorkspace, session: ReadSession) -> Response:
    """The CLI's `sweep --json`: every scenario solved (a stopped sweep: those finished and the running ones'
    best plans), ranked; each scenario's plan is in the run's `plans` under its name."""
    run = get_run(session, workspace.id, run_id)
    if run.kind != "sweep" or run.result is None:
        raise not_found("sweep", f"of run {run_id} (ready when a sweep run ends)")
    return json_response(run.result)


def _request_cancel(database: Database, workspace: str, run_id: str) -> str:
    with database.write() as session:
        run = get_run(session, workspace, run_id, for_update=True)
        if run.state == runs.QUEUED:
            runs.finish(session, run, runs.CANCELLED, "cancelled before it started")
        elif run.state == runs.RUNNING:
            run.cancel_requested = True
        session.commit()
        return run.state


def _run_state(database: Database, workspace: str, run_id: str) -> tuple[str, RunOut]:
    with database.read() as session:
        run = get_run(session, workspace, run_id)
        return run.state, runs.run_out(session, run)


@router.delete(
    "/{run_id}",
    summary="Stop a run (its best plan so far is kept)",
    response_model=RunOut,
    responses={202: {"description": "Still stopping", "model": RunOut}, **problem_responses(401, 404, 422)},
)
async def cancel_run(
    run_id: str, workspace: CurrentWorkspace, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """Ask the run to stop; answers once it is final (200), or 202 if it is still stopping after a few seconds."""
    await run_in_threadpool(_request_cancel, database, workspace.id, run_id)
    ends = time.monotonic() + settings.cancel_wait
    while True:
        state, shown = await run_in_threadpool(_run_state, database, workspace.id, run_id)
        if state in runs.TERMINAL or time.monotonic() >= ends:
            break
        await anyio.sleep(0.02)
    if state in runs.TERMINAL:
        return json_response(shown)
    return json_response(
        shown, 202, {"Location": runs.run_path(run_id), "Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def _latest_event(database: Database, run_id: str, after: int) -> tuple[RunEvent | None, str, int]:
    with database.read() as session:
        run = session.get(RunRecord, run_id)
        assert run is not None
        event = session.scalar(
            select(RunEvent)
            .where(RunEvent.run_id == run_id, RunEvent.seq > after)
            .order_by(RunEvent.seq.desc())
            .limit(1)
        )
        return event, run.state, run.event_seq


def _sse(event: RunEvent) -> str:
    return f"id: {event.seq}\nevent: {event.kind}\ndata: {json.dumps(event.data, separators=(',', ':'))}\n\n"


async def _event_stream(
    request: Request, database: Database, run_id: str, after: int, interval: float
) -> AsyncIterator[str]:
    sent, last_sent, last_beat = after, -float("inf"), time.monotonic()
    while True:
        if await request.is_disconnected():
            return
        event, state, seq = await run_in_threadpool(_latest_event, database, run_id, sent)
        now = time.monotonic()
        if event is not None and now - last_sent >= interval:
            yield _sse(event)
            sent, last_sent, last_beat = event.seq, now, now
            continue
        if event is None and state in runs.TERMINAL and sent >= seq:
            return
        if now - last_beat >= KEEP_ALIVE_SECONDS:
            yield ": keep-alive\n\n"
            last_beat = now
        await anyio.sleep(EVENT_POLL_SECONDS if event is None else max(0.0, interval - (now - last_sent)))


def _resume_after(last_event_id: str | None) -> int:
    if last_event_id is None or not last_event_id.strip().isdigit():
        return 0
    return min(int(last_event_id.strip()), 2**31 - 1)


@router.get(
    "/{run_id}/events",
    summary="The run's events (server-sent events, at most one a second)",
    responses={
        200: {
            "description": "`text/event-stream`: each event has an `id:` (send it back as `Last-Event-ID` to resume) "
            "and carries the run's state and figures; the stream ends at a final state.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **problem_responses(401, 404, 422),
    },
)
async def run_events(
    run_id: str,
    request: Request,
    workspace: CurrentWorkspace,
    database: DatabaseDep,
    settings: SettingsDep,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """Follow a run: an event whenever its state or figures changed, at most one a second."""
    await run_in_threadpool(_run_state, database, workspace.id, run_id)
    stream = _event_stream(request, database, run_id, _resume_after(last_event_id), settings.event_interval)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
