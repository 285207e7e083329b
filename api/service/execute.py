"""What a worker process does: take runs from the database queue and execute them.

Each run stores levelling's plan as soon as it exists and its final plan at the end; a thread
watching it stores the figures of every improvement (objective, bound: the engine's progress
callback carries no plan), at most once per ``progress_interval``, and stops the solve through
the engine's :class:`~solver.stop.StopRequest` when the run is cancelled, the server shuts down
or the run was taken from this worker. A worker writes to a run only while the run is
``running`` under its token.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import Any

from sqlalchemy import select

from api.budget import AFTER_SEARCH_SECONDS, AFTER_SEARCH_SECONDS_PER_TASK, MIN_SEARCH_SHARE
from api.service import runs
from api.service.db import Database
from api.service.models import PlanRecord, RunRecord, utcnow
from api.service.schemas import ReplanRunIn, SweepRunIn
from api.service.settings import Settings
from api.service.store import Target, target_data
from model.assemble import assemble_plan
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from solver.convert import to_assignments
from solver.planning.compare import compare_plans
from solver.planning.disruption import DisruptionWeights
from solver.planning.replan import ReplanRequest, replan
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import Progress, best_levelling, solve
from solver.stop import StopRequest

log = logging.getLogger("pmo.worker")
CANCELLED_BY_CLIENT = "cancel request"
SERVER_SHUTDOWN = "server shutdown"
RUN_LOST = "run taken from this worker"


class RunLost(Exception):
    """The run is no longer this worker's (the server restarted and marked it interrupted)."""


def server_alive() -> bool:
    """Whether the web process that started this worker still runs (a worker never outlives it)."""
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


def worker_main(
    database_url: str, token_prefix: str, settings: Settings, wake: Event, shutdown: Event
) -> None:
    """A worker process: claim queued runs one at a time until ``shutdown`` is set.

    Parameters
    ----------
    database_url
        The service's database.
    token_prefix
        Identifies this worker's slot; the process id completes its token.
    settings
        The service's settings.
    wake
        Set by the web process when a run is submitted.
    shutdown
        Set when the server stops: the running solve stops and its run becomes ``interrupted``.
    """
    for signum in (
        signal.SIGINT,
        signal.SIGTERM,
    ):  # sent to the whole group: the server stops its workers itself
        signal.signal(signum, signal.SIG_IGN)
    token = f"{token_prefix}:{os.getpid()}"
    database = Database(database_url)
    try:
        while not shutdown.is_set() and server_alive():
            run_id = _next_run(database, token)
            if run_id is None:
                if wake.wait(settings.queue_poll_interval):
                    wake.clear()
                continue
            RunExecution(database, run_id, token, settings, shutdown).execute()
    finally:
        database.dispose()


def _next_run(database: Database, token: str) -> str | None:
    with database.read() as session:
        waiting = session.scalar(select(RunRecord.id).where(RunRecord.state == runs.QUEUED).limit(1))
    if waiting is None:  # most looks find nothing: they take no write lock
        return None
    with database.write() as session:
        return runs.claim_next(session, token)


@dataclass
class _Figures:
    objective: float | None = None
    bound: float | None = None
    changed: bool = False


