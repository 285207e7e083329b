"""Solve several what-if portfolios and compare them side by side with the first (the baseline).

:func:`compare` solves every portfolio (several at a time, within the core budget)
and returns a :class:`Comparison`: per scenario its status, objective and KPIs with
their deltas against the baseline; per project its finish and lateness in each
scenario; per person what they work on in each scenario against the baseline
(who moves to what) and their utilisation. Everything is plain pydantic data:
``comparison.model_dump(mode="json")`` is JSON-ready. :func:`compare_plans` builds
the same from plans solved elsewhere.

A scenario is solved as a change of the baseline: the baseline is solved first, and
its plan, repaired to each scenario (:func:`solver.construct.repair.repair_plan`), is
that scenario's start and hint, with the same settings and seed; a scenario whose
portfolio is the baseline's gets the baseline's plan itself. A delta of objective within
``noise`` (a share of the baseline's objective) is marked as within solver noise.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from model.plan import Plan, PlanStatus, ProjectResult
from model.portfolio import Portfolio
from solver.planning.backend import DoneCallback, LocalBackend, RunBackend, SolveJob, parallel_solves
from solver.settings import SolverSettings
from solver.stop import StopRequest

__all__ = [
    "DEFAULT_NOISE",
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
    "solve_as_changes",
]

DEFAULT_NOISE = 0.01
"""Objective deltas up to this share of the baseline's objective are solver noise: the spread
of one warm-started scenario compared three times (p60, 10 s, 2 workers: 0.37 %; 0 with
``deterministic``; ``python -m benchmarks.compare_bench --trust``). A machine busy with other
work spreads wider (12.7 % measured under a load of 6 on 2 cores): raise it there."""
UNCHANGED = "the baseline's plan (the scenario's portfolio is the baseline's)"


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
    start: str | None = Field(
        default=None,
        description="What the scenario's search started from (the baseline's plan repaired to it, "
        "or the baseline's plan itself when the scenario changes nothing).",
    )
    noise_threshold: float | None = Field(
        default=None,
        description="Objective deltas up to this (the comparison's `noise` × |baseline objective|) "
        "are within solver noise; null for the baseline or without plans.",
    )
    within_noise: bool = Field(
        default=False,
        description="Whether |delta.objective| ≤ `noise_threshold`: the difference is no larger than "
        "the run-to-run spread of a solve, so it says nothing about the change.",
    )


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
    noise: float = Field(
        default=DEFAULT_NOISE,
        ge=0,
        description="Share of the baseline's objective below which a delta is within solver noise.",
    )
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

    def dump(self, with_plans: bool = False) -> dict[str, Any]:
        """JSON-ready data; ``with_plans`` adds ``plans`` (scenario name → its plan JSON)."""
        data = self.model_dump(mode="json")
        if with_plans:
            data["plans"] = {name: plan.model_dump(mode="json") for name, plan in self.plans.items()}
        return data


# --------------------------------------------------------------------------- solving


def solve_all(
    portfolios: Mapping[str, Portfolio],
    settings: SolverSettings,
    max_parallel: int | None = None,
    on_done: DoneCallback | None = None,
    backend: RunBackend | None = None,
    stop: StopRequest | None = None,
    start: Plan | None = None,
) -> dict[str, Plan]:
    """Solve every portfolio on a run backend, several at a time.

    Parameters
    ----------
    portfolios
        Name → validated portfolio.
    settings
        Settings of each solve.
    max_parallel
        Solves at a time; default: as many as fit on the backend's cores (:func:`parallel_solves`).
    on_done
        Called in this process with each name and plan as its solve ends.
    backend
        Where the solves run; default :class:`~solver.planning.backend.LocalBackend` (child processes).
    stop
        When requested, solves not started are left out and running ones keep their best plan.
    start
        A plan every solve starts from, repaired to its portfolio (see :func:`solver.solve.solve`).

    Returns
    -------
    dict[str, Plan]
        Name → plan, in the order of ``portfolios`` (without the solves a stop left out).
    """
    backend = backend or LocalBackend()
    parallel = min(len(portfolios), max_parallel or backend.capacity(settings))
    jobs = [SolveJob(name, portfolio, settings, start) for name, portfolio in portfolios.items()]
    return backend.run(jobs, parallel, on_done=on_done, stop=stop)


def compare(
    portfolios: Mapping[str, Portfolio],
    settings: SolverSettings,
    max_parallel: int | None = None,
    on_done: DoneCallback | None = None,
    backend: RunBackend | None = None,
    noise: float = DEFAULT_NOISE,
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
    backend
        Where the solves run (default: child processes of this one, see :func:`solve_all`).
    noise
        Objective deltas up to this share of the baseline's objective are marked within
        solver noise.

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
    backend = backend or LocalBackend()
    parallel = min(len(portfolios), max_parallel or backend.capacity(settings))
    began = time.perf_counter()
    plans = solve_as_changes(portfolios, settings, parallel, on_done, backend)
    return compare_plans(
        portfolios, plans, parallel=parallel, wall_seconds=round(time.perf_counter() - began, 3), noise=noise
    )


def solve_as_changes(
    portfolios: Mapping[str, Portfolio],
    settings: SolverSettings,
    max_parallel: int | None = None,
    on_done: DoneCallback | None = None,
    backend: RunBackend | None = None,
) -> dict[str, Plan]:
    """Solve the first portfolio (the baseline), then every other one as a change of it.

    Each scenario's solve starts from the baseline's plan repaired to it (same settings,
    same seed), so it is never worse than that repaired plan; a scenario whose portfolio
    equals the baseline's gets the baseline's plan itself (re-solving it would measure
    nothing but solver noise).

    Parameters
    ----------
    portfolios, settings, max_parallel, on_done, backend
        As for :func:`solve_all`; the first portfolio is the baseline.

    Returns
    -------
    dict[str, Plan]
        Name → plan, in the order of ``portfolios``.
    """
    names = list(portfolios)
    base = names[0]
    plans = solve_all({base: portfolios[base]}, settings, 1, on_done, backend)
    base_plan = plans[base]
    shape = portfolios[base].model_dump(mode="json")
    rest: dict[str, Portfolio] = {}
    for name in names[1:]:
        if portfolios[name].model_dump(mode="json") != shape:
            rest[name] = portfolios[name]
            continue
        plans[name] = base_plan.model_copy(
            deep=True, update={"stats": {**base_plan.stats, "scenario": UNCHANGED}}
        )
        if on_done:
            on_done(name, plans[name])
    if rest:
        start = base_plan if base_plan.status.has_plan else None
        plans.update(solve_all(rest, settings, max_parallel, on_done, backend, start=start))
    return {name: plans[name] for name in names}


# --------------------------------------------------------------------------- side by side


def _start_of(plan: Plan) -> str | None:
    """What a scenario's solve started from, as its plan's stats record it."""
    for key in ("scenario", "warm_start"):
        if isinstance(plan.stats.get(key), str):
            return str(plan.stats[key])
    return None


def _outcomes(names: list[str], plans: Mapping[str, Plan], noise: float) -> list[ScenarioOutcome]:
    base_plan = plans[names[0]]
    base_figures = Figures.of(base_plan) if base_plan.status.has_plan else None
    out = []
    for k, name in enumerate(names):
        plan = plans[name]
        figures = Figures.of(plan) if plan.status.has_plan else None
        delta = figures.minus(base_figures) if k and figures and base_figures else None
        threshold = None
        if delta is not None and base_figures is not None and base_figures.objective is not None:
            threshold = round(noise * abs(base_figures.objective), 3)
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
                start=_start_of(plan) if k else None,
                noise_threshold=threshold,
                within_noise=(
                    threshold is not None
                    and delta is not None
                    and delta.objective is not None
                    and abs(delta.objective) <= threshold
                ),
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
    noise: float = DEFAULT_NOISE,
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
    noise
        Objective deltas up to this share of the baseline's objective are within solver noise.

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
        scenarios=_outcomes(names, plans, noise),
        projects=_project_rows(names, portfolios, plans),
        people=_people_rows(names, portfolios, plans),
        parallel=parallel,
        wall_seconds=wall_seconds,
        noise=noise,
        plans={n: plans[n] for n in names},
    )
