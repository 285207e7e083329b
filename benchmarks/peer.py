"""The peer: PyJobShop (its OR-Tools CP-SAT backend) on the very same instances.

PyJobShop is an optional dependency (``pip install -e ".[bench]"`` or
``pip install pyjobshop``); it is imported only when a peer solve is asked for.

The peer's model is built here from *our* validated portfolio (never from PyJobShop's
own readers), so both engines solve the identical instance:

* time unit = one working day of the portfolio's calendar (the benchmarks work every day);
* pool → renewable resource with the pool's capacity; a pool requirement → a demand;
* a person → a machine (one task at a time); a mode that needs exactly one person
  (one skill requirement, ``count`` 1, full allocation) becomes one peer mode per
  person qualified for it (iMOPSE); more person slots per task (MSPSP) are not supported;
* a task's modes (MISTA) → peer modes; a project budget → a consumable resource;
* a project → a job with its release date (and deadline); the horizon bounds every end;
* FS / SS / FF / SF dependencies with lags → end-before-start / start-before-start /
  end-before-end / start-before-end with the matching delay;
* objective: contract weight ``makespan`` → peer weight of the makespan, weight
  ``project_delay`` → weight of the total flow time (completion − release per job). The
  flow time is the project delay plus the project's critical path, a constant, so the
  peer optimises exactly our objective.

The peer's best schedule is turned back into contract assignments and goes through our
independent checker and KPI code, so its objective is computed exactly like ours.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.assemble import assemble_plan
from model.kpis import critical_path_lengths
from model.plan import Assignment, PersonAllocation, Plan, PlanStatus, PoolUse
from model.portfolio import DependencyType, Portfolio, Task

SUPPORTED = ("psplib", "mplib", "rcmp", "mista", "imopse")
"""Families the peer can model (MSPSP needs several people per task: not supported)."""

SUPPORTED_NOTE = (
    "PyJobShop has no multi-person skill requirements (MSPSP needs several people with "
    "skills per task); supported: " + ", ".join(SUPPORTED)
)

MISSING_MESSAGE = (
    "peer: PyJobShop is not installed; install the optional extra with "
    "`pip install -e '.[bench]'` (or `pip install pyjobshop`) to compare with it"
)


class Unsupported(ValueError):
    """The portfolio uses something the peer's model cannot express."""


def available() -> bool:
    """Whether PyJobShop can be imported."""
    return importlib.util.find_spec("pyjobshop") is not None


@dataclass
class PeerModel:
    """A PyJobShop model built from a portfolio, with the way back.

    Attributes
    ----------
    model
        The ``pyjobshop.Model``.
    tasks
        Peer task index → (project id, task id).
    modes
        Peer mode index → (our mode index or None, person id or None, pool uses).
    delay_weight
        Weight of the total flow time (= the contract's ``project_delay`` weight).
    critical_path_total
        Σ of the projects' critical paths: flow time − project delay.
    """

    model: Any
    tasks: list[tuple[str, str]] = field(default_factory=list)
    modes: list[tuple[int | None, str | None, list[tuple[str, int]]]] = field(default_factory=list)
    delay_weight: int = 0
    critical_path_total: int = 0


def _integer_weight(name: str, value: float) -> int:
    if value != int(value):
        raise Unsupported(f"objective weight {name} = {value} is not an integer")
    return int(value)


def _check_supported(portfolio: Portfolio) -> None:
    """Raise :class:`Unsupported` for what the peer's model leaves out."""
    weights = portfolio.objective
    other = [n for n in ("tardiness", "completion", "cost", "continuity") if getattr(weights, n)]
    if other:
        raise Unsupported(f"objective terms {other} have no PyJobShop counterpart here")
    for person in portfolio.people:
        if (
            person.capacity != 100
            or person.absences
            or person.available_from
            or person.available_until
            or person.max_parallel_projects is not None
        ):
            raise Unsupported(f"person {person.id}: part-time, absences or availability windows")
    for project in portfolio.projects:
        if project.status.value != "committed":
            raise Unsupported(f"project {project.id} is proposed")
        for task in project.tasks:
            if task.effort is not None or task.fixed_start or task.fixed_people:
                raise Unsupported(f"task {project.id}/{task.id}: effort-driven or pinned")