class Monitor:
    """Watches a running run from a thread: cancel requests, shutdown, and improvements to store."""

    def __init__(self, execution: RunExecution) -> None:
        self.execution = execution
        self.figures = _Figures()
        self.lost = False
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="run-monitor", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def close(self) -> None:
        """Stop watching (pending figures are stored with the run's end)."""
        self._closed.set()
        self._thread.join()

    def report(self, progress: Progress) -> None:
        """The solve's progress callback: keep the latest figures for the next store."""
        with self._lock:
            if progress.objective is not None:
                self.figures.objective = progress.objective
            if progress.bound is not None:
                self.figures.bound = max(progress.bound, self.figures.bound or -float("inf"))
            self.figures.changed = True

    def _watch(self) -> None:
        execution = self.execution
        settings = execution.settings
        stored = time.monotonic()
        while not self._closed.wait(settings.cancel_poll_interval):
            if not server_alive():
                os._exit(1)  # the server is gone: the next one marks this run interrupted
            try:
                self._look()
                if time.monotonic() - stored >= settings.progress_interval:
                    stored = time.monotonic()
                    self.store_figures()
            except RunLost:
                self.lost = True
                execution.stop.request(RUN_LOST)
            except Exception:  # a database hiccup must not end the watch: the next look retries
                log.exception("watching run %s", execution.run_id)

    def _look(self) -> None:
        execution = self.execution
        if execution.shutdown.is_set():
            execution.stop.request(SERVER_SHUTDOWN)
        with execution.database.read() as session:
            row = session.execute(
                select(RunRecord.state, RunRecord.worker, RunRecord.cancel_requested).where(
                    RunRecord.id == execution.run_id
                )
            ).first()
        if row is None or row.state != runs.RUNNING or row.worker != execution.token:
            raise RunLost
        if row.cancel_requested:
            execution.stop.request(CANCELLED_BY_CLIENT)

    def discard_figures(self) -> None:
        """Forget figures not stored yet: the final plan about to be stored carries the final ones."""
        with self._lock:
            self.figures.changed = False

    def store_figures(self) -> None:
        """Store the latest improvement as an event of the run, if there is a new one."""
        with self._lock:
            if not self.figures.changed:
                return
            objective, bound = self.figures.objective, self.figures.bound
            self.figures.changed = False
        with self.execution.owned_run() as (session, run):
            if objective is not None:
                run.objective = objective
            if bound is not None:
                run.bound = bound
            runs.add_event(session, run, "progress")
            session.commit()


