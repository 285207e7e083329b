"""Compile the population search's kernels into numba's cache (``python -m solver.search.warm``).

numba compiles a kernel on its first call in a process that finds no cached copy, which
takes seconds; ``make`` runs this once after installing so that no solve pays for it.
"""

from __future__ import annotations

import threading

from model.load import parse_portfolio
from solver.construct.levelling import level
from solver.problem import compile_problem
from solver.search import population

_PORTFOLIO = {
    "name": "warm-up",
    "calendar": {"start": "2027-01-04", "end": "2027-03-26"},
    "pools": [{"id": "rig", "capacity": 1}],
    "projects": [
        {
            "id": "p",
            "tasks": [
                {"id": "a", "duration": 2, "requirements": [{"pool": "rig", "units": 1}]},
                {"id": "b", "duration": 1, "requirements": [{"pool": "rig", "units": 1}], "dependencies": [{"task": "a"}]},
                {"id": "c", "duration": 3, "requirements": [{"pool": "rig", "units": 1}], "fixed_start": "2027-01-18"},
            ],
        }
    ],
}


def compile_kernels() -> None:
    """Run every kernel once on a three-task plan (a pin, a dependency, one pool)."""
    problem = compile_problem(parse_portfolio(_PORTFOLIO))
    plan = level(problem)
    pop = population.start(problem, plan.placements, seed=0)
    population.generation(pop, 2)


def preload() -> threading.Thread:
    """:func:`compile_kernels` in a thread: importing numba and loading the kernels from its
    cache takes a good part of a second, which a solve spends on CP-SAT meanwhile."""
    thread = threading.Thread(target=compile_kernels, name="population-preload", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    compile_kernels()
