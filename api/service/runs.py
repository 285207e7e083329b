"""A run's life: its states, its numbered events and how it is shown.

Only the worker that claimed a run (its ``worker`` token) writes its progress; a run whose
token no longer matches was taken from that worker (the server restarted) and it stops.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.service.models import PlanRecord, RunEvent, RunRecord, utcnow
from api.service.schemas import RunOut, RunTarget
from api.service.store import as_utc

QUEUED = "queued"
RUNNING = "running"
COMPLETED = "completed"
INFEASIBLE = "infeasible"
CANCELLED = "cancelled"
FAILED = "failed"
INTERRUPTED = "interrupted"
ACTIVE = frozenset({QUEUED, RUNNING})
TERMINAL = frozenset({COMPLETED, INFEASIBLE, CANCELLED, FAILED, INTERRUPTED})
INTERRUPTED_MESSAGE = "the server stopped during this run; its last stored plan is kept"


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective − bound) / objective, from 0 (None until both are known)."""
    if objective is None or bound is None:
        return None
    if objective == 0:
        return 0.0
    return max(0.0, (objective - bound) / abs(objective))


def gap_text(objective: float | None, bound: float | None) -> str:
    """How far the best plan may be from the best possible, in PMO words."""
    gap = relative_gap(objective, bound)
    if objective is None:
        return "no plan yet"
    if gap is None:
        return "a plan, not yet measured against a bound"
    if gap <= 1e-9:
        return "the best possible plan: proven optimal"
    return f"at most {100 * gap:.1f} % above the best possible plan (lower bound {bound:,.0f})"


def _seconds(later: dt.datetime | None, earlier: dt.datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return round((as_utc(later) - as_utc(earlier)).total_seconds(), 3)


def plan_path(plan_id: str) -> str:
    """The API path of a plan."""
    return f"/v1/plans/{plan_id}"


def run_path(run_id: str) -> str:
    """The API path of a run."""
    return f"/v1/runs/{run_id}"


def run_plans(session: Session, run_id: str) -> dict[str, str]:
    """Label → path of every plan of a run."""
    rows = session.execute(
        select(PlanRecord.label, PlanRecord.id)
        .where(PlanRecord.run_id == run_id)
        .order_by(PlanRecord.created_at)
    ).all()
    return {label: plan_path(pid) for label, pid in rows}


def _result_path(run: RunRecord, name: str) -> str | None:
    """Where a run's result is served, once it has one."""
    return f"{run_path(run.id)}/{name}" if run.result is not None else None


def run_out(session: Session, run: RunRecord) -> RunOut:
    """How a run is shown."""
    targets = [
        RunTarget(
            label=t["label"],
            portfolio=t.get("portfolio"),
            version=t.get("version"),
            scenario=t.get("scenario"),
        )
        for t in run.targets
    ]
    baseline = next((t.get("baseline_plan") for t in run.targets if t.get("baseline_plan")), None)
    return RunOut(
        id=run.id,
        kind=run.kind,  # type: ignore[arg-type]
        state=run.state,  # type: ignore[arg-type]
        created_at=as_utc(run.created_at),
        started_at=as_utc(run.started_at) if run.started_at else None,
        finished_at=as_utc(run.finished_at) if run.finished_at else None,
        objective=run.objective,
        bound=run.bound,
        gap=relative_gap(run.objective, run.bound),
        gap_text=gap_text(run.objective, run.bound),
        queued_seconds=_seconds(run.started_at, run.created_at),
        first_plan_seconds=run.first_plan_seconds,
        plan=plan_path(run.plan_id) if run.plan_id else None,
        plans=run_plans(session, run.id),
        comparison=_result_path(run, "comparison") if run.kind != "sweep" else None,
        sweep=_result_path(run, "sweep") if run.kind == "sweep" else None,
        events=f"{run_path(run.id)}/events",
        message=run.message,
        targets=targets,
        baseline=baseline,
        request=run.request,
    )


def snapshot(run: RunRecord) -> dict[str, Any]:
    """What an event of ``run`` carries: its state and figures at that moment."""
    return {
        "run": run.id,
        "state": run.state,
        "objective": run.objective,
        "bound": run.bound,
        "gap": relative_gap(run.objective, run.bound),
        "gap_text": gap_text(run.objective, run.bound),
        "first_plan_seconds": run.first_plan_seconds,
        "plan": plan_path(run.plan_id) if run.plan_id else None,
        "message": run.message,
    }


def add_event(session: Session, run: RunRecord, kind: str) -> None:
    """Number and store an event of ``run`` as it is now (the caller holds its row and commits)."""
    if run.id is None:
        session.flush()  # a new run gets its id
    run.event_seq += 1
    session.add(RunEvent(run_id=run.id, seq=run.event_seq, kind=kind, data=snapshot(run)))


def finish(session: Session, run: RunRecord, state: str, message: str | None = None) -> None:
    """Put ``run`` in a final state and store that event (the caller commits)."""
    run.state = state
    run.finished_at = utcnow()
    if message is not None:
        run.message = message
    add_event(session, run, state)


def active_runs(session: Session, workspace: str) -> int:
    """Runs of ``workspace`` queued or running."""
    return (
        session.scalar(
            select(func.count())
            .select_from(RunRecord)
            .where(RunRecord.workspace_id == workspace, RunRecord.state.in_(ACTIVE))
        )
        or 0
    )


def interrupt_running(session: Session, message: str = INTERRUPTED_MESSAGE, worker: str | None = None) -> int:
    """Mark running runs ``interrupted`` (those of one ``worker`` token, or all); commits.

    Returns
    -------
    int
        How many runs were interrupted.
    """
    return _end_running(session, INTERRUPTED, message, worker)


def fail_running(session: Session, worker: str, message: str) -> int:
    """Mark the running runs of ``worker`` ``failed`` (their stored plans are kept); commits."""
    return _end_running(session, FAILED, message, worker)


def _end_running(session: Session, state: str, message: str, worker: str | None) -> int:
    query = select(RunRecord).where(RunRecord.state == RUNNING).with_for_update()
    if worker is not None:
        query = query.where(RunRecord.worker == worker)
    runs = list(session.scalars(query))
    for run in runs:
        finish(session, run, state, message)
    session.commit()
    return len(runs)


def claim_next(session: Session, worker: str) -> str | None:
    """Take the oldest queued run for ``worker`` (skipping rows other workers hold on PostgreSQL); commits.

    Returns
    -------
    str or None
        The run's id, or None when the queue is empty.
    """
    candidate = session.scalar(
        select(RunRecord.id)
        .where(RunRecord.state == QUEUED)
        .order_by(RunRecord.created_at, RunRecord.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if candidate is None:
        session.rollback()
        return None
    claimed = session.execute(
        update(RunRecord)
        .where(RunRecord.id == candidate, RunRecord.state == QUEUED)
        .values(state=RUNNING, worker=worker, started_at=utcnow())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return None
    run = session.get(RunRecord, candidate)
    assert run is not None
    session.refresh(run)
    add_event(session, run, RUNNING)
    session.commit()
    return candidate