class RunExecution:
    """One run in this worker: load what it plans, solve, store its plans and its end."""

    def __init__(
        self, database: Database, run_id: str, token: str, settings: Settings, shutdown: Event
    ) -> None:
        self.database = database
        self.run_id = run_id
        self.token = token
        self.settings = settings
        self.shutdown = shutdown
        self.stop = StopRequest()
        self.began = time.monotonic()
        with database.read() as session:
            run = session.get(RunRecord, run_id)
            assert run is not None
            self.kind = run.kind
            self.request: dict[str, Any] = dict(run.request)
            self.targets: list[dict[str, Any]] = list(run.targets)
        self.monitor = Monitor(self)

    # ------------------------------------------------------------------ lifecycle

    def execute(self) -> None:
        """Run to the end and store the outcome; never raises (a failure fails the run)."""
        runners: dict[str, Callable[[], tuple[str, str | None]]] = {
            "solve": self._solve,
            "compare": self._compare,
            "replan": self._replan,
            "sweep": self._sweep,
        }
        self.monitor.start()
        try:
            state, message = runners[self.kind]()
            self._finish(state, message)
        except RunLost:
            log.warning("run %s was taken from this worker; nothing more is stored", self.run_id)
        except Exception as exc:
            log.exception("run %s failed", self.run_id)
            with contextlib.suppress(RunLost):
                self._finish(
                    runs.FAILED, f"internal error ({type(exc).__name__}); the best plan so far is kept"
                )
        finally:
            self.monitor.close()

    @contextlib.contextmanager
    def owned_run(self) -> Any:
        """A writing session and the run's row, while the run is still this worker's."""
        with self.database.write() as session:
            run = session.get(RunRecord, self.run_id, with_for_update=True)
            if run is None or run.state != runs.RUNNING or run.worker != self.token:
                raise RunLost
            yield session, run

    def _finish(self, state: str, message: str | None) -> None:
        self.monitor.close()
        with self.owned_run() as (session, run):
            runs.finish(session, run, state, message)
            session.commit()

    def _check_lost(self) -> None:
        if self.monitor.lost:
            raise RunLost

    def _stopped_state(self) -> tuple[str, str] | None:
        if not self.stop.requested:
            return None
        if self.stop.reason == CANCELLED_BY_CLIENT:
            return runs.CANCELLED, "cancelled; the best plan found so far is kept"
        if self.stop.reason == SERVER_SHUTDOWN:
            return runs.INTERRUPTED, runs.INTERRUPTED_MESSAGE
        raise RunLost

    # ------------------------------------------------------------------ inputs

    def _portfolio(self, target: dict[str, Any]) -> Portfolio:
        with self.database.read() as session:
            return parse_portfolio(target_data(session, Target.from_json(target)))

    def _solver_settings(self, began: float, portfolio: Portfolio) -> SolverSettings:
        """The request's settings, the time limit counting from ``began`` (as the CLI's does from its start)."""
        settings = SolverSettings.model_validate({**self.request.get("settings", {}), "log": False})
        if settings.deterministic:
            return settings
        tasks = sum(len(p.tasks) for p in portfolio.projects)
        after = AFTER_SEARCH_SECONDS + AFTER_SEARCH_SECONDS_PER_TASK * tasks
        left = settings.time_limit - (time.monotonic() - began) - after
        return settings.model_copy(update={"time_limit": max(MIN_SEARCH_SHARE * settings.time_limit, left)})

    # ------------------------------------------------------------------ plans

    def _store_plan(
        self,
        target: dict[str, Any],
        portfolio: Portfolio,
        plan: Plan,
        *,
        final: bool,
        primary: bool = True,
    ) -> None:
        """Store ``plan`` as the target's plan of this run, once the independent checker passed it."""
        if plan.status.has_plan and check_plan(portfolio, plan):
            log.error("run %s: a plan broke the checker and was not stored", self.run_id)
            return
        with self.owned_run() as (session, run):
            record = session.scalar(
                select(PlanRecord).where(PlanRecord.run_id == run.id, PlanRecord.label == target["label"])
            )
            if record is not None and PlanStatus(record.status).has_plan and not plan.status.has_plan:
                return  # a result without a plan never replaces a stored plan
            if record is None:
                record = PlanRecord(
                    workspace_id=run.workspace_id,
                    run_id=run.id,
                    label=target["label"],
                    portfolio_version_id=target.get("version_id"),
                    scenario_id=target.get("scenario"),
                    baseline_plan_id=target.get("baseline_plan"),
                    status=plan.status.value,
                    data={},
                )
                session.add(record)
            record.status = plan.status.value
            record.objective = plan.objective
            record.final = final
            record.data = plan.model_dump(mode="json")
            record.updated_at = utcnow()
            session.flush()
            if primary:
                run.plan_id = record.id
                run.objective = plan.objective
                if plan.lower_bound is not None:
                    run.bound = plan.lower_bound
                if run.first_plan_seconds is None and plan.status.has_plan:
                    run.first_plan_seconds = round(time.monotonic() - self.began, 3)
            runs.add_event(session, run, "plan")
            session.commit()

    def _first_plan(self, target: dict[str, Any], portfolio: Portfolio, began: float, primary: bool) -> None:
        """Store levelling's plan at once: the run has a valid plan to keep from its first second."""
        problem = compile_problem(portfolio)
        result, value, _ = best_levelling(problem, stop=self.stop)
        if value is None or not result.complete:
            return
        plan = assemble_plan(
            portfolio,
            to_assignments(problem, result.placements.values()),
            PlanStatus.feasible,
            solve_seconds=time.monotonic() - began,
            stats={"method": "levelling", "first_plan_seconds": round(time.monotonic() - began, 3)},
        )
        self._store_plan(target, portfolio, plan, final=False, primary=primary)

    def _solve_target(self, target: dict[str, Any], portfolio: Portfolio, primary: bool = True) -> Plan:
        began = time.monotonic()
        if not self.stop.requested:
            self._first_plan(target, portfolio, began, primary)
        settings = self._solver_settings(began, portfolio)
        plan = solve(portfolio, settings, progress=self.monitor.report if primary else None, stop=self.stop)
        self._check_lost()
        self.monitor.discard_figures()
        self._store_plan(target, portfolio, plan, final=True, primary=primary)
        return plan

    # ------------------------------------------------------------------ kinds

    def _outcome(self, plan: Plan) -> tuple[str, str | None]:
        stopped = self._stopped_state()
        if stopped is not None:
            return stopped
        if plan.status.has_plan:
            return runs.COMPLETED, None
        why = "; ".join(plan.explanation[:3]) or None
        if plan.status == PlanStatus.infeasible:
            return runs.INFEASIBLE, why
        return runs.FAILED, f"no plan found within the time limit{': ' + why if why else ''}"

    def _solve(self) -> tuple[str, str | None]:
        target = self.targets[0]
        return self._outcome(self._solve_target(target, self._portfolio(target)))

    def _compare(self) -> tuple[str, str | None]:
        began = time.monotonic()
        portfolios: dict[str, Portfolio] = {}
        plans: dict[str, Plan] = {}
        for k, target in enumerate(self.targets):
            if self.stop.requested:
                break
            portfolio = self._portfolio(target)
            portfolios[target["label"]] = portfolio
            plans[target["label"]] = self._solve_target(target, portfolio, primary=k == 0)
        stopped = self._stopped_state()
        if stopped is not None:
            return stopped
        comparison = compare_plans(
            portfolios, plans, parallel=1, wall_seconds=round(time.monotonic() - began, 3)
        )
        with self.owned_run() as (session, run):
            run.result = comparison.model_dump(mode="json")
            session.commit()
        return runs.COMPLETED, None

    def _sweep(self) -> tuple[str, str | None]:
        """Solve every scenario of the grid (resolved at submission) on the configured backend, store each
        plan as it ends (label: the scenario's name) and the ranked results at the end."""
        from api.backends import close_backend, make_backend
        from api.sweep import BASE_NAME, SweepScenario, parse_rank_by, run_sweep

        body = SweepRunIn.model_validate(self.request)
        targets = {t["label"]: t for t in self.targets}
        scenarios = [
            SweepScenario(t["label"], t.get("changes", []), self._portfolio(t)) for t in self.targets
        ]
        portfolios = {s.name: s.portfolio for s in scenarios}
        settings = SolverSettings.model_validate({**self.request.get("settings", {}), "log": False})

        def store(name: str, plan: Plan) -> None:
            self._check_lost()
            self._store_plan(targets[name], portfolios[name], plan, final=True, primary=name == BASE_NAME)

        backend = make_backend(
            self.settings.run_backend, self.settings.ray_address, "run_backend", self.settings.ray_auth_token
        )
        try:
            result = run_sweep(
                scenarios,
                settings,
                backend,
                parallel=body.parallel,
                rank_by=parse_rank_by(body.rank_by, "rank_by"),
                stop=self.stop,
                on_done=store,
            )
        finally:
            close_backend(backend)
        self._check_lost()
        with self.owned_run() as (session, run):
            run.result = result.model_dump(mode="json")
            session.commit()
        stopped = self._stopped_state()
        if stopped is not None:
            return stopped
        if not any(row.has_plan for row in result.scenarios):
            return runs.FAILED, "no scenario has a plan"
        return runs.COMPLETED, None

    def _replan(self) -> tuple[str, str | None]:
        body = ReplanRunIn.model_validate(self.request)
        target = self.targets[0]
        portfolio = self._portfolio(target)
        with self.database.read() as session:
            record = session.get(PlanRecord, target["baseline_plan"])
            assert record is not None
            baseline = Plan.model_validate(record.data)
        request = ReplanRequest(
            as_of=body.as_of,
            freeze_until=body.freeze_until,
            max_changes=body.max_changes,
            weights=DisruptionWeights(body.move_weight, body.shift_weight, body.people_weight),
        )
        began = time.monotonic()
        plan = replan(
            portfolio,
            baseline,
            request,
            self._solver_settings(began, portfolio),
            self.monitor.report,
            self.stop,
        )
        self._check_lost()
        self.monitor.discard_figures()
        self._store_plan(target, portfolio, plan, final=True)
        return self._outcome(plan)
