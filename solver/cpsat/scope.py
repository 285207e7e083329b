"""What a CP-SAT (sub)model decides: the free tasks, and what the fixed rest leaves them.

The full model is the scope where every task is free. A large-neighbourhood
step frees a subset of tasks around the incumbent; the others keep their
placement and become constants: their people's load is subtracted from the
capacity, their starts and ends bound the free tasks' windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.construct.levelling import Placement
from solver.planning.disruption import Disruption
from solver.problem import Problem
from solver.settings import StaffingTuning
from solver.windows import TimeWindows, time_windows


@dataclass
class Scope:
    """A neighbourhood: free tasks, their windows, the capacity left by fixed tasks."""

    problem: Problem
    free: list[int]
    incumbent: dict[int, Placement]
    windows: TimeWindows
    remaining: np.ndarray  # people × days: percent left after fixed tasks (0 when unavailable)
    optional_projects: set[int]  # proposed projects whose inclusion this model decides
    candidates: dict[int, np.ndarray]  # requirement -> people who may fill it here
    redundant_staffing_max_tasks: int  # the redundant staffing cumulatives up to this many tasks
    disruption: Disruption | None = None  # replanning: the baseline and its change costs

    @property
    def free_set(self) -> set[int]:
        """The free tasks as a set."""
        return set(self.free)

    def fixed_placements(self) -> list[Placement]:
        """Placements that stay as they are."""
        free = self.free_set
        return [pl for t, pl in self.incumbent.items() if t not in free]

    @property
    def projects(self) -> list[int]:
        """Projects with at least one free task."""
        return sorted({int(self.problem.task2project[t]) for t in self.free})


def remaining_capacity(problem: Problem, placements: list[Placement]) -> np.ndarray:
    """Percent of each person's day still free after ``placements`` (0 when unavailable)."""
    remaining = (problem.person_capacity[:, None] * problem.person_available).astype(np.int32)
    for pl in placements:
        for person, req in pl.people:
            remaining[person, pl.start : pl.end] -= int(problem.req_allocation[req])
    return remaining


def _has_run(ok: np.ndarray, length: int) -> np.ndarray:
    if ok.shape[1] < length:
        return np.zeros(ok.shape[0], dtype=bool)
    csum = np.zeros((ok.shape[0], ok.shape[1] + 1), dtype=np.int32)
    np.cumsum(ok, axis=1, out=csum[:, 1:])
    return ((csum[:, length:] - csum[:, : ok.shape[1] - length + 1]) == length).any(axis=1)


def build_scope(
    problem: Problem,
    free: list[int],
    incumbent: dict[int, Placement],
    optional_projects: set[int] | None = None,
    horizon: int | None = None,
    max_delay: int | None = None,
    max_advance: int | None = None,
    disruption: Disruption | None = None,
    max_candidates: int | None = None,
    staffing: StaffingTuning | None = None,
) -> Scope:
    """Scope with ``free`` tasks re-decided and every other incumbent placement fixed.

    Parameters
    ----------
    horizon
        Optional cap on the exclusive end of every free task (tighter domains);
        the caller must make sure the incumbent fits.
    max_delay
        Optional cap on how many working days a free task may end later than in the
        incumbent: small neighbourhoods solve much faster on tight domains.
    max_advance
        Likewise, how many working days a free task may start earlier than in the incumbent.
    max_candidates
        Keep at most this many people per requirement (the incumbent's first, then the
        least booked in the task's window): large pools of interchangeable people make a
        neighbourhood model big without making it better.
    staffing
        Up to how many free tasks the model gets the redundant staffing constraints
        (None: the default :class:`~solver.settings.StaffingTuning`).
    """
    free_set = set(free)
    fixed = [pl for t, pl in incumbent.items() if t not in free_set]
    pinned = {pl.task: (pl.start, pl.mode.length) for pl in fixed}
    windows = time_windows(problem, pinned)
    if horizon is not None:
        windows.latest_end[:] = np.minimum(windows.latest_end, horizon)
    for t in free:
        if t in incumbent and max_delay is not None:
            windows.latest_end[t] = min(windows.latest_end[t], incumbent[t].end + max_delay)
        if t in incumbent and max_advance is not None:
            windows.earliest_start[t] = max(windows.earliest_start[t], incumbent[t].start - max_advance)
    if disruption is not None:
        for t in free:
            windows.earliest_start[t] = max(windows.earliest_start[t], disruption.earliest_day)
    remaining = remaining_capacity(problem, fixed)
    candidates: dict[int, np.ndarray] = {}
    for t in free:
        lo = int(windows.earliest_start[t])
        hi = int(windows.latest_end[t])
        length = int(windows.min_length[t])
        keep = {person for person, _ in incumbent[t].people} if t in incumbent else set()
        keep.update(problem.task_fixed_people[t])
        for r in problem.task2requirements[t]:
            people = problem.req_eligible[r]
            alloc = int(problem.req_allocation[r])
            ok = (
                _has_run(remaining[people, lo:hi] >= alloc, length)
                if hi > lo
                else np.zeros(people.size, dtype=bool)
            )
            kept = np.isin(people, list(keep)) if keep else np.zeros(people.size, dtype=bool)
            ok |= kept
            if max_candidates is not None and ok.sum() > max_candidates:
                # the incumbent's people, then those with the most free days in the window
                free_days = (remaining[people, lo:hi] >= alloc).sum(axis=1)
                rank = np.lexsort((-free_days, ~kept))
                chosen = [i for i in rank.tolist() if ok[i]][: max(max_candidates, int(kept.sum()))]
                ok = np.zeros(people.size, dtype=bool)
                ok[chosen] = True
            candidates[r] = people[ok]
    return Scope(
        problem=problem,
        free=_topo_sorted(windows, free_set),
        incumbent=incumbent,
        windows=windows,
        remaining=remaining,
        optional_projects=set(optional_projects or ()),
        candidates=candidates,
        redundant_staffing_max_tasks=(
            staffing if staffing is not None else StaffingTuning()
        ).redundant_constraints_max_tasks,
        disruption=disruption,
    )


def _topo_sorted(windows: TimeWindows, free: set[int]) -> list[int]:
    return [t for t in windows.order if t in free]
