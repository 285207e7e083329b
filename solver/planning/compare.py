"""Solve several what-if portfolios and compare them side by side with the first (the baseline).

:func:`compare` solves every portfolio (several at a time, within the core budget)
and returns a :class:`Comparison`: per scenario its status, objective and KPIs with
their deltas against the baseline; per project its finish and lateness in each
scenario; per person what they work on in each scenario against the baseline
(who moves to what) and their utilisation. Everything is plain pydantic data:
``comparison.model_dump(mode="json")`` is JSON-ready. :func:`compare_plans` builds
the same from plans solved elsewhere.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.plan import Plan, PlanStatus, ProjectResult
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve

__all__ = [
    "Comparison",
    "Figures",
    "PersonCell",
    "PersonRow",
    "ProjectCell",
    "ProjectRow",
    "ScenarioOutcome",
    "compare",
    "compare_plans",
    "parallel_solves",
    "solve_all",
]

DoneCallback = Callable[[str, Plan], None]
"""Called with the scenario name and its plan as each solve ends."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Figures(_Data):
    """Headline figures of one plan (or, as a delta, scenario minus baseline)."""

    objective: float | None = Field(default=None, description="Objective value (lower is better).")
    weighted_tardiness: int = Field(default=0, description="Σ priority × late working days.")
    late_projects: int = Field(default=0, description="Scheduled projects finishing after their due date.")
    late_days: int = Field(default=0, description="Σ late working days.")
    makespan_days: int = Field(
        default=0, description="Working days from the horizon start to the last finish."
    )
    total_cost: float = Field(default=0, description="Σ person-day cost.")
    mean_utilisation: float = Field(default=0, description="Mean over people of their utilisation (0…1).")
    left_out: int = Field(default=0, description="Proposed projects left out of the plan.")

    @classmethod
    def of(cls, plan: Plan) -> Figures:
        """The figures of a plan that has assignments."""
        k = plan.kpis
        util = list(k.utilisation.values())
        return cls(
            objective=plan.objective,
            weighted_tardiness=k.weighted_tardiness,
            late_projects=k.late_projects,
            late_days=k.late_days,
            makespan_days=k.makespan_days,
            total_cost=k.total_cost,
            mean_utilisation=round(sum(util) / len(util), 4) if util else 0.0,
            left_out=len(plan.unscheduled_projects),
        )

    def minus(self, other: Figures) -> Figures:
        """``self − other``, field by field (objective ``None`` if either is)."""
        objective = (
            None if self.objective is None or other.objective is None else self.objective - other.objective
        )
        return Figures(
            objective=objective,
            weighted_tardiness=self.weighted_tardiness - other.weighted_tardiness,
            late_projects=self.late_projects - other.late_projects,
            late_days=self.late_days - other.late_days,
            makespan_days=self.makespan_days - other.makespan_days,
            total_cost=round(self.total_cost - other.total_cost, 2),
            mean_utilisation=round(self.mean_utilisation - other.mean_utilisation, 4),
            left_out=self.left_out - other.left_out,
        )


class ScenarioOutcome(_Data):
    """How one scenario came out."""

    name: str = Field(description="Scenario name (the key given to `compare`).")
    baseline: bool = Field(description="Whether this is the baseline (the first scenario).")
    status: PlanStatus = Field(description="Status of its plan.")
    has_plan: bool = Field(description="Whether a valid plan was found (optimal or feasible).")
    lower_bound: float | None = Field(default=None, description="Proven lower bound of the objective.")
    solve_seconds: float = Field(default=0, description="Wall time of its solve.")
    figures: Figures | None = Field(default=None, description="Headline figures; null without a plan.")
    delta: Figures | None = Field(
        default=None,
        description="Figures minus the baseline's; null for the baseline or when either has no plan.",
    )
    left_out: list[str] = Field(default_factory=list, description="Proposed projects left out.")
    explanation: list[str] = Field(default_factory=list, description="Why there is no plan, if none.")


ProjectState = Literal["scheduled", "left_out", "absent", "no_plan"]


