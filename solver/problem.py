"""The frozen, index-based problem compiled from a validated portfolio.

Everything the heuristics and the CP-SAT model need, as integers on the axis of
working days ``0 … num_days-1`` (a task occupying days ``s … s+d-1`` has start
``s`` and exclusive end ``s+d``). Names appear only in the ``*_ids`` lists.
The problem is all the engine reads: no solver module goes back to the portfolio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum
from functools import cached_property

import numpy as np

from model.calendar import WorkCalendar
from model.kpis import availability_matrix, critical_path_lengths
from model.portfolio import Portfolio, ProjectStatus, Requirement


class Point(IntEnum):
    """Which end of a task a precedence refers to."""

    START = 0
    END = 1  # exclusive end: start + length


@dataclass(frozen=True)
class Precedence:
    """``point(succ) >= point(pred) + delay`` in working days (end is exclusive)."""

    pred: int
    pred_point: Point
    succ: int
    succ_point: Point
    delay: int
    kind: str  # FS, SS, FF or SF as written in the portfolio
    lag: int


@dataclass(frozen=True)
class Mode:
    """One way to run a task: length, named-people slots, pool units and budget use."""

    length: int
    crew: int = 0  # people on the single requirement of an effort-driven task; 0 otherwise
    slots: tuple[tuple[int, int], ...] = ()  # (requirement, number of people)
    pools: tuple[tuple[int, int], ...] = ()  # (pool, units per day)
    consumes: tuple[tuple[int, int], ...] = ()  # (budget, amount)
    index: int | None = None  # position in the task's `modes` (multi-mode tasks only)


@dataclass(frozen=True)
class Weights:
    """The objective's weights (see :class:`model.portfolio.ObjectiveWeights`)."""

    tardiness: float
    completion: float
    cost: float
    continuity: float
    makespan: float
    project_delay: float


