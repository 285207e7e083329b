"""Why a portfolio has no plan: a minimal set of conflicting rules and the relaxations that fix it.

The cheap checks of :mod:`solver.analysis.feasibility` explain most infeasible inputs at
once. When they pass but CP-SAT still proves that no plan exists, this module
asks CP-SAT again with the relaxable rules guarded by assumption literals —
each project's deadline, each task's latest finish and pinned start, each
committed project's commitment — and shrinks the conflict CP-SAT returns to a
minimal one (deletion filter). Each rule in it is then relaxed alone to find
the smallest fix: how many working days to slip a deadline, or which project to
drop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from model.hard_rules import HardRule
from solver.analysis.feasibility import Reason
from solver.cpsat.constraints import CONSTRAINTS
from solver.cpsat.scope import build_scope
from solver.cpsat.variables import Variables, make_variables
from solver.problem import Problem


@dataclass(frozen=True)
class _Rule:
    """A relaxable rule: its kind, the project (and task) and the day it imposes."""

    kind: str  # "deadline", "latest_finish", "fixed_start", "commitment"
    project: int
    task: int = -1
    day: int = -1  # exclusive end limit (deadline, latest finish) or pinned start

    @property
    def hard_rule(self) -> HardRule:
        """The contract rule this input limit is part of."""
        return HardRule.COMPLETE_PROJECTS if self.kind == "commitment" else HardRule.TASK_WINDOWS


def _rules(problem: Problem) -> list[_Rule]:
    cal = problem.calendar
    rules = []
    for p in range(problem.num_projects):
        if not problem.project_committed[p]:
            continue
        rules.append(_Rule("commitment", p))
        if problem.project_deadline_date[p] is not None:
            rules.append(_Rule("deadline", p, day=int(problem.project_deadline[p]) + 1))
        for t in problem.project2tasks[p]:
            latest_finish = problem.task_latest_finish_date[t]
            if latest_finish is not None:
                rules.append(_Rule("latest_finish", p, t, cal.floor_index(latest_finish) + 1))
            if problem.task_fixed_start[t] >= 0:
                rules.append(_Rule("fixed_start", p, t, int(problem.task_fixed_start[t])))
    return rules


def _relaxed(problem: Problem) -> Problem:
    """The problem without deadlines, latest finishes and pins (the rules add them back)."""
    horizon = problem.num_days
    return replace(
        problem,
        task_latest_end=np.full(problem.num_tasks, horizon, dtype=np.int64),
        project_deadline=np.full(problem.num_projects, horizon - 1, dtype=np.int64),
        task_fixed_start=np.full(problem.num_tasks, -1, dtype=np.int64),
    )


class _Diagnosis:
    """A feasibility model whose relaxable rules are switched by literals."""

    def __init__(self, problem: Problem, rules: list[_Rule]) -> None:
        self.problem = problem
        self.rules = rules
        relaxed = _relaxed(problem)
        everyone = set(range(problem.num_projects))
        self.scope = build_scope(relaxed, list(range(problem.num_tasks)), {}, everyone)
        self.model = cp_model.CpModel()
        self.v: Variables = make_variables(self.model, self.scope)
        for family in CONSTRAINTS:
            family(self.model, self.scope, self.v)
        self.literals = [self.model.new_bool_var(f"rule[{k}]") for k in range(len(rules))]
        for rule, lit in zip(rules, self.literals, strict=True):
            self._guard(rule, lit)

    def _guard(self, rule: _Rule, lit: cp_model.IntVar) -> None:
        pb, v = self.problem, self.v
        if rule.kind == "commitment":
            self.model.add_implication(lit, v.project_present[rule.project])
            return
        tasks = pb.project2tasks[rule.project] if rule.kind == "deadline" else [rule.task]
        for t in tasks:
            tv = v.tasks[t]
            if rule.kind == "fixed_start":
                ct = self.model.add(tv.start == rule.day)
            else:
                ct = self.model.add(tv.end <= rule.day)
            ct.only_enforce_if([lit, v.project_present[rule.project]])

    def feasible(self, active: list[int], seconds: float) -> bool | None:
        """Whether a plan exists with only the ``active`` rules on (None: unknown in time)."""
        self.model.clear_assumptions()
        on = set(active)
        self.model.add_assumptions([lit if k in on else ~lit for k, lit in enumerate(self.literals)])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1  # assumptions need the single-thread core search
        solver.parameters.catch_sigint_signal = False  # the caller owns SIGINT
        status = solver.solve(self.model)
        self.last = solver
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return True
        if status == cp_model.INFEASIBLE:
            return False
        return None

    def core(self, seconds: float) -> list[int] | None:
        """A minimal set of rules that cannot all hold (None when it cannot tell in time)."""
        everything = list(range(len(self.rules)))
        if self.feasible(everything, seconds) is not False:
            return None
        found = [i for i in self.last.sufficient_assumptions_for_infeasibility() if i >= 0]
        by_index = {lit.index: k for k, lit in enumerate(self.literals)}
        core = sorted({by_index[i] for i in found if i in by_index}) or everything
        for k in list(core):  # deletion filter: drop every rule the conflict does not need
            trial = [x for x in core if x != k]
            if self.feasible(trial, seconds) is False:
                core = trial
        return core

    def smallest_slip(self, rule_index: int, core: list[int], seconds: float) -> int | None:
        """Fewest working days the rule's date must move for the rest of the core to hold."""
        rule = self.rules[rule_index]
        lo, hi = 1, self.problem.num_days
        best = None
        while lo <= hi:  # binary search on the slip: feasibility is monotone in it
            mid = (lo + hi) // 2
            shifted = _Rule(rule.kind, rule.project, rule.task, rule.day + mid)
            trial = _Diagnosis(self.problem, [*(self.rules[k] for k in core if k != rule_index), shifted])
            if trial.feasible(list(range(len(trial.rules))), seconds):
                best, hi = mid, mid - 1
            else:
                lo = mid + 1
        return best