class ProjectCell(_Data):
    """One project in one scenario."""

    state: ProjectState = Field(
        description="`scheduled`; `left_out` (proposed, not planned); `absent` (not in this "
        "scenario's portfolio); `no_plan` (the scenario has no plan)."
    )
    start: dt.date | None = Field(default=None, description="Start of its first task.")
    finish: dt.date | None = Field(default=None, description="Finish of its last task.")
    due: dt.date | None = Field(default=None, description="Its due date in this scenario.")
    late_days: int | None = Field(default=None, description="Working days late against `due`.")
    finish_delta_days: int | None = Field(
        default=None,
        description="Working days (baseline calendar) it finishes later (+) or earlier (−) than in "
        "the baseline; null for the baseline and unless scheduled in both.",
    )
    late_delta_days: int | None = Field(
        default=None,
        description="Late days minus the baseline's; null for the baseline and unless scheduled in both.",
    )


class ProjectRow(_Data):
    """A project across all scenarios."""

    id: str = Field(description="Project id.")
    name: str | None = Field(default=None, description="Readable name (first scenario that has it).")
    priority: int = Field(description="Priority (first scenario that has it).")
    cells: dict[str, ProjectCell] = Field(description="Scenario name → the project there.")


class PersonCell(_Data):
    """One person in one scenario: what they work on and how busy they are."""

    present: bool = Field(description="Whether the person is in this scenario's portfolio.")
    planned: bool = Field(description="Whether the scenario has a plan (else the lists are empty).")
    utilisation: float | None = Field(default=None, description="Booked share of their capacity (0…1).")
    utilisation_delta: float | None = Field(
        default=None,
        description="Utilisation minus the baseline's; null for the baseline and unless present in both.",
    )
    tasks: list[str] = Field(default_factory=list, description="Tasks they work on (`project/task`).")
    projects: list[str] = Field(default_factory=list, description="Projects they work on.")
    added_tasks: list[str] = Field(default_factory=list, description="Tasks not theirs in the baseline.")
    removed_tasks: list[str] = Field(default_factory=list, description="Baseline tasks no longer theirs.")
    added_projects: list[str] = Field(default_factory=list, description="Projects new to them.")
    removed_projects: list[str] = Field(default_factory=list, description="Baseline projects they leave.")

    @property
    def moved(self) -> bool:
        """Whether their work differs from the baseline."""
        return bool(self.added_tasks or self.removed_tasks)


class PersonRow(_Data):
    """A person across all scenarios."""

    id: str = Field(description="Person id.")
    name: str | None = Field(default=None, description="Readable name (first scenario that has them).")
    cells: dict[str, PersonCell] = Field(description="Scenario name → the person there.")


class Comparison(_Data):
    """Scenarios side by side; the first is the baseline."""

    baseline: str = Field(description="Name of the baseline scenario.")
    scenarios: list[ScenarioOutcome] = Field(description="One per scenario, baseline first.")
    projects: list[ProjectRow] = Field(description="Every project of any scenario (baseline order first).")
    people: list[PersonRow] = Field(description="Every person of any scenario (baseline order first).")
    parallel: int = Field(default=1, description="Solves run at the same time.")
    wall_seconds: float = Field(default=0, description="Wall time of all the solves together.")
    plans: dict[str, Plan] = Field(
        default_factory=dict,
        exclude=True,
        description="The plans themselves (not part of the dump; dump them one by one if needed).",
    )

    @property
    def names(self) -> list[str]:
        """Scenario names, baseline first."""
        return [s.name for s in self.scenarios]

    def outcome(self, name: str) -> ScenarioOutcome:
        """The outcome of scenario ``name``."""
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(name)


# --------------------------------------------------------------------------- solving