@dataclass(frozen=True)
class Problem:
    """Index-based view of a portfolio (see module docstring)."""

    calendar: WorkCalendar  # working-day index ↔ date, for messages and plans
    weights: Weights
    num_days: int
    # people
    person_ids: list[str]
    person_capacity: np.ndarray  # int, percent
    person_available: np.ndarray  # bool, people × days
    person_max_parallel_projects: np.ndarray  # int, 0 = no limit
    person_cost: np.ndarray  # float, per full day
    skill_level: dict[str, np.ndarray]  # declared skill → int level of each person (0 = none)
    # projects
    project_ids: list[str]
    project_priority: np.ndarray
    project_committed: np.ndarray  # bool
    project_release: np.ndarray  # first allowed start day
    project_due: np.ndarray  # last on-time finish day (inclusive); see project_has_due
    project_has_due: np.ndarray  # bool
    project_deadline: np.ndarray  # last allowed finish day (inclusive), num_days-1 if none
    project_due_date: list[dt.date | None]  # as written, for messages
    project_deadline_date: list[dt.date | None]
    project2tasks: list[list[int]]
    project_critical_path: np.ndarray  # working days of its own network, shortest modes
    # tasks
    task_ids: list[tuple[str, str]]
    task2project: np.ndarray
    task_modes: list[list[Mode]]
    task_effort: np.ndarray  # bool: effort-driven
    task_earliest_start: np.ndarray  # first allowed start day
    task_latest_end: np.ndarray  # exclusive: finish day + 1 at the latest
    task_fixed_start: np.ndarray  # day index or -1
    task_fixed_people: list[list[int]]
    task_latest_finish_date: list[dt.date | None]  # the task's own limit as written, for messages
    task2requirements: list[list[int]]
    # requirements (one per requirement entry; ``count`` slots each)
    req2task: np.ndarray
    req_skill: list[str]
    req_level: np.ndarray
    req_count: np.ndarray  # slots (effort tasks: the crew is in the mode instead)
    req_allocation: np.ndarray
    req_eligible: list[np.ndarray]  # person indices that may fill a slot
    # pools and budgets
    pool_ids: list[str]
    pool_capacity: np.ndarray
    budget_ids: list[tuple[str, str]]  # (project, budget)
    budget_limit: np.ndarray
    budget2project: np.ndarray
    # precedences
    precedences: list[Precedence]
    task_preds: list[list[int]]  # indices into ``precedences``
    task_succs: list[list[int]]

    @property
    def num_people(self) -> int:
        """Number of people."""
        return len(self.person_ids)

    @property
    def num_projects(self) -> int:
        """Number of projects."""
        return len(self.project_ids)

    @property
    def num_tasks(self) -> int:
        """Number of tasks."""
        return len(self.task_ids)

    @property
    def num_requirements(self) -> int:
        """Number of requirement entries."""
        return len(self.req2task)

    @property
    def num_pools(self) -> int:
        """Number of pools."""
        return len(self.pool_ids)

    @property
    def num_budgets(self) -> int:
        """Number of (project, budget) pairs."""
        return len(self.budget_ids)

    @cached_property
    def req_preference(self) -> list[np.ndarray]:
        """Per requirement: rows of its candidates, least over-qualified first (computed once).

        Levelling staffs in this order, so the most skilled people stay free for the
        requirements only they can meet.
        """
        return [
            np.argsort(self.levels(self.req_skill[r])[self.req_eligible[r]], kind="stable")  # ties keep order
            for r in range(self.num_requirements)
        ]

    @cached_property
    def req_limited_rows(self) -> list[list[int]]:
        """Per requirement: rows of its candidates with a parallel-project limit."""
        limited = self.person_max_parallel_projects > 0
        return [np.flatnonzero(limited[e]).tolist() for e in self.req_eligible]

    def budget_use(self, modes: Iterable[Mode]) -> np.ndarray:
        """Amount of each budget that tasks run in these modes consume together."""
        used = np.zeros(self.num_budgets, dtype=np.int64)
        for mode in modes:
            for budget, amount in mode.consumes:
                used[budget] += amount
        return used

    def slots(self, task: int, mode: Mode) -> list[tuple[int, int]]:
        """``(requirement, count)`` pairs a task needs in ``mode``."""
        return list(mode.slots)

    def task_name(self, task: int) -> str:
        """``project/task`` name of a task."""
        project, name = self.task_ids[task]
        return f"{project}/{name}"

    def levels(self, skill: str) -> np.ndarray:
        """Each person's level of ``skill`` (0 for an undeclared skill)."""
        found = self.skill_level.get(skill)
        return found if found is not None else np.zeros(self.num_people, dtype=np.int64)

    def holders(self, skill: str, level: int) -> np.ndarray:
        """Boolean per person: has ``skill`` at ``level`` or above."""
        return self.levels(skill) >= level

    def with_person(self, person_id: str, skills: dict[str, int], available: np.ndarray) -> Problem:
        """The problem with one more full-time person (no cost, no project limit) who has
        ``skills`` and works the days where ``available`` is true; they become a candidate of
        every requirement they qualify for, as :func:`compile_problem` would make them."""
        row = self.num_people
        levels = {
            skill: np.append(self.levels(skill), skills.get(skill, 0))
            for skill in {*self.skill_level, *skills}
        }
        works = bool(available.any())
        eligible = [
            np.append(e, row)
            if works and skills.get(self.req_skill[r], 0) >= self.req_level[r] and self.req_allocation[r] <= 100
            else e
            for r, e in enumerate(self.req_eligible)
        ]
        return replace(
            self,
            person_ids=[*self.person_ids, person_id],
            person_capacity=np.append(self.person_capacity, 100),
            person_available=np.vstack([self.person_available, available[None, :]]),
            person_max_parallel_projects=np.append(self.person_max_parallel_projects, 0),
            person_cost=np.append(self.person_cost, 0.0),
            skill_level=levels,
            req_eligible=eligible,
        )