def _describe(problem: Problem, rule: _Rule, slip: int | None) -> str:
    cal = problem.calendar
    name = problem.project_ids[rule.project]
    if rule.kind == "commitment":
        return f"drop project {name} or make it proposed (it cannot be planned with the rest)"
    what = {
        "deadline": f"the deadline of {name}",
        "latest_finish": f"the latest finish of {problem.task_name(rule.task)}",
        "fixed_start": f"the fixed start of {problem.task_name(rule.task)}",
    }[rule.kind]
    if slip is None:
        return f"{what} conflicts with the rest; relaxing it alone does not help"
    target = min(rule.day - 1 + slip, cal.num_days - 1)
    verb = "move it" if rule.kind == "fixed_start" else "slip it"
    return f"{what} is {slip} working day(s) too early: {verb} to {cal.date(target).isoformat()}"


def _with_hire(problem: Problem, skill: str, level: int, first: int, last: int) -> Problem:
    """The problem with one more person, qualified ``skill ≥ level``, working days ``first … last``."""
    taken = set(problem.person_ids)
    pid = next(f"hire-{skill}-{k}" for k in range(len(taken) + 1) if f"hire-{skill}-{k}" not in taken)
    available = np.zeros(problem.num_days, dtype=bool)
    available[first : last + 1] = True
    return problem.with_person(pid, {skill: level}, available)


def suggest_hire(problem: Problem, rules: list[_Rule], deadline: float, per_call: float) -> Reason | None:
    """One more person who makes ``rules`` hold together, over the shortest stretch found.

    For each skill the conflicting projects need (at the highest level they ask for it),
    a hire for the whole horizon is tried first; the first that works has its join date
    pushed as late, then its leave date as early, as the conflict still allows (binary
    searches: a shorter stay never helps more). Checked by CP-SAT, so the fix is proven.
    """
    projects = {rule.project for rule in rules}
    need: dict[str, int] = {}
    work: dict[str, int] = {}
    for p in projects:
        for t in problem.project2tasks[p]:
            length = min(m.length for m in problem.task_modes[t])
            for r in problem.task2requirements[t]:
                skill = problem.req_skill[r]
                need[skill] = max(need.get(skill, 0), int(problem.req_level[r]))
                work[skill] = work.get(skill, 0) + length * int(problem.req_allocation[r])
    last_day = problem.num_days - 1

    def works(skill: str, first: int, last: int) -> bool:
        if time.perf_counter() > deadline:
            return False
        trial = _Diagnosis(_with_hire(problem, skill, need[skill], first, last), rules)
        return trial.feasible(list(range(len(rules))), per_call) is True

    for skill in sorted(need, key=lambda s: -work[s]):
        if not works(skill, 0, last_day):
            continue
        lo, hi = 0, last_day  # latest join that still works lies in [lo, hi]
        while lo < hi and time.perf_counter() < deadline:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if works(skill, mid, last_day) else (lo, mid - 1)
        first = lo
        lo, hi = first, last_day  # earliest leave that still works lies in [lo, hi]
        while lo < hi and time.perf_counter() < deadline:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if works(skill, first, mid) else (mid + 1, hi)
        cal = problem.calendar
        start, end = cal.date(first), cal.date(hi)
        return Reason(
            "Conflict: capacity",
            f"hire one more person with {skill} ≥ {need[skill]} from {start.isoformat()} to "
            f"{end.isoformat()} (ISO weeks {start.isocalendar().week}–{end.isocalendar().week}): "
            "with them every rule above holds as it is",
            hard_rule=HardRule.PERSON_CAPACITY,
        )
    return None


def diagnose(problem: Problem, seconds: float = 10.0) -> list[Reason]:
    """A minimal conflict among deadlines, windows, pins and commitments, with its fixes.

    Returns an empty list when no conflict could be shown within ``seconds``.
    """
    began = time.perf_counter()
    rules = _rules(problem)
    if not rules:
        return []
    per_call = max(0.5, seconds / 8)
    diagnosis = _Diagnosis(problem, rules)
    core = diagnosis.core(per_call)
    if core is None:
        return []
    reasons = []
    dated = [k for k in core if rules[k].kind != "commitment"]
    for k in core:
        rule = rules[k]
        slip = None
        if rule.kind != "commitment" and time.perf_counter() - began < seconds:
            slip = diagnosis.smallest_slip(k, core, per_call)
        elif rule.kind == "commitment" and dated:
            continue  # with dated rules in the conflict, moving a date is the smaller fix
        reasons.append(
            Reason(
                f"Conflict: {rule.kind.replace('_', ' ')}",
                _describe(problem, rule, slip),
                project=problem.project_ids[rule.project],
                task=problem.task_ids[rule.task][1] if rule.task >= 0 else None,
                hard_rule=rule.hard_rule,
            )
        )
    hire = suggest_hire(problem, [rules[k] for k in core], began + seconds, per_call)
    if hire is not None:
        reasons.append(hire)
    return reasons