def _person_options(portfolio: Portfolio, task_name: str, requirements: Sequence[Any]) -> list[str | None]:
    """The people who can fill a mode's person slot ([None] when it needs nobody)."""
    skill_reqs = [r for r in requirements if not r.is_pool]
    if not skill_reqs:
        return [None]
    if len(skill_reqs) > 1 or skill_reqs[0].count != 1 or skill_reqs[0].allocation != 100:
        raise Unsupported(f"task {task_name} needs several people: no PyJobShop counterpart")
    req = skill_reqs[0]
    people = [p.id for p in portfolio.people if p.skills.get(req.skill, 0) >= req.level]
    if not people:
        raise Unsupported(f"task {task_name}: nobody has {req.skill} at level {req.level}")
    return list(people)


def build_peer_model(portfolio: Portfolio) -> PeerModel:
    """The PyJobShop model of a portfolio (see the module docstring).

    Raises
    ------
    Unsupported
        If the portfolio uses features the peer cannot express.
    ModuleNotFoundError
        If PyJobShop is not installed.
    """
    from pyjobshop import Model

    _check_supported(portfolio)
    cal = portfolio.work_calendar
    horizon = cal.num_days
    model = Model()
    weights = portfolio.objective
    w_span = _integer_weight("makespan", weights.makespan)
    w_delay = _integer_weight("project_delay", weights.project_delay)
    model.set_objective(weight_makespan=w_span, weight_total_flow_time=w_delay)
    pools = {pool.id: model.add_renewable(pool.capacity, name=pool.id) for pool in portfolio.pools}
    machines = {person.id: model.add_machine(name=person.id) for person in portfolio.people}
    built = PeerModel(model=model, delay_weight=w_delay)
    built.critical_path_total = sum(critical_path_lengths(portfolio).values())
    peer_task: dict[tuple[str, str], Any] = {}
    for project in portfolio.projects:
        release = cal.ceil_index(project.release) if project.release else 0
        deadline = cal.floor_index(project.deadline) + 1 if project.deadline else horizon
        job = model.add_job(release_date=release, deadline=min(deadline, horizon), name=project.id)
        budgets = {
            b: model.add_consumable(limit, name=f"{project.id}:{b}") for b, limit in project.budgets.items()
        }
        for task in project.tasks:
            name = f"{project.id}/{task.id}"
            earliest = cal.ceil_index(task.earliest_start) if task.earliest_start else 0
            latest_end = cal.floor_index(task.latest_finish) + 1 if task.latest_finish else horizon
            peer = model.add_task(
                job, earliest_start=earliest, latest_end=min(latest_end, horizon), name=name
            )
            peer_task[project.id, task.id] = peer
            built.tasks.append((project.id, task.id))
            _add_modes(built, portfolio, task, name, peer, pools, machines, budgets)
    for project in portfolio.projects:
        for task in project.tasks:
            for dep in task.dependencies:
                before = peer_task[portfolio.task_key(project.id, dep.task)]
                after = peer_task[project.id, task.id]
                if dep.type == DependencyType.FS:
                    model.add_end_before_start(before, after, delay=dep.lag)
                elif dep.type == DependencyType.SS:
                    model.add_start_before_start(before, after, delay=dep.lag)
                elif dep.type == DependencyType.FF:
                    model.add_end_before_end(before, after, delay=dep.lag)
                else:  # SF: finish (inclusive) ≥ start + lag, i.e. end ≥ start + lag + 1
                    model.add_start_before_end(before, after, delay=dep.lag + 1)
    return built


def _add_modes(
    built: PeerModel,
    portfolio: Portfolio,
    task: Task,
    name: str,
    peer: Any,
    pools: dict[str, Any],
    machines: dict[str, Any],
    budgets: dict[str, Any],
) -> None:
    """One peer mode per (our mode, qualified person)."""
    for index, mode in enumerate(task.mode_options()):
        units: dict[str, int] = {}
        for req in mode.requirements:
            if req.is_pool:
                assert req.pool is not None
                units[req.pool] = units.get(req.pool, 0) + req.units
        for person in _person_options(portfolio, name, mode.requirements):
            resources = [pools[p] for p in units]
            demands = list(units.values())
            resources += [budgets[b] for b in mode.consumes]
            demands += list(mode.consumes.values())
            if person is not None:
                resources.append(machines[person])
                demands.append(0)
            built.model.add_mode(peer, resources, mode.duration, demands)
            built.modes.append((index if task.modes is not None else None, person, list(units.items())))