_POINTS = {
    "FS": (Point.END, Point.START, 0),
    "SS": (Point.START, Point.START, 0),
    "FF": (Point.END, Point.END, 0),
    "SF": (Point.START, Point.END, 1),
}


def compile_problem(portfolio: Portfolio) -> Problem:
    """Compile a validated portfolio into a :class:`Problem`."""
    cal = portfolio.work_calendar
    horizon = cal.num_days
    people = portfolio.people
    person_index = {p.id: i for i, p in enumerate(people)}
    available = availability_matrix(portfolio)
    capacity = np.array([p.capacity for p in people], dtype=np.int64)
    ever_available = available.any(axis=1) if people else np.zeros(0, dtype=bool)

    task_ids: list[tuple[str, str]] = []
    task_index: dict[tuple[str, str], int] = {}
    for project in portfolio.projects:
        for task in project.tasks:
            task_index[(project.id, task.id)] = len(task_ids)
            task_ids.append((project.id, task.id))

    project2tasks: list[list[int]] = []
    task2project: list[int] = []
    task_modes: list[list[Mode]] = []
    task_effort: list[bool] = []
    task_es: list[int] = []
    task_le: list[int] = []
    task_fixed: list[int] = []
    task_fixed_people: list[list[int]] = []
    task2reqs: list[list[int]] = []
    req2task: list[int] = []
    req_skill: list[str] = []
    req_level: list[int] = []
    req_count: list[int] = []
    req_alloc: list[int] = []
    req_elig: list[np.ndarray] = []
    precedences: list[Precedence] = []
    skill_level = {
        skill.id: np.array([p.skills.get(skill.id, 0) for p in people], dtype=np.int64)
        for skill in portfolio.skills
    }

    critical = critical_path_lengths(portfolio)
    pool_index = {pool.id: k for k, pool in enumerate(portfolio.pools)}
    budget_ids: list[tuple[str, str]] = []
    budget_limit: list[int] = []
    budget2project: list[int] = []
    for p, project in enumerate(portfolio.projects):
        for name, limit in project.budgets.items():
            budget_ids.append((project.id, name))
            budget_limit.append(limit)
            budget2project.append(p)
    budget_index = {key: k for k, key in enumerate(budget_ids)}

    def add_requirement(t: int, req: Requirement) -> int:
        assert req.skill is not None
        req2task.append(t)
        req_skill.append(req.skill)
        req_level.append(req.level)
        req_count.append(req.count)
        req_alloc.append(req.allocation)
        ok = (skill_level[req.skill] >= req.level) & (capacity >= req.allocation)
        req_elig.append(np.flatnonzero(ok & ever_available))
        return len(req2task) - 1

    for p, project in enumerate(portfolio.projects):
        release = cal.ceil_index(project.release) if project.release else 0
        deadline = cal.floor_index(project.deadline) if project.deadline else horizon - 1
        project2tasks.append([task_index[(project.id, t.id)] for t in project.tasks])
        for task in project.tasks:
            t = task_index[(project.id, task.id)]
            task2project.append(p)
            reqs: list[int] = []
            if task.effort is not None:
                lo, hi = task.crew_bounds
                r = add_requirement(t, task.requirements[0])
                reqs.append(r)
                consumes = tuple(
                    (budget_index[(project.id, name)], amount) for name, amount in task.consumes.items() if amount > 0
                )
                task_modes.append(
                    [
                        Mode(task.effort_length(c), crew=c, slots=((r, c),), consumes=consumes)
                        for c in range(lo, hi + 1)
                    ]
                )
                task_effort.append(True)
            else:
                modes = []
                for m, option in enumerate(task.mode_options()):
                    slots = []
                    pools = []
                    for req in option.requirements:
                        if req.pool is not None:
                            pools.append((pool_index[req.pool], req.units))
                        else:
                            r = add_requirement(t, req)
                            reqs.append(r)
                            slots.append((r, req.count))
                    consumes = tuple(
                        (budget_index[(project.id, name)], amount)
                        for name, amount in option.consumes.items()
                        if amount > 0
                    )
                    modes.append(
                        Mode(
                            option.duration,
                            slots=tuple(slots),
                            pools=tuple(pools),
                            consumes=consumes,
                            index=m if task.modes is not None else None,
                        )
                    )
                task_modes.append(modes)
                task_effort.append(False)
            es = release
            if task.earliest_start:
                es = max(es, cal.ceil_index(task.earliest_start))
            le = deadline + 1
            if task.latest_finish:
                le = min(le, cal.floor_index(task.latest_finish) + 1)
            task_es.append(es)
            task_le.append(le)
            task_fixed.append(cal.index(task.fixed_start) if task.fixed_start else -1)
            task_fixed_people.append([person_index[x] for x in task.fixed_people])
            task2reqs.append(reqs)
            for dep in task.dependencies:
                pred = task_index[portfolio.task_key(project.id, dep.task)]
                pp, sp, extra = _POINTS[dep.type.value]
                precedences.append(Precedence(pred, pp, t, sp, dep.lag + extra, dep.type.value, dep.lag))

    task_preds: list[list[int]] = [[] for _ in task_ids]
    task_succs: list[list[int]] = [[] for _ in task_ids]
    for k, prec in enumerate(precedences):
        task_preds[prec.succ].append(k)
        task_succs[prec.pred].append(k)

    def arr(values: list[int] | list[bool], dtype: type = np.int64) -> np.ndarray:
        return np.array(values, dtype=dtype)

    projects = portfolio.projects
    return Problem(
        calendar=cal,
        weights=Weights(**portfolio.objective.model_dump()),
        num_days=horizon,
        person_ids=[p.id for p in people],
        person_capacity=capacity,
        person_available=available,
        person_max_parallel_projects=arr([p.max_parallel_projects or 0 for p in people]),
        person_cost=np.array([p.cost_per_day for p in people], dtype=np.float64),
        skill_level=skill_level,
        project_ids=[p.id for p in portfolio.projects],
        project_priority=arr([p.priority for p in portfolio.projects]),
        project_committed=arr([p.status == ProjectStatus.committed for p in portfolio.projects], bool),
        project_release=arr([cal.ceil_index(p.release) if p.release else 0 for p in portfolio.projects]),
        project_due=arr([cal.floor_index(p.due) if p.due else horizon - 1 for p in portfolio.projects]),
        project_has_due=arr([p.due is not None for p in portfolio.projects], bool),
        project_deadline=arr(
            [cal.floor_index(p.deadline) if p.deadline else horizon - 1 for p in portfolio.projects]
        ),
        project_due_date=[p.due for p in projects],
        project_deadline_date=[p.deadline for p in projects],
        project2tasks=project2tasks,
        project_critical_path=arr([critical[p.id] for p in portfolio.projects]),
        task_ids=task_ids,
        task2project=arr(task2project),
        task_modes=task_modes,
        task_effort=arr(task_effort, bool),
        task_earliest_start=arr(task_es),
        task_latest_end=arr(task_le),
        task_fixed_start=arr(task_fixed),
        task_fixed_people=task_fixed_people,
        task_latest_finish_date=[t.latest_finish for p in projects for t in p.tasks],
        task2requirements=task2reqs,
        req2task=arr(req2task),
        req_skill=req_skill,
        req_level=arr(req_level),
        req_count=arr(req_count),
        req_allocation=arr(req_alloc),
        req_eligible=req_elig,
        pool_ids=[pool.id for pool in portfolio.pools],
        pool_capacity=arr([pool.capacity for pool in portfolio.pools]),
        budget_ids=budget_ids,
        budget_limit=arr(budget_limit),
        budget2project=arr(budget2project),
        precedences=precedences,
        task_preds=task_preds,
        task_succs=task_succs,
    )
