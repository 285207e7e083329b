"""A plan of one portfolio repaired to a close one: the starting plan of a what-if scenario.

A scenario changes its base portfolio a little (a hire, a person who leaves, a new or
removed project, a priority). Its search starts from the base plan, repaired: every
assignment that still fits the scenario and breaks none of its hard rules is kept as it
was (same start, same people, same mode); work that no longer exists is dropped; what
is left (new tasks, tasks whose people left or whose length, window or staffing changed)
is placed by serial levelling around the kept work (then, if that fails, with the work that
follows it, then with the whole projects that do not fit, placed anew too). The result is
verified by the independent checker; a repair that cannot be made whole is ``None`` (the
solve then starts from levelling alone).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from model.checker import check_assignments
from model.hard_rules import HardRule
from model.plan import Assignment, Violation
from model.portfolio import Portfolio
from solver.construct.levelling import Placement, level, levelling_rules
from solver.convert import from_assignments, to_assignments
from solver.evaluate import objective_of
from solver.problem import Problem

__all__ = ["Repaired", "repair_plan"]

MAX_ROUNDS = 20  # each round frees more work; a repair must cost little next to the solve


@dataclass(frozen=True)
class Repaired:
    """A base plan repaired to a portfolio: valid, complete, with what the repair did."""

    placements: dict[int, Placement]
    objective: float
    kept: int  # tasks exactly as in the base plan
    placed: int  # tasks placed anew by levelling (new, changed, re-staffed)
    dropped: int  # assignments of the base plan whose work is not in the repaired plan (removed)

    @property
    def summary(self) -> str:
        """What the repair did, in a few words (for ``plan.stats``)."""
        return (
            f"base plan repaired: {self.kept} task(s) kept, {self.placed} placed anew, {self.dropped} dropped"
        )


def _culprits(problem: Problem, kept: dict[int, Placement], violation: Violation) -> set[int]:
    """The kept tasks to let go to clear one violation (named task, else the person's or
    project's tasks on the day, else every kept task on the day)."""
    index = {key: t for t, key in enumerate(problem.task_ids)}
    if violation.task is not None and violation.project is not None:
        task = index.get((violation.project, violation.task))
        return {task} if task in kept else set()
    day = problem.calendar.floor_index(violation.day) if violation.day is not None else None
    persons = {pid: i for i, pid in enumerate(problem.person_ids)}
    person = persons.get(violation.person) if violation.person is not None else None
    project = (
        problem.project_ids.index(violation.project)
        if violation.project is not None and violation.project in problem.project_ids
        else None
    )
    out = set()
    for t, pl in kept.items():
        if day is not None and not pl.start <= day < pl.end:
            continue
        if person is not None and all(p != person for p, _ in pl.people):
            continue
        if project is not None and int(problem.task2project[t]) != project:
            continue
        out.add(t)
    return out


def _breaking(portfolio: Portfolio, problem: Problem, kept: dict[int, Placement]) -> set[int] | None:
    """Kept tasks that break a hard rule of ``portfolio`` (missing work aside); ``None`` when
    a violation names nothing that can be let go."""
    out: set[int] = set()
    for violation in check_assignments(portfolio, to_assignments(problem, kept.values())):
        if violation.hard_rule == HardRule.COMPLETE_PROJECTS:
            continue  # the tasks not kept yet: levelling places them
        found = _culprits(problem, kept, violation)
        if not found:
            return None
        out |= found
    return out


def _valid_kept(
    portfolio: Portfolio, problem: Problem, kept: dict[int, Placement]
) -> dict[int, Placement] | None:
    """``kept`` without the tasks that break the portfolio's rules (re-checked until clean)."""
    kept = dict(kept)
    for _ in range(MAX_ROUNDS):
        breaking = _breaking(portfolio, problem, kept)
        if breaking is None:
            return None
        if not breaking:
            return kept
        for t in breaking:
            del kept[t]
    return None


def _whole_proposed(problem: Problem, kept: dict[int, Placement]) -> dict[int, Placement]:
    """Proposed projects are all or nothing: one kept only in part is placed anew whole."""
    partial = {
        p
        for p in range(problem.num_projects)
        if not problem.project_committed[p]
        and any(t in kept for t in problem.project2tasks[p])
        and not all(t in kept for t in problem.project2tasks[p])
    }
    return {t: pl for t, pl in kept.items() if int(problem.task2project[t]) not in partial}


def _without_successors(problem: Problem, kept: dict[int, Placement]) -> dict[int, Placement]:
    """``kept`` without every task that (transitively) follows a task placed anew."""
    loose = [t for t in range(problem.num_tasks) if t not in kept]
    gone: set[int] = set()
    while loose:
        t = loose.pop()
        for k in problem.task_succs[t]:
            succ = problem.precedences[k].succ
            if succ in kept and succ not in gone:
                gone.add(succ)
                loose.append(succ)
    return {t: pl for t, pl in kept.items() if t not in gone}


def _without_projects(
    problem: Problem, kept: dict[int, Placement], projects: set[int]
) -> dict[int, Placement]:
    """``kept`` without the tasks of ``projects``."""
    return {t: pl for t, pl in kept.items() if int(problem.task2project[t]) not in projects}


def _levelled(
    portfolio: Portfolio, problem: Problem, kept: dict[int, Placement], left_out: Collection[int]
) -> tuple[dict[int, Placement] | None, set[int]]:
    """The best complete, verified levelling around ``kept`` (the projects the base plan left
    out stay out when that is no worse), and the projects of the tasks levelling could not place."""
    best: dict[int, Placement] | None = None
    best_value = 0.0
    failing: set[int] = set()
    for rule in levelling_rules(problem):
        result = level(problem, rule, prefixed=kept)
        failing |= {int(problem.task2project[t]) for t, _ in result.failed}
        if not result.complete:
            continue
        placed = result.placements
        out = _without_projects(problem, placed, set(left_out))
        for candidate in (placed, out) if len(out) < len(placed) else (placed,):
            if check_assignments(portfolio, to_assignments(problem, candidate.values())):
                continue
            value = objective_of(problem, candidate)
            if best is None or value < best_value:
                best, best_value = candidate, value
    return best, failing


def repair_plan(
    portfolio: Portfolio,
    problem: Problem,
    assignments: Iterable[Assignment],
    left_out: Iterable[str] = (),
) -> Repaired | None:
    """Repair a plan of a close portfolio (e.g. a scenario's base) to ``portfolio``.

    Parameters
    ----------
    portfolio
        The portfolio to plan (validated); ``problem`` is compiled from it.
    problem
        The compiled ``portfolio``.
    assignments
        The plan to repair (of the base portfolio).
    left_out
        Proposed projects that plan left out: they stay out when that costs no more.

    Returns
    -------
    Repaired | None
        A complete plan that passes the checker, or ``None`` when none could be made
        around the kept work.
    """
    assignments = list(assignments)
    project_index = {pid: p for p, pid in enumerate(problem.project_ids)}
    out_projects = {
        project_index[pid]
        for pid in left_out
        if pid in project_index and not problem.project_committed[project_index[pid]]
    }
    fitted = from_assignments(problem, assignments)
    kept = _valid_kept(portfolio, problem, fitted)
    if kept is None:
        kept = {}
    kept = _whole_proposed(problem, kept)
    placements, failing = _levelled(portfolio, problem, kept, out_projects)
    if placements is None:
        # levelling cannot schedule what follows work placed anew around it: place that too
        kept = _without_successors(problem, kept)
        placements, failing = _levelled(portfolio, problem, kept, out_projects)
    freed: set[int] = set()
    for _ in range(MAX_ROUNDS):
        if placements is not None or not failing - freed:
            break
        # the projects that still do not fit (a deadline, a window) are placed anew whole
        freed |= failing
        kept = _without_projects(problem, kept, freed)
        placements, failing = _levelled(portfolio, problem, kept, out_projects)
    if placements is None:
        return None
    same = sum(1 for t, pl in kept.items() if placements.get(t) == pl)
    index = {key: t for t, key in enumerate(problem.task_ids)}
    return Repaired(
        placements=placements,
        objective=objective_of(problem, placements),
        kept=same,
        placed=len(placements) - same,
        dropped=sum(1 for a in assignments if index.get((a.project, a.task)) not in placements),
    )
