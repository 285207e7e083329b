"""Neighbourhoods for large-neighbourhood search around an incumbent plan.

Each neighbourhood picks a set of tasks to free (at most ``size``); the rest of
the plan stays fixed. They aim at what makes a plan bad: late projects and
the people and weeks they compete for.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from solver.construct.levelling import Placement
from solver.evaluate import project_lateness
from solver.problem import Problem

Neighbourhood = Callable[[Problem, dict[int, Placement], int, random.Random], list[int]]


def _late_weights(problem: Problem, placements: dict[int, Placement]) -> np.ndarray:
    return problem.project_priority * project_lateness(problem, placements)


def _grow(
    problem: Problem,
    placements: dict[int, Placement],
    seeds: list[int],
    size: int,
    rng: random.Random,
) -> list[int]:
    """Free ``seeds`` plus the tasks that compete with them for people in time."""
    chosen: list[int] = []
    seen: set[int] = set()
    for t in seeds:
        if t in placements and t not in seen and len(chosen) < size:
            chosen.append(t)
            seen.add(t)
    if len(chosen) >= size:
        return chosen
    by_person: dict[int, list[int]] = {}
    for t, pl in placements.items():
        for person, _ in pl.people:
            by_person.setdefault(person, []).append(t)
    frontier = list(chosen)
    rng.shuffle(frontier)
    while frontier and len(chosen) < size:
        t = frontier.pop(0)
        pl = placements[t]
        lo, hi = pl.start - 10, pl.end + 10
        neighbours = [
            u
            for person, _ in pl.people
            for u in by_person.get(person, [])
            if u not in seen and placements[u].end > lo and placements[u].start < hi
        ]
        rng.shuffle(neighbours)
        for u in neighbours:
            if u in seen:
                continue
            seen.add(u)
            chosen.append(u)
            frontier.append(u)
            if len(chosen) >= size:
                break
    return chosen


def late_projects(
    problem: Problem, placements: dict[int, Placement], size: int, rng: random.Random
) -> list[int]:
    """A late project (drawn by weighted lateness) with the tasks competing for its people."""
    weights = _late_weights(problem, placements)
    if weights.sum() <= 0:
        return random_projects(problem, placements, size, rng)
    p = rng.choices(range(problem.num_projects), weights=weights.tolist())[0]
    seeds = [t for t in problem.project2tasks[p] if t in placements]
    # the predecessors in other projects that hold it back come along too
    for t in list(seeds):
        for k in problem.task_preds[t]:
            pred = problem.precedences[k].pred
            if pred in placements and problem.task2project[pred] != p:
                seeds.append(pred)
    return _grow(problem, placements, seeds, size, rng)


def blocking_work(
    problem: Problem, placements: dict[int, Placement], size: int, rng: random.Random
) -> list[int]:
    """A late project plus the work that holds its people between its earliest and actual dates.

    For each task of the project, the tasks of every person who could do it, placed
    between the task's earliest possible start and its current end, are candidates
    to give way; lower-priority work first, since delaying it costs least.
    """
    weights = _late_weights(problem, placements)
    if weights.sum() <= 0:
        return random_projects(problem, placements, size, rng)
    p = rng.choices(range(problem.num_projects), weights=weights.tolist())[0]
    return project_and_blockers(problem, placements, p, size, rng)


def project_and_blockers(
    problem: Problem, placements: dict[int, Placement], p: int, size: int, rng: random.Random
) -> list[int]:
    """Project ``p``'s placed tasks, then the other projects' tasks holding the people who
    could do them between each task's earliest start and its current end (lower priority
    first); at most ``size`` in all."""
    own = [t for t in problem.project2tasks[p] if t in placements]
    earliest = problem.task_earliest_start
    by_person: dict[int, list[int]] = {}
    for t, pl in placements.items():
        for person, _ in pl.people:
            by_person.setdefault(person, []).append(t)
    blockers: dict[int, float] = {}
    release = int(problem.project_release[p])
    for t in own:
        lo, hi = max(release, int(earliest[t])), placements[t].end
        for r in problem.task2requirements[t]:
            for person in problem.req_eligible[r].tolist():
                for u in by_person.get(person, []):
                    q = int(problem.task2project[u])
                    if q != p and placements[u].end > lo and placements[u].start < hi:
                        score = float(problem.project_priority[q]) + rng.random()
                        blockers[u] = min(blockers.get(u, score), score)
    ranked = sorted(blockers, key=blockers.__getitem__)
    return (own + ranked)[:size]


def changed_work(projects: Sequence[int], reference: Mapping[int, Placement] | None = None) -> Neighbourhood:
    """A neighbourhood around what changed since the baseline (replanning).

    One of ``projects`` (drawn by weighted lateness, evenly when none is late) with the work
    competing with it for the same people (:func:`project_and_blockers`); or, half the time
    when a ``reference`` (the baseline's placements) is given and some tasks differ from it,
    a few of those tasks with the work around them, so that changes that buy nothing can be
    undone.
    """
    chosen = list(projects)

    def pick(problem: Problem, placements: dict[int, Placement], size: int, rng: random.Random) -> list[int]:
        if reference is not None and rng.random() < 0.5:
            moved = [t for t, pl in placements.items() if t in reference and reference[t] != pl]
            if moved:
                return _grow(
                    problem, placements, rng.sample(moved, min(len(moved), max(1, size // 4))), size, rng
                )
        if not chosen:
            return random_projects(problem, placements, size, rng)
        late = _late_weights(problem, placements)[chosen]
        weights = late.tolist() if late.sum() > 0 else None
        p = rng.choices(chosen, weights=weights)[0]
        return project_and_blockers(problem, placements, p, size, rng)

    return pick


def insert_proposed(
    problem: Problem, placements: dict[int, Placement], size: int, rng: random.Random
) -> list[int]:
    """A left-out proposed project (all its tasks) plus the lowest-priority work in its window.

    The project's tasks are not in the incumbent; the optimiser decides whether to
    take the project on (all or nothing) in this neighbourhood.
    """
    left_out = [
        p
        for p in range(problem.num_projects)
        if not problem.project_committed[p]
        and problem.project2tasks[p]
        and not any(t in placements for t in problem.project2tasks[p])
        and all(
            problem.precedences[k].pred in placements
            or problem.task2project[problem.precedences[k].pred] == p
            for t in problem.project2tasks[p]
            for k in problem.task_preds[t]
        )
    ]
    if not left_out:
        return random_projects(problem, placements, size, rng)
    p = rng.choice(left_out)
    own = list(problem.project2tasks[p])
    lo = int(problem.project_release[p])
    hi = int(problem.project_deadline[p]) + 1
    skills = {problem.req_skill[r] for t in own for r in problem.task2requirements[t]}
    others = [
        t
        for t, pl in placements.items()
        if pl.end > lo and pl.start < hi and any(problem.req_skill[r] in skills for _, r in pl.people)
    ]
    others.sort(key=lambda t: (int(problem.project_priority[problem.task2project[t]]), rng.random()))
    return own + others[: max(0, size - len(own))]


def time_window(
    problem: Problem, placements: dict[int, Placement], size: int, rng: random.Random
) -> list[int]:
    """All tasks running in a window of time, centred on a random task."""
    tasks = list(placements)
    if not tasks:
        return []
    centre = placements[rng.choice(tasks)].start
    ordered = sorted(tasks, key=lambda t: abs((placements[t].start + placements[t].end) // 2 - centre))
    return ordered[:size]


def people_group(
    problem: Problem, placements: dict[int, Placement], size: int, rng: random.Random
) -> list[int]:
    """Tasks of a few people who share a skill, around a random time."""
    tasks = [t for t, pl in placements.items() if pl.people]
    if not tasks:
        return []
    seed = rng.choice(tasks)
    return _grow(problem, placements, [seed], size, rng)


def random_projects(
    problem: Problem, placements: dict[int, Placement], size: int, rng: random.Random
) -> list[int]:
    """Whole projects drawn at random until the size is reached."""
    projects = list(range(problem.num_projects))
    rng.shuffle(projects)
    chosen: list[int] = []
    for p in projects:
        tasks = [t for t in problem.project2tasks[p] if t in placements]
        if chosen and len(chosen) + len(tasks) > size:
            continue
        chosen.extend(tasks)
        if len(chosen) >= size:
            break
    return chosen[: max(size, 1)]


CHANGED_WORK = "changed_work"
"""The name of the :func:`changed_work` neighbourhood (added when replanning around changes)."""

LATE_WORK = ("late_projects", "blocking_work", CHANGED_WORK)
"""The neighbourhoods built around late (or changed) projects (the rest free work anywhere)."""

NEIGHBOURHOODS: tuple[tuple[str, Neighbourhood], ...] = (
    ("late_projects", late_projects),
    ("blocking_work", blocking_work),
    ("insert_proposed", insert_proposed),
    ("time_window", time_window),
    ("people_group", people_group),
    ("random_projects", random_projects),
)
