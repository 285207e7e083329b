"""CP-SAT variables of a scope: task intervals, modes, named assignments, project finish."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.cpsat.scope import Scope
from solver.problem import Mode

Literal = cp_model.IntVar  # a Boolean variable (or its negation)
Expr = cp_model.LinearExprT


@dataclass
class TaskVars:
    """Start, end, length and mode choice of one free task."""

    start: cp_model.IntVar
    end: cp_model.IntVar
    length: Expr
    crew: Expr
    interval: cp_model.IntervalVar
    modes: list[tuple[Mode, cp_model.IntVar | None]]
    present: cp_model.IntVar | None  # None: always present
    mode_intervals: list[cp_model.IntervalVar]  # one per mode (the task interval if single-mode)

    def mode_count(self, requirement: int) -> cp_model.LinearExprT:
        """People the chosen mode asks for on ``requirement`` (a constant for single-mode tasks)."""
        if len(self.modes) == 1:
            mode = self.modes[0][0]
            return sum(c for r, c in mode.slots if r == requirement)
        lits, coefs = [], []
        for mode, lit in self.modes:
            count = sum(c for r, c in mode.slots if r == requirement)
            if count:
                assert lit is not None
                lits.append(lit)
                coefs.append(count)
        return cp_model.LinearExpr.weighted_sum(lits, coefs)

    def mode_amount(self, amounts: dict[Mode, int]) -> cp_model.LinearExprT:
        """Σ over modes of ``amounts[mode]`` × (mode chosen); a constant for single-mode tasks."""
        if len(self.modes) == 1:
            return amounts.get(self.modes[0][0], 0)
        pairs = [(lit, amounts[m]) for m, lit in self.modes if amounts.get(m)]
        return cp_model.LinearExpr.weighted_sum([p[0] for p in pairs], [p[1] for p in pairs])

    def amounts_by_mode(
        self, uses: Callable[[Mode], Iterable[tuple[int, int]]]
    ) -> dict[int, dict[Mode, int]]:
        """Resource → (mode → amount) for the ``(resource, amount)`` pairs each mode ``uses``
        (pairs of one resource within a mode add up); resources no mode uses are left out."""
        out: dict[int, dict[Mode, int]] = {}
        for mode, _ in self.modes:  # equal modes are one key: assigned, never added twice
            total: dict[int, int] = {}
            for resource, amount in uses(mode):
                total[resource] = total.get(resource, 0) + amount
            for resource, amount in total.items():
                out.setdefault(resource, {})[mode] = amount
        return out

    def mode_demand(self, model: cp_model.CpModel, amounts: dict[Mode, int]) -> cp_model.LinearExprT:
        """What the chosen mode uses of a resource, as a demand of the task interval in a
        cumulative: a constant when every mode uses the same, else an integer variable equal to
        :meth:`mode_amount` (a cumulative takes one variable per demand)."""
        values = {amounts.get(mode, 0) for mode, _ in self.modes}
        if len(values) == 1:
            return values.pop()
        low = min(values) if self.present is None else 0  # an absent task chooses no mode
        demand = model.new_int_var(low, max(values), "")
        model.add(demand == self.mode_amount(amounts))
        return demand


@dataclass
class Variables:
    """All decision variables of a (sub)model."""

    tasks: dict[int, TaskVars] = field(default_factory=dict)
    assign: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (req, person)
    works: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (task, person)
    project_present: dict[int, cp_model.IntVar] = field(default_factory=dict)
    project_finish: dict[int, cp_model.IntVar] = field(default_factory=dict)  # exclusive end
    project_late: dict[int, cp_model.IntVar] = field(default_factory=dict)

    def person_tasks(self) -> dict[int, list[int]]:
        """Per person, the free tasks they might work on."""
        out: dict[int, list[int]] = {}
        for t, i in self.works:
            out.setdefault(i, []).append(t)
        return out


def make_variables(model: cp_model.CpModel, scope: Scope) -> Variables:
    """Create every variable of the scope (constraints come separately)."""
    pb = scope.problem
    v = Variables()
    for p in sorted(scope.optional_projects):
        v.project_present[p] = model.new_bool_var(f"present[{pb.project_ids[p]}]")
    w = scope.windows
    for t in scope.free:
        p = int(pb.task2project[t])
        present = v.project_present.get(p)
        lo, hi = int(w.earliest_start[t]), int(w.latest_end[t])
        modes = pb.task_modes[t]
        min_len = min(m.length for m in modes)
        start = model.new_int_var(lo, max(lo, hi - min_len), f"start[{t}]")
        end = model.new_int_var(lo + min_len, max(lo + min_len, hi), f"end[{t}]")
        if len(modes) == 1:
            mode_vars: list[tuple[Mode, cp_model.IntVar | None]] = [(modes[0], None)]
            length: Expr = modes[0].length
            crew: Expr = modes[0].crew
        else:
            chosen = [model.new_bool_var(f"mode[{t},{m.crew}]") for m in modes]
            mode_vars = list(zip(modes, chosen, strict=True))
            length_var = model.new_int_var(0, max(m.length for m in modes), f"length[{t}]")
            crew_var = model.new_int_var(0, max(m.crew for m in modes), f"crew[{t}]")
            model.add(length_var == cp_model.LinearExpr.weighted_sum(chosen, [m.length for m in modes]))
            model.add(crew_var == cp_model.LinearExpr.weighted_sum(chosen, [m.crew for m in modes]))
            length, crew = length_var, crew_var
        if present is None:
            interval = model.new_interval_var(start, length, end, f"task[{t}]")
        else:
            interval = model.new_optional_interval_var(start, length, end, present, f"task[{t}]")
        if len(modes) == 1:
            mode_intervals = [interval]
        else:
            mode_intervals = [
                model.new_optional_fixed_size_interval_var(start, m.length, lit, f"mode[{t},{k}]")
                for k, (m, lit) in enumerate(mode_vars)
                if lit is not None
            ]
        v.tasks[t] = TaskVars(start, end, length, crew, interval, mode_vars, present, mode_intervals)
        # named assignments: one Boolean per (requirement, candidate person)
        reqs = pb.task2requirements[t]
        eligible_for: dict[int, list[int]] = {}
        for r in reqs:
            for i in scope.candidates[r].tolist():
                v.assign[(r, i)] = model.new_bool_var(f"x[{r},{i}]")
                eligible_for.setdefault(i, []).append(r)
        for i, rs in eligible_for.items():
            if len(rs) == 1:
                v.works[(t, i)] = v.assign[(rs[0], i)]
            else:
                v.works[(t, i)] = model.new_bool_var(f"works[{t},{i}]")
    for p in scope.projects:
        v.project_finish[p] = model.new_int_var(0, pb.num_days, f"finish[{pb.project_ids[p]}]")
        if pb.project_has_due[p]:
            v.project_late[p] = model.new_int_var(0, pb.num_days, f"late[{pb.project_ids[p]}]")
    return v