def parallel_solves(settings: SolverSettings, cores: int | None = None) -> int:
    """How many solves fit side by side: ``max(1, cores // workers per solve)``.

    A deterministic solve uses one worker whatever ``settings.workers`` says.
    """
    cores = cores if cores is not None else (os.cpu_count() or 1)
    workers = 1 if settings.deterministic else settings.workers
    return max(1, cores // workers)


def solve_all(
    portfolios: Mapping[str, Portfolio],
    settings: SolverSettings,
    max_parallel: int | None = None,
    on_done: DoneCallback | None = None,
) -> dict[str, Plan]:
    """Solve every portfolio, several at a time in forked processes.

    Parameters
    ----------
    portfolios
        Name → validated portfolio.
    settings
        Settings of each solve.
    max_parallel
        Solves at a time; default :func:`parallel_solves`. 1 solves in this process.
    on_done
        Called in this process with each name and plan as its solve ends.

    Returns
    -------
    dict[str, Plan]
        Name → plan, in the order of ``portfolios``.
    """
    parallel = min(len(portfolios), max_parallel or parallel_solves(settings))
    plans: dict[str, Plan] = {}
    if parallel <= 1:
        for name, portfolio in portfolios.items():
            plans[name] = solve(portfolio, settings)
            if on_done:
                on_done(name, plans[name])
    else:
        with ProcessPoolExecutor(max_workers=parallel, mp_context=mp.get_context("fork")) as pool:
            jobs: dict[Future[Plan], str] = {
                pool.submit(solve, portfolio, settings): name for name, portfolio in portfolios.items()
            }
            for job in as_completed(jobs):
                name = jobs[job]
                plans[name] = job.result()
                if on_done:
                    on_done(name, plans[name])
    return {name: plans[name] for name in portfolios}


def compare(
    portfolios: Mapping[str, Portfolio],
    settings: SolverSettings,
    max_parallel: int | None = None,
    on_done: DoneCallback | None = None,
) -> Comparison:
    """Solve each scenario and compare it with the first one (the baseline).

    Parameters
    ----------
    portfolios
        Scenario name → validated portfolio; the first is the baseline.
    settings
        Settings of each solve (each gets the whole ``time_limit``).
    max_parallel
        Solves at a time; default ``max(1, os.cpu_count() // settings.workers)``
        (one worker per solve when ``settings.deterministic``).
    on_done
        Called with each name and plan as its solve ends (e.g. for progress output).

    Returns
    -------
    Comparison
        Statuses, figures and deltas, projects and people side by side.

    Raises
    ------
    ValueError
        When ``portfolios`` is empty.
    """
    if not portfolios:
        raise ValueError("nothing to compare: give at least one portfolio")
    parallel = min(len(portfolios), max_parallel or parallel_solves(settings))
    began = time.perf_counter()
    plans = solve_all(portfolios, settings, parallel, on_done)
    return compare_plans(
        portfolios, plans, parallel=parallel, wall_seconds=round(time.perf_counter() - began, 3)
    )


# --------------------------------------------------------------------------- side by side


def _outcomes(names: list[str], plans: Mapping[str, Plan]) -> list[ScenarioOutcome]:
    base_plan = plans[names[0]]
    base_figures = Figures.of(base_plan) if base_plan.status.has_plan else None
    out = []
    for k, name in enumerate(names):
        plan = plans[name]
        figures = Figures.of(plan) if plan.status.has_plan else None
        delta = figures.minus(base_figures) if k and figures and base_figures else None
        out.append(
            ScenarioOutcome(
                name=name,
                baseline=k == 0,
                status=plan.status,
                has_plan=plan.status.has_plan,
                lower_bound=plan.lower_bound,
                solve_seconds=plan.solve_seconds,
                figures=figures,
                delta=delta,
                left_out=list(plan.unscheduled_projects),
                explanation=list(plan.explanation),
            )
        )
    return out


def _ordered_ids(groups: list[list[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for ids in groups:
        seen.update(dict.fromkeys(ids))
    return list(seen)


def _project_rows(
    names: list[str], portfolios: Mapping[str, Portfolio], plans: Mapping[str, Plan]
) -> list[ProjectRow]:
    base = names[0]
    cal = portfolios[base].work_calendar
    results: dict[str, dict[str, ProjectResult]] = {n: {r.id: r for r in plans[n].projects} for n in names}
    present = {n: {p.id for p in portfolios[n].projects} for n in names}
    ids = _ordered_ids([[p.id for p in portfolios[n].projects] for n in names])
    rows = []
    for pid in ids:
        project = next(portfolios[n].project(pid) for n in names if pid in present[n])
        base_result = results[base].get(pid) if plans[base].status.has_plan else None
        cells: dict[str, ProjectCell] = {}
        for n in names:
            if pid not in present[n]:
                cells[n] = ProjectCell(state="absent")
                continue
            due = portfolios[n].project(pid).due
            r = results[n].get(pid)
            if not plans[n].status.has_plan or r is None:
                cells[n] = ProjectCell(state="no_plan", due=due)
            elif not r.scheduled:
                cells[n] = ProjectCell(state="left_out", due=due)
            else:
                finish_delta = late_delta = None
                if n != base and base_result is not None and base_result.scheduled:
                    assert r.finish is not None and base_result.finish is not None
                    finish_delta = cal.floor_index(r.finish) - cal.floor_index(base_result.finish)
                    late_delta = r.late_days - base_result.late_days
                cells[n] = ProjectCell(
                    state="scheduled",
                    start=r.start,
                    finish=r.finish,
                    due=due,
                    late_days=r.late_days,
                    finish_delta_days=finish_delta,
                    late_delta_days=late_delta,
                )
        rows.append(ProjectRow(id=pid, name=project.name, priority=project.priority, cells=cells))
    return rows


def _work(plan: Plan) -> dict[str, list[str]]:
    """Person id → tasks (``project/task``) in plan order."""
    out: dict[str, list[str]] = {}
    if not plan.status.has_plan:
        return out
    for a in plan.assignments:
        for person in a.people:
            out.setdefault(person.id, []).append(f"{a.project}/{a.task}")
    return out


def _projects_of(tasks: list[str]) -> list[str]:
    return list(dict.fromkeys(t.split("/", 1)[0] for t in tasks))


def _people_rows(
    names: list[str], portfolios: Mapping[str, Portfolio], plans: Mapping[str, Plan]
) -> list[PersonRow]:
    base = names[0]
    work = {n: _work(plans[n]) for n in names}
    members = {n: {p.id: p for p in portfolios[n].people} for n in names}
    ids = _ordered_ids([list(members[n]) for n in names])
    rows = []
    for pid in ids:
        person = next(members[n][pid] for n in names if pid in members[n])
        base_present = pid in members[base]
        base_planned = plans[base].status.has_plan
        base_tasks = work[base].get(pid, [])
        base_util = plans[base].kpis.utilisation.get(pid) if base_present and base_planned else None
        cells: dict[str, PersonCell] = {}
        for n in names:
            present = pid in members[n]
            planned = plans[n].status.has_plan
            tasks = work[n].get(pid, []) if present else []
            util = plans[n].kpis.utilisation.get(pid) if present and planned else None
            compare_work = planned and base_planned and n != base
            mine, theirs = set(tasks), set(base_tasks)
            added = [t for t in tasks if t not in theirs] if compare_work else []
            removed = [t for t in base_tasks if t not in mine] if compare_work else []
            projects = _projects_of(tasks)
            base_projects = _projects_of(base_tasks)
            cells[n] = PersonCell(
                present=present,
                planned=planned,
                utilisation=util,
                utilisation_delta=(
                    round(util - base_util, 4)
                    if n != base and util is not None and base_util is not None
                    else None
                ),
                tasks=tasks,
                projects=projects,
                added_tasks=added,
                removed_tasks=removed,
                added_projects=[p for p in projects if p not in base_projects] if compare_work else [],
                removed_projects=[p for p in base_projects if p not in projects] if compare_work else [],
            )
        rows.append(PersonRow(id=pid, name=person.name, cells=cells))
    return rows


def compare_plans(
    portfolios: Mapping[str, Portfolio],
    plans: Mapping[str, Plan],
    *,
    parallel: int = 1,
    wall_seconds: float = 0.0,
) -> Comparison:
    """Compare plans already solved (the first portfolio is the baseline).

    Parameters
    ----------
    portfolios
        Scenario name → portfolio; the first is the baseline.
    plans
        Scenario name → its plan (same names).
    parallel, wall_seconds
        Recorded in the result.

    Returns
    -------
    Comparison
        See :func:`compare`.
    """
    names = list(portfolios)
    if not names:
        raise ValueError("nothing to compare: give at least one portfolio")
    missing = [n for n in names if n not in plans]
    if missing:
        raise ValueError(f"no plan for {', '.join(missing)}")
    return Comparison(
        baseline=names[0],
        scenarios=_outcomes(names, plans),
        projects=_project_rows(names, portfolios, plans),
        people=_people_rows(names, portfolios, plans),
        parallel=parallel,
        wall_seconds=wall_seconds,
        plans={n: plans[n] for n in names},
    )
