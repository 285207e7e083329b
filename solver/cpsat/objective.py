"""The contract's objective in CP-SAT, one term per weight (added only when the weight is > 0).

CP-SAT needs integer coefficients, so every term is multiplied by :data:`SCALE`
and rounded; the reported objective is always recomputed exactly from the plan
by :mod:`model.kpis`.
"""

from __future__ import annotations

from collections.abc import Callable

from ortools.sat.python import cp_model

from solver.cpsat.scope import Scope
from solver.cpsat.variables import Variables

SCALE = 100

Terms = list[tuple[int, cp_model.LinearExprT]]  # (coefficient, expression)


def weight_tardiness(model: cp_model.CpModel, scope: Scope, v: Variables, weight: float) -> tuple[Terms, int]:
    """Σ priority × working days late; a left-out proposed project counts as late by the horizon."""
    pb = scope.problem
    terms: Terms = []
    offset = 0
    for p, late in v.project_late.items():
        terms.append((round(weight * SCALE * int(pb.project_priority[p])), late))
    for p, present in v.project_present.items():
        penalty = round(weight * SCALE * int(pb.project_priority[p]) * pb.num_days)
        offset += penalty
        terms.append((-penalty, present))
    return terms, offset


def weight_completion(
    model: cp_model.CpModel, scope: Scope, v: Variables, weight: float
) -> tuple[Terms, int]:
    """Σ priority × finish day index (the exclusive end minus one) of planned projects."""
    pb = scope.problem
    terms: Terms = []
    offset = 0
    for p, finish in v.project_finish.items():
        coef = round(weight * SCALE * int(pb.project_priority[p]))
        terms.append((coef, finish))
        present = v.project_present.get(p)
        if present is None:
            offset -= coef
        else:
            terms.append((-coef, present))
    return terms, offset


def weight_cost(model: cp_model.CpModel, scope: Scope, v: Variables, weight: float) -> tuple[Terms, int]:
    """Σ person-day cost: cost per day × allocation × length of each assignment."""
    pb = scope.problem
    terms: Terms = []
    for (r, i), x in v.assign.items():
        t = int(pb.req2task[r])
        rate = float(pb.person_cost[i]) * int(pb.req_allocation[r]) / 100
        if rate == 0:
            continue
        modes = v.tasks[t].modes
        if len(modes) == 1:
            terms.append((round(weight * SCALE * rate * modes[0][0].length), x))
        else:
            # x × length for an effort task: one (x and mode) product per crew size
            for mode, b in modes:
                assert b is not None
                both = model.new_bool_var("")
                model.add_implication(both, x)
                model.add_implication(both, b)
                model.add_bool_or([both, ~x, ~b])
                terms.append((round(weight * SCALE * rate * mode.length), both))
    return terms, 0


def weight_continuity(
    model: cp_model.CpModel, scope: Scope, v: Variables, weight: float
) -> tuple[Terms, int]:
    """Σ distinct people per project (small, stable teams)."""
    pb = scope.problem
    free = scope.free_set
    coef = round(weight * SCALE)
    terms: Terms = []
    offset = 0
    by_project: dict[int, dict[int, list[cp_model.IntVar]]] = {}
    for (t, i), lit in v.works.items():
        by_project.setdefault(int(pb.task2project[t]), {}).setdefault(i, []).append(lit)
    for p in scope.projects:
        fixed_team = {
            person
            for t in pb.project2tasks[p]
            if t not in free and t in scope.incumbent
            for person, _ in scope.incumbent[t].people
        }
        offset += coef * len(fixed_team)
        for i, lits in by_project.get(p, {}).items():
            if i in fixed_team:
                continue
            member = model.new_bool_var("")
            for lit in lits:
                model.add_implication(lit, member)
            terms.append((coef, member))
    return terms, offset


def weight_makespan(model: cp_model.CpModel, scope: Scope, v: Variables, weight: float) -> tuple[Terms, int]:
    """Working days from the horizon start to the last finish of the whole plan."""
    pb = scope.problem
    free = scope.free_set
    fixed_end = max((pl.end for t, pl in scope.incumbent.items() if t not in free), default=0)
    last = model.new_int_var(fixed_end, pb.num_days, "makespan")
    for tv in v.tasks.values():
        ct = model.add(last >= tv.end)
        if tv.present is not None:
            ct.only_enforce_if(tv.present)
    return [(round(weight * SCALE), last)], 0


def weight_project_delay(
    model: cp_model.CpModel, scope: Scope, v: Variables, weight: float
) -> tuple[Terms, int]:
    """Σ (exclusive end − release − critical path length) of planned projects."""
    pb = scope.problem
    coef = round(weight * SCALE)
    terms: Terms = []
    offset = 0
    for p, finish in v.project_finish.items():
        terms.append((coef, finish))
        base = coef * int(pb.project_release[p] + pb.project_critical_path[p])
        present = v.project_present.get(p)
        if present is None:
            offset -= base
        else:
            terms.append((-base, present))
    return terms, offset


def weight_disruption(
    model: cp_model.CpModel, scope: Scope, v: Variables, weight: float
) -> tuple[Terms, int]:
    """Moved tasks, shifted days and people taken off tasks, against the replan's baseline."""
    d = scope.disruption
    assert d is not None
    terms: Terms = []
    offset = 0
    for t, tv in v.tasks.items():
        ref = d.reference.get(t)
        if ref is None:
            continue
        moved = model.new_bool_var(f"moved[{t}]")
        model.add(tv.start == ref.start).only_enforce_if(~moved)
        shift = model.new_int_var(0, scope.problem.num_days, f"shift[{t}]")
        model.add(shift >= tv.start - ref.start)
        model.add(shift >= ref.start - tv.start)
        terms.append((round(weight * SCALE * d.weights.moved_task), moved))
        terms.append((round(weight * SCALE * d.weights.shifted_day), shift))
        person_cost = round(weight * SCALE * d.weights.changed_person)
        for person, _ in ref.people:
            lit = v.works.get((t, person))
            if lit is None:
                offset += person_cost
            else:
                offset += person_cost
                terms.append((-person_cost, lit))
    return terms, offset


Term = Callable[[cp_model.CpModel, Scope, Variables, float], tuple[Terms, int]]

OBJECTIVE_TERMS: tuple[tuple[str, Term], ...] = (
    ("tardiness", weight_tardiness),
    ("completion", weight_completion),
    ("cost", weight_cost),
    ("continuity", weight_continuity),
    ("makespan", weight_makespan),
    ("project_delay", weight_project_delay),
)


def set_objective(model: cp_model.CpModel, scope: Scope, v: Variables) -> int:
    """Minimise the weighted terms whose weight is above zero; returns the constant offset."""
    weights = scope.problem.weights
    expr: list[cp_model.LinearExprT] = []
    offset = 0
    for name, term in OBJECTIVE_TERMS:
        weight = float(getattr(weights, name))
        if weight <= 0:
            continue
        terms, const = term(model, scope, v, weight)
        offset += const
        expr.extend(coef * var for coef, var in terms if coef != 0)
    if scope.disruption is not None:
        terms, const = weight_disruption(model, scope, v, 1.0)
        offset += const
        expr.extend(coef * var for coef, var in terms if coef != 0)
    model.minimize(sum(expr) + offset)
    return offset
