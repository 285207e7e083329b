"""The straightforward CP-SAT model a user would write first: the baseline to beat.

One optional interval per (task, eligible person), per-person no-overlap or
cumulative, every eligible person a candidate (no pruning), no redundant skill
pools, solved whole with the levelling plan as hint. It reuses the engine's
constraint families so the comparison isolates the modelling ideas, not bugs.
"""

from __future__ import annotations

from dataclasses import replace

from solver.construct.levelling import Placement
from solver.cpsat.constraints import (
    dependencies,
    parallel_projects,
    person_capacity,
    project_finish,
    staffing,
    task_windows,
)
from solver.cpsat.model import SubResult, add_hint, build_model, solve_model
from solver.cpsat.scope import build_scope
from solver.problem import Problem

NAIVE_FAMILIES = (task_windows, staffing, dependencies, person_capacity, parallel_projects, project_finish)


def solve_naive(
    problem: Problem,
    hint: dict[int, Placement],
    *,
    time_limit: float,
    workers: int,
    seed: int = 0,
) -> SubResult:
    """Solve the whole portfolio with the straightforward model, hinted with ``hint``."""
    proposed = {p for p in range(problem.num_projects) if not problem.project_committed[p]}
    scope = build_scope(problem, list(range(problem.num_tasks)), hint, proposed)
    scope = replace(scope, candidates={r: problem.req_eligible[r] for r in range(problem.num_requirements)})
    built = build_model(scope, NAIVE_FAMILIES)
    add_hint(built, hint)
    return solve_model(built, time_limit=time_limit, workers=workers, seed=seed)
