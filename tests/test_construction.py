"""Starting orders for the optimiser: every plan they give is complete and valid."""

from __future__ import annotations

import pytest

from benchmarks.generator import generate_size
from model.checker import check_assignments
from model.load import parse_portfolio
from solver.construction import ORDERS, construct
from solver.convert import to_assignments
from solver.evaluate import weighted_tardiness_of
from solver.levelling import level
from solver.problem import compile_problem


@pytest.mark.parametrize("size", ["tiny", "p10", "p30"])
def test_every_order_gives_a_valid_complete_plan(size: str) -> None:
    pf = parse_portfolio(generate_size(size, seed=1))
    problem = compile_problem(pf)
    plans = construct(problem)
    assert [name for name, _ in plans] == [name for name, _ in ORDERS]
    for _, result in plans:
        assert result.complete
        assert check_assignments(pf, to_assignments(problem, result.placements.values())) == []


def test_a_due_date_order_is_repaired_when_it_leaves_a_committed_project_no_room() -> None:
    # On p150 every due-date order, as is, leaves one committed task no run of free people
    # before the horizon ends; moving its project to the front makes them all complete.
    problem = compile_problem(parse_portfolio(generate_size("p150", seed=0)))
    plans = dict(construct(problem))
    assert len(plans) == len(ORDERS)
    best = min(weighted_tardiness_of(problem, r.placements) for r in plans.values())
    assert best < weighted_tardiness_of(problem, level(problem, "priority").placements)
