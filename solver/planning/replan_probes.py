"""Probes of a replan: could a changed project finish earlier, and would moving pay?

For each project changed since the baseline and still late, the work around it (its
tasks, the work competing with them for the same people, and what follows) is levelled
with that project first, as if moving cost nothing; the replan adds the plan of its search
with zero disruption weights (:func:`solver.planning.replan.replan`). Every such plan is a
candidate: the replan takes the best of them at the real weights when it beats its own
plan, and otherwise says what moving the project earlier would have cost and gained.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from solver.construct.levelling import Placement, level
from solver.evaluate import objective_of, project_lateness, weighted_tardiness_of
from solver.planning.disruption import Disruption
from solver.problem import Point, Precedence, Problem
from solver.search.neighbourhoods import project_and_blockers
from solver.settings import SolverSettings
from solver.solve import Progress, ProgressCallback
from solver.stop import StopRequest, stopped

Plan = dict[int, Placement]

MAX_UNDO = 200  # tasks a deterministic run tries to put back (others stop at their deadline)
MAX_PROBED = 5  # changed projects probed at most (the most weighted lateness first): bounded time


def finish_day(problem: Problem, placements: Plan, p: int) -> int:
    """Last working day of project ``p`` in ``placements`` (-1: none of its tasks placed)."""
    return max((placements[t].end - 1 for t in problem.project2tasks[p] if t in placements), default=-1)


def with_successors(problem: Problem, tasks: list[int], frozen: set[int]) -> list[int]:
    """``tasks`` and every task after them in the dependency graph, frozen ones left out
    (a task placed later must be able to take its successors along)."""
    seen = {t for t in tasks if t not in frozen}
    queue = list(seen)
    while queue:
        t = queue.pop()
        for k in problem.task_succs[t]:
            u = problem.precedences[k].succ
            if u not in seen and u not in frozen:
                seen.add(u)
                queue.append(u)
    return sorted(seen)


def level_first(problem: Problem, placements: Plan, p: int, free: list[int]) -> Plan | None:
    """``free`` levelled around the rest of ``placements`` with project ``p`` first (its
    priority above every other's); the better of the priority and deadline rules, None when
    neither places every committed task."""
    gone = set(free)
    prefixed = {t: pl for t, pl in placements.items() if t not in gone}
    priority = problem.project_priority.copy()
    priority[p] = priority.max() + 1
    first = replace(problem, project_priority=priority)
    plans = [
        r.placements for r in (level(first, rule, prefixed=prefixed) for rule in ("priority", "deadline"))
    ]
    plans = [
        plan
        for plan in plans
        if all(t in plan for t in free if problem.project_committed[problem.task2project[t]])
    ]
    return min(plans, key=lambda plan: objective_of(problem, plan), default=None)


def _resources(pl: Placement) -> set[tuple[str, int]]:
    """The people and pools a placement holds."""
    return {("person", p) for p, _ in pl.people} | {("pool", k) for k, _ in pl.mode.pools}


def _point(pl: Placement, point: Point) -> int:
    return pl.end if point == Point.END else pl.start


def _holds(prec: Precedence, pred: Placement, succ: Placement) -> bool:
    """Whether a dependency holds between these two placements."""
    return _point(succ, prec.succ_point) >= _point(pred, prec.pred_point) + prec.delay


def blend(problem: Problem, base: Plan, other: Plan, seeds: list[int]) -> Plan:
    """``base`` with ``seeds`` placed as in ``other``, and every task that would then clash
    (the same person or pool at the same time, or a dependency across the two plans) placed
    as in ``other`` too, until none does: on each resource the result is wholly one plan or
    the other at any time, and every dependency between the two holds, so it keeps what
    ``other`` gains there at the fewest changes.
    (The checker still has the last word: project-wide rules such as budgets are not followed.)

    Parameters
    ----------
    problem
        The compiled problem both plans are of.
    base, other
        Two complete plans (task index → placement), each valid on its own.
    seeds
        The tasks to place as in ``other``.

    Returns
    -------
    dict[int, Placement]
        ``base`` with ``seeds`` and their clashes as in ``other``.
    """
    differs = {t for t, pl in other.items() if base.get(t) != pl}
    taken: set[int] = set()
    queue = [t for t in seeds if t in differs]
    while queue:
        t = queue.pop()
        if t in taken:
            continue
        taken.add(t)
        pl, held = other[t], _resources(other[t])
        for u in differs - taken:
            q = base.get(u)
            if q is not None and q.start < pl.end and pl.start < q.end and held & _resources(q):
                queue.append(u)
        for k in (*problem.task_preds[t], *problem.task_succs[t]):
            prec = problem.precedences[k]
            u = prec.pred if prec.succ == t else prec.succ
            if u in differs and u not in taken and u in base:
                pred, succ = (base[u], pl) if u == prec.pred else (pl, base[u])
                if not _holds(prec, pred, succ):
                    queue.append(u)
    return {**base, **{t: other[t] for t in taken}}


@dataclass
class Probes:
    """The candidate plans found around the changed projects, and what they tell."""

    problem: Problem
    disruption: Disruption
    settings: SolverSettings
    stop: StopRequest | None = None
    progress: ProgressCallback | None = None
    began: float = field(default_factory=time.perf_counter)
    pool: list[Plan] = field(default_factory=list)
    valid: Callable[[Plan], bool] = lambda plan: True  # the independent checker's verdict

    def blends(self, base: Plan, free: Plan) -> list[Plan]:
        """``base`` with what ``free`` (a plan made as if moving cost nothing) gains on each
        late changed project it finishes earlier, one project at a time and all together
        (:func:`blend`); those the checker and the cap on changes accept join the candidates."""
        problem, d = self.problem, self.disruption
        gains = [p for p in self.probed(base) if finish_day(problem, free, p) < finish_day(problem, base, p)]
        groups = [[p] for p in gains] + ([gains] if len(gains) > 1 else [])
        out = []
        for group in groups:
            seeds = [t for p in group for t in problem.project2tasks[p]]
            plan = blend(problem, base, free, seeds)
            capped = d.max_changes is not None and d.change_count(plan) > d.max_changes
            if not capped and self.valid(plan):
                out.append(plan)
        self.pool += out
        return out

    def value(self, plan: Plan) -> float:
        """The replan's objective: the contract's plus the disruption at the real weights."""
        return objective_of(self.problem, plan) + self.disruption.cost(plan)

    def late_changed(self, placements: Plan) -> list[int]:
        """The changed projects late in ``placements``, the most weighted lateness first."""
        problem = self.problem
        weights = problem.project_priority * project_lateness(problem, placements)
        return sorted((p for p in self.disruption.focus if weights[p] > 0), key=lambda p: (-weights[p], p))

    def probed(self, placements: Plan) -> list[int]:
        """The late changed projects worth a probe (at most :data:`MAX_PROBED`)."""
        return self.late_changed(placements)[:MAX_PROBED]

    def _around(self, placements: Plan, p: int, size: int) -> list[int]:
        rng = random.Random(self.settings.seed * 31 + p * 7 + size)
        seeds = project_and_blockers(self.problem, placements, p, size, rng)
        return with_successors(self.problem, seeds, self.disruption.frozen)

    def _best(self, placements: Plan) -> Plan:
        """``placements`` or the best candidate at the real weights, whichever is better."""
        best = min(self.pool, key=self.value, default=placements)
        value = self.value(best)
        if value < self.value(placements) - 1e-9:
            if self.progress:
                seconds = time.perf_counter() - self.began
                self.progress(Progress(seconds, value, None, "moving a changed project pays"))
            return best
        return placements

    def levelled(self, placements: Plan) -> Plan:
        """Level the work around each late changed project with it first, at two sizes; the better of ``placements`` and the candidates."""
        size = self.settings.tuning.lns.start_size
        for p in self.probed(placements):
            for free in (self._around(placements, p, k * size) for k in (1, 2)):
                if stopped(self.stop):
                    return self._best(placements)
                plan = level_first(self.problem, placements, p, free)
                if plan is not None:
                    self.pool.append(plan)
        return self._best(placements)

    def no_later(self, plan: Plan) -> bool:
        """Whether every changed project finishes no later than in the baseline (a project
        whose priority, due date or people changed must not be the one that gives way)."""
        problem, reference = self.problem, self.disruption.reference
        return all(
            finish_day(problem, plan, p) <= finish_day(problem, reference, p) for p in self.disruption.focus
        )

    def best(self, *plans: Plan) -> Plan:
        """The best at the real weights of ``plans`` and the candidates that make no changed
        project later than the baseline (the first of ``plans`` when none does)."""
        fair = [plan for plan in [*plans, *self.pool] if self.no_later(plan)]
        return min(fair, key=self.value) if fair else plans[0]

    def undo(self, placements: Plan, deadline: float) -> Plan:
        """Put changed tasks back where the baseline had them, with whatever would clash (the
        most shifted first, :func:`blend`), while that lowers the objective at the real
        weights, the checker accepts it and no changed project gets later; until ``deadline``
        (a ``time.perf_counter()`` time), or :data:`MAX_UNDO` tries in deterministic runs."""
        reference = self.disruption.reference
        back = {t: reference.get(t, pl) for t, pl in placements.items()}
        moved = sorted(
            (t for t, pl in placements.items() if back[t] != pl),
            key=lambda t: -abs(back[t].start - placements[t].start),
        )
        value = self.value(placements)
        for k, t in enumerate(moved):
            over = k >= MAX_UNDO if self.settings.deterministic else time.perf_counter() > deadline
            if over or stopped(self.stop):
                break
            if placements[t] == back[t]:  # put back with an earlier one
                continue
            plan = blend(self.problem, placements, back, [t])
            cheaper = self.value(plan)
            if cheaper < value - 1e-9 and self.no_later(plan) and self.valid(plan):
                placements, value = plan, cheaper
        return placements

    def reasons(self, placements: Plan) -> list[str]:
        """Per changed project: whether it moved against the baseline, and, while late, what
        moving it earlier would cost and gain (from the candidate that moves it earlier at
        the least cost), or that no candidate moves it earlier."""
        problem, d = self.problem, self.disruption
        date = problem.calendar.date
        w = d.weights
        rates = f"{w.moved_task:g}/{w.shifted_day:g}/{w.changed_person:g}"
        late = set(self.late_changed(placements))
        out = []
        for p in d.focus:
            name = problem.project_ids[p]
            before, after = finish_day(problem, d.reference, p), finish_day(problem, placements, p)
            if 0 <= after < before:
                out.append(f"{name} moves earlier: finish {date(after)} instead of {date(before)}")
            if p not in late:
                if after == before >= 0:
                    out.append(f"{name} stays: it finishes on time ({date(after)}), moving it gains nothing")
                elif after > before >= 0:
                    out.append(
                        f"{name} moves later, still on time: finish {date(after)} instead of {date(before)}"
                    )
                continue
            earlier = [c for c in self.pool if finish_day(problem, c, p) < after]
            if not earlier:
                out.append(
                    f"{name} cannot finish earlier than {date(after)}: no plan found with it earlier (its work "
                    "and the work competing for its people re-placed with every change free)"
                )
                continue
            best = min(earlier, key=self.value)
            cost = d.cost(best) - d.cost(placements)
            changed = d.change_count(best) - d.change_count(placements)
            lateness = problem.weights.tardiness * (
                weighted_tardiness_of(problem, placements) - weighted_tardiness_of(problem, best)
            )
            trade = (
                f"for {lateness:,.0f} less weighted lateness"
                if lateness > 0
                else f"and add {-lateness:,.0f} weighted lateness (the work it displaces loses more than it gains)"
            )
            rest = objective_of(problem, placements) - objective_of(problem, best) - lateness
            if abs(rest) >= 0.5:  # the objective's other terms (cost, completion, makespan …) move too
                trade += (
                    f" and {abs(rest):,.0f} {'less' if rest > 0 else 'more'} in the rest of the objective"
                )
            # a candidate may even disrupt less than the plan kept and still lose on lateness
            disrupt = f"cost {cost:,.0f}" if cost >= 0 else f"save {-cost:,.0f}"
            out.append(
                f"moving {name} earlier (finish {date(finish_day(problem, best, p))} instead of {date(after)}) "
                f"would {disrupt} disruption ({changed:+d} changed tasks) {trade}: kept, as it does not "
                f"pay at move/shift/people weights {rates}"
            )
        return out