def peer_plan(portfolio: Portfolio, built: PeerModel, result: Any, seconds: float) -> Plan:
    """The peer's result as a contract plan, verified by our checker.

    The plan's ``lower_bound`` is the peer's bound converted to contract units (the flow
    time counts each project's critical path on top of its delay).
    """
    status_name = getattr(result.status, "name", str(result.status)).upper()
    tasks = list(getattr(result.best, "tasks", []) or [])
    has_solution = bool(tasks) and all(t.present for t in tasks) and result.objective != float("inf")
    bound = None
    if has_solution or status_name == "OPTIMAL":
        bound = float(result.lower_bound) - built.delay_weight * built.critical_path_total
    if not has_solution:
        status = PlanStatus.infeasible if status_name == "INFEASIBLE" else PlanStatus.no_solution
        return Plan(status=status, solve_seconds=round(seconds, 3), stats={"peer_status": status_name})
    cal = portfolio.work_calendar
    assignments = []
    for index, scheduled in enumerate(tasks):
        project, task = built.tasks[index]
        our_mode, person, units = built.modes[scheduled.mode]
        assignments.append(
            Assignment(
                project=project,
                task=task,
                start=cal.date(scheduled.start),
                finish=cal.date(scheduled.end - 1),
                people=[PersonAllocation(id=person, allocation=100)] if person else [],
                mode=our_mode,
                pools=[PoolUse(id=p, units=u) for p, u in units],
            )
        )
    status = PlanStatus.optimal if status_name == "OPTIMAL" else PlanStatus.feasible
    return assemble_plan(
        portfolio,
        assignments,
        status,
        lower_bound=bound,
        solve_seconds=seconds,
        stats={"peer_status": status_name, "peer_objective": result.objective},
    )


def solve_peer(portfolio: Portfolio, time_limit: float, workers: int, seed: int = 0) -> Plan:
    """Build and solve the peer's model; the result as a verified contract plan.

    Raises
    ------
    Unsupported
        If the portfolio cannot be expressed.
    ModuleNotFoundError
        If PyJobShop is not installed.
    """
    began = time.perf_counter()
    built = build_peer_model(portfolio)
    result = built.model.solve(
        solver="ortools", time_limit=time_limit, display=False, num_workers=workers, random_seed=seed
    )
    return peer_plan(portfolio, built, result, time.perf_counter() - began)


def measure_peer(family: str, path: str, time_limit: float, workers: int, seed: int) -> dict[str, Any]:
    """Solve one instance with the peer (runs in a fresh process); a row in family terms.

    Returns
    -------
    dict
        ``status``, ``objective``, ``lower_bound`` (family terms), ``contract_objective``
        (to compare with our progress), ``total_s`` (model building included), ``valid``
        (our checker's verdict) or ``note`` when the peer cannot run.
    """
    if not available():
        return {"note": MISSING_MESSAGE}
    if family not in SUPPORTED:
        return {"note": SUPPORTED_NOTE}
    from api.benchmark_format import family_terms
    from api.formats import BENCHMARK_LIMITS, read_instance
    from model.checker import check_plan
    from model.load import parse_portfolio

    began = time.perf_counter()
    instance = read_instance(family, Path(path))
    portfolio = parse_portfolio(instance.portfolio, BENCHMARK_LIMITS)
    try:
        plan = solve_peer(portfolio, time_limit, workers, seed)
    except Unsupported as exc:
        return {"note": f"not supported: {exc}"}
    total = time.perf_counter() - began
    terms = family_terms(instance.objective, portfolio, plan)
    rechecked = check_plan(portfolio, plan) if plan.status.has_plan else []
    return {
        "status": terms.status.value,
        "objective": terms.objective,
        "lower_bound": terms.lower_bound,
        "contract_objective": plan.objective if plan.status.has_plan else None,
        "total_s": round(total, 3),
        "valid": plan.status.has_plan and not plan.violations and not rechecked,
        "note": f"{len(plan.violations)} violation(s) by our checker" if plan.violations else None,
    }
