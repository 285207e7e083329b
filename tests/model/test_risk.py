"""Schedule risk (:mod:`model.risk`): analytic distributions, feasibility of every sample, the
plan itself without uncertainty, determinism and the errors of bad estimates or plans."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from model.checker import check_plan
from model.kpis import availability_matrix
from model.load import InvalidInput, parse_portfolio
from model.plan import Assignment, Plan, PlanStatus
from model.portfolio import Portfolio
from model.risk import (
    Network,
    StartPolicy,
    analyse_risk,
    build_network,
    finish_days,
    sample_lengths,
    simulate,
)
from solver.convert import to_assignments
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import best_levelling, solve
from tests.conftest import assign, build, person, pool_portfolios, portfolio_dict, project, task

GRID = 1e-3  # working days per step of the numerical convolution
TRIANGLES = [(2.0, 3.0, 6.0), (1.0, 4.0, 5.0), (3.0, 3.5, 9.0)]


def _triangle_pdf(low: float, mode: float, high: float) -> np.ndarray:
    """The density of a triangular distribution on the grid ``0, GRID, 2 GRID, …, high``."""
    x = np.arange(0, high + GRID, GRID)
    rising = np.where((x >= low) & (x < mode), 2 * (x - low) / ((high - low) * (mode - low)), 0.0)
    falling = np.where((x >= mode) & (x <= high), 2 * (high - x) / ((high - low) * (high - mode)), 0.0)
    return rising + falling


def _cdf_of_sum(triangles: list[tuple[float, float, float]]) -> np.ndarray:
    """The distribution function of a sum of triangular lengths, by numerical convolution."""
    density = np.array([1 / GRID])
    for t in triangles:
        density = np.convolve(density, _triangle_pdf(*t)) * GRID
    return np.cumsum(density) * GRID


def _at(cdf: np.ndarray, x: float) -> float:
    return float(cdf[min(len(cdf) - 1, round(x / GRID))])


def _tolerance(p: float, n: int) -> float:
    # 5 standard errors of a sampled probability, plus the convolution's grid error
    return 5 * math.sqrt(max(p * (1 - p), 1e-4) / n) + 5e-3


def _estimate(t: tuple[float, float, float]) -> dict[str, float]:
    return {"optimistic": t[0], "likely": t[1], "pessimistic": t[2]}


def _chain_portfolio(due: str | None = None) -> Portfolio:
    """One project: a chain of three tasks with triangular estimates, each on its own person."""
    tasks = [
        task(
            f"t{k}",
            round(t[1]),
            estimate=_estimate(t),
            fixed_people=[f"p{k}"],
            dependencies=[{"task": f"t{k - 1}"}] if k else [],
        )
        for k, t in enumerate(TRIANGLES)
    ]
    extra = {"due": due} if due else {}
    return build(
        portfolio_dict(
            [project("chain", tasks, **extra)], [person(f"p{k}") for k in range(3)], end="2027-03-31"
        )
    )


def _levelled(pf: Portfolio) -> Plan | None:
    """The levelling plan of ``pf`` (no optimiser: fast), if it plans every committed project."""
    problem = compile_problem(pf)
    result, value, _ = best_levelling(problem, lambda _: None)
    if value is None:
        return None
    plan = Plan(status=PlanStatus.feasible, assignments=to_assignments(problem, result.placements.values()))
    return plan if not check_plan(pf, plan) else None


def _plan(pf: Portfolio) -> Plan:
    plan = _levelled(pf)
    assert plan is not None
    return plan


def _ann_does(tasks: list[dict[str, Any]], *assignments: Assignment) -> tuple[Portfolio, Plan]:
    """Project x of ``tasks``, ann its only person, and the plan of ``assignments``."""
    pf = build(portfolio_dict([project("x", tasks)], [person("ann")], end="2027-03-31"))
    return pf, Plan(status=PlanStatus.feasible, assignments=list(assignments))


def _samples(
    pf: Portfolio, plan: Plan, n: int, seed: int, policy: StartPolicy
) -> tuple[Network, np.ndarray, np.ndarray]:
    net = build_network(pf, plan, policy)
    sample = simulate(net, sample_lengths(net, n, np.random.default_rng(seed)))
    return net, sample.start, sample.end


def test_a_chain_of_triangular_lengths_follows_their_convolution() -> None:
    pf = _chain_portfolio()
    n = 40_000
    _, _, end = _samples(pf, _plan(pf), n, 1, StartPolicy.earliest)
    finish = end.max(axis=0)
    cdf = _cdf_of_sum(TRIANGLES)
    for x in (8.0, 10.0, 11.5, 13.0, 15.0):
        expected = _at(cdf, x)
        assert abs(np.mean(finish <= x) - expected) <= _tolerance(expected, n), x
    # every task of a chain sets its project's finish in every sample
    report = analyse_risk(pf, _plan(pf), 2_000, 1, StartPolicy.earliest)
    assert [t.criticality for t in report.tasks] == [1.0, 1.0, 1.0]


def test_on_time_probability_is_the_distribution_at_the_due_date() -> None:
    # due on working day 11 (2027-01-19): on time when the chain ends by the end of that day
    pf = _chain_portfolio(due="2027-01-19")
    n = 40_000
    report = analyse_risk(pf, _plan(pf), n, 2, StartPolicy.earliest)
    expected = _at(_cdf_of_sum(TRIANGLES), 12.0)
    (risk,) = report.projects
    assert risk.p_on_time is not None
    assert abs(risk.p_on_time - expected) <= _tolerance(expected, n)
    median = pf.work_calendar.index(risk.p50_finish) + 1
    assert _at(_cdf_of_sum(TRIANGLES), median - 1) < 0.5 <= _at(_cdf_of_sum(TRIANGLES), median)


def test_parallel_branches_follow_the_product_of_their_distributions() -> None:
    # branch one: a → b on p0; branch two: c on p1; the project ends with the later branch
    a, b, c = TRIANGLES
    tasks = [
        task("a", 3, estimate=_estimate(a), fixed_people=["p0"]),
        task("b", 4, estimate=_estimate(b), fixed_people=["p0"], dependencies=[{"task": "a"}]),
        task("c", 4, estimate=_estimate(c), fixed_people=["p1"]),
    ]
    pf = build(portfolio_dict([project("fork", tasks)], [person("p0"), person("p1")], end="2027-03-31"))
    plan = _plan(pf)
    n = 40_000
    net, _, end = _samples(pf, plan, n, 3, StartPolicy.earliest)
    finish = end.max(axis=0)
    first, second = _cdf_of_sum([a, b]), _cdf_of_sum([c])
    for x in (5.0, 6.5, 7.5, 8.5, 10.0):
        expected = _at(first, x) * _at(second, x)
        assert abs(np.mean(finish <= x) - expected) <= _tolerance(expected, n), x
    # c is critical exactly when its branch ends last
    report = analyse_risk(pf, plan, n, 3, StartPolicy.earliest)
    crit = {t.task: t.criticality for t in report.tasks}
    later = np.mean(end[net.keys.index(("fork", "c"))] >= end[net.keys.index(("fork", "b"))])
    assert crit["c"] == pytest.approx(later, abs=_tolerance(later, n))
    assert crit["a"] == crit["b"] == pytest.approx(1 - crit["c"], abs=2 / n)


# --------------------------------------------------------------------------- every sample is feasible


def _load_ok(spans: list[tuple[float, float, float]], capacity: float) -> bool:
    """Whether ``(start, end, amount)`` intervals never add up to more than ``capacity`` (at any start)."""
    eps = 1e-3
    return all(sum(u for s, e, u in spans if s <= t + eps and e > t + eps) <= capacity for t, _, _ in spans)


def _sample_problems(
    pf: Portfolio, plan: Plan, net: Network, start: np.ndarray, end: np.ndarray
) -> list[str]:
    """Broken rules in one sampled schedule, re-derived from the portfolio (not from the network)."""
    eps = 1e-3
    row = {key: i for i, key in enumerate(net.keys)}
    problems = []
    for p in pf.projects:
        for t in p.tasks:
            if (p.id, t.id) not in row:
                continue
            s, e = start[row[(p.id, t.id)]], end[row[(p.id, t.id)]]
            for dep in t.dependencies:
                key = pf.task_key(p.id, dep.task)
                if key not in row:
                    continue
                ps, pe = start[row[key]], end[row[key]]
                lhs, rhs = {
                    "FS": (s, pe + dep.lag),
                    "SS": (s, ps + dep.lag),
                    "FF": (e, pe + dep.lag),
                    "SF": (e, ps + dep.lag + 1),
                }[dep.type.value]
                if lhs < rhs - eps:
                    problems.append(f"{p.id}/{t.id} breaks its {dep.type.value} link on {key}")
    available = availability_matrix(pf)
    people = {q.id: k for k, q in enumerate(pf.people)}
    by_person: dict[str, list[tuple[float, float, float]]] = {}
    for a in plan.assignments:
        s, e = float(start[row[(a.project, a.task)]]), float(end[row[(a.project, a.task)]])
        for who in a.people:
            by_person.setdefault(who.id, []).append((s, e, who.allocation))
            off = np.flatnonzero(~available[people[who.id]])
            if np.any((off + 1 > s + eps) & (off < e - eps)):
                problems.append(f"{who.id} works on {a.project}/{a.task} on a day off")
        job = pf.project(a.project).tasks[[t.id for t in pf.project(a.project).tasks].index(a.task)]
        if job.effort is None:
            for req in job.mode_options()[a.mode or 0].requirements:
                if req.pool is not None:
                    by_person.setdefault(f"pool {req.pool}", []).append((s, e, req.units))
    capacity = {q.id: q.capacity for q in pf.people} | {f"pool {q.id}": q.capacity for q in pf.pools}
    problems += [
        f"{who} over capacity" for who, spans in by_person.items() if not _load_ok(spans, capacity[who])
    ]
    return problems


def _with_estimates(data: dict[str, Any], optimistic: float, pessimistic: float) -> Portfolio:
    data = copy.deepcopy(data)
    data["risk"] = {"default_spread": {"optimistic": optimistic, "pessimistic": pessimistic}}
    return parse_portfolio(data)


def _check_samples(pf: Portfolio, plan: Plan, seed: int) -> None:
    for policy in StartPolicy:
        net = build_network(pf, plan, policy)
        sample = simulate(net, sample_lengths(net, 6, np.random.default_rng(seed)))
        for k in range(sample.start.shape[1]):
            problems = _sample_problems(pf, plan, net, sample.start[:, k], sample.end[:, k])
            if sample.conflict[k]:  # a link against the plan's order is left out: people still hold
                problems = [p for p in problems if " link on " not in p]
            assert problems == [], (policy, k)


@st.composite
def _shared_people(draw: st.DrawFn) -> dict[str, Any]:
    """Portfolios levelling always plans: a year's horizon, 2–4 people sharing 2–3 projects, part-time
    people and allocations, absences, releases, dependencies of every kind with lags, some own estimates."""
    people = []
    for i in range(draw(st.integers(2, 4))):
        off = [
            {"start": f"2027-02-{a:02d}", "end": f"2027-02-{a + draw(st.integers(0, 6)):02d}"}
            for a in draw(st.lists(st.integers(1, 20), max_size=2, unique=True))
        ]
        people.append(
            person(f"p{i}", {"dev": 3, "qa": 3}, capacity=draw(st.sampled_from([100, 60])), absences=off)
        )
    projects: list[dict[str, Any]] = []
    earlier: list[str] = []
    for j in range(draw(st.integers(1, 3))):
        tasks = []
        for k in range(draw(st.integers(1, 5))):
            spec = task(
                f"t{k}",
                draw(st.integers(1, 6)),
                skill=draw(st.sampled_from(["dev", "qa"])),
                count=draw(st.integers(1, 2)),
                allocation=draw(st.sampled_from([100, 50, 30])),
            )
            choices = [f"t{x}" for x in range(k)] + earlier
            if choices and draw(st.booleans()):
                spec["dependencies"] = [
                    {
                        "task": dep,
                        "type": draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
                        "lag": draw(st.integers(-2, 3)),
                    }
                    for dep in draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True))
                ]
            if draw(st.booleans()):
                low, mode = sorted(draw(st.lists(st.floats(0.5, 8), min_size=2, max_size=2)))
                spec["estimate"] = {
                    "optimistic": low,
                    "likely": mode,
                    "pessimistic": mode + draw(st.floats(0, 8)),
                }
            tasks.append(spec)
        projects.append(project(f"j{j}", tasks, release=f"2027-01-{draw(st.integers(4, 15)):02d}"))
        earlier += [f"j{j}/{t['id']}" for t in tasks]
    return portfolio_dict(projects, people, end="2027-12-31")


@settings(deadline=None, max_examples=30, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_shared_people(), st.floats(0.3, 1.0), st.floats(1.0, 3.0), st.integers(0, 100))
def test_every_sample_keeps_dependencies_and_people(
    data: dict[str, Any], low: float, high: float, seed: int
) -> None:
    pf = _with_estimates(data, low, high)
    plan = _levelled(pf)
    assume(plan is not None and plan.assignments)
    assert plan is not None
    _check_samples(pf, plan, seed)


@settings(
    deadline=None,
    max_examples=15,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(pool_portfolios(), st.integers(0, 100))
def test_every_sample_keeps_pool_capacity(pf: Portfolio, seed: int) -> None:
    data = pf.model_dump(mode="json", exclude_none=True)
    pf = _with_estimates(data, 0.5, 2.5)
    plan = _levelled(pf)
    assume(plan is not None)
    assert plan is not None
    _check_samples(pf, plan, seed)


def test_a_person_keeps_the_plan_order_and_shares_overlapping_work() -> None:
    # ann does a then b; she does c and d at half time side by side
    tasks = [
        task("a", 3, estimate=_estimate((3.0, 3.0, 8.0))),
        task("b", 2),
        task("c", 4, allocation=50, estimate=_estimate((2.0, 4.0, 9.0))),
        task("d", 4, allocation=50),
    ]
    pf, plan = _ann_does(
        tasks,
        assign("x", "a", "2027-01-04", "2027-01-06", "ann"),
        assign("x", "b", "2027-01-07", "2027-01-08", "ann"),
        assign("x", "c", "2027-01-11", "2027-01-14", ("ann", 50)),
        assign("x", "d", "2027-01-11", "2027-01-14", ("ann", 50)),
    )
    net, start, end = _samples(pf, plan, 500, 0, StartPolicy.earliest)
    row = {t: net.keys.index(("x", t)) for t in "abcd"}
    assert np.all(start[row["b"]] >= end[row["a"]] - 1e-4)
    # c and d both wait for b, but not for each other: d starts as soon as b ends
    assert np.all(start[row["d"]] == end[row["b"]])
    assert np.all(start[row["c"]] == end[row["b"]])


def test_absences_push_work_past_them() -> None:
    tasks = [task("a", 2, estimate=_estimate((1.0, 2.0, 6.0))), task("b", 2, dependencies=[{"task": "a"}])]
    ann = person("ann", absences=[{"start": "2027-01-11", "end": "2027-01-15"}])
    pf = build(portfolio_dict([project("x", tasks)], [ann], end="2027-03-31"))
    plan = _plan(pf)
    net, start, end = _samples(pf, plan, 2_000, 4, StartPolicy.earliest)
    b = net.keys.index(("x", "b"))
    # b (2 days) fits before the absence (days 5–9) only when a ends by day 3
    assert np.all((end[b] <= 5 + 1e-4) | (start[b] >= 10))
    assert np.any(start[b] >= 10) and np.any(end[b] <= 5)


# --------------------------------------------------------------------------- the plan itself, determinism


def test_without_uncertainty_the_plan_finishes_as_planned() -> None:
    data = portfolio_dict(
        [
            project(
                "crm",
                [task("build", 3), task("test", 2, skill="qa", dependencies=[{"task": "build"}])],
                due="2027-01-08",
            ),
            project(
                "portal",
                [task("api", 4), task("ui", 3, dependencies=[{"task": "api", "type": "SS", "lag": 1}])],
                due="2027-01-06",
                deadline="2027-02-26",
            ),
        ],
        [person("ann"), person("bob", {"dev": 2, "qa": 2})],
    )
    pf = build(data)
    plan = solve(pf, SolverSettings(time_limit=2, explain=False))
    for policy in StartPolicy:
        report = analyse_risk(pf, plan, 200, 5, policy)
        assert report.uncertain_tasks == 0
        for risk, result in zip(report.projects, sorted(plan.projects, key=lambda r: r.id), strict=False):
            result = next(r for r in plan.projects if r.id == risk.project)
            assert risk.plan_finish == risk.p50_finish == risk.p80_finish == result.finish
            assert {q.finish for q in risk.s_curve} == {result.finish}
            assert risk.p_on_time == (1.0 if result.late_days == 0 else 0.0)
        assert next(r for r in report.projects if r.project == "portal").p_by_deadline == 1.0
    net, start, _ = _samples(pf, plan, 3, 0, StartPolicy.planned)
    assert np.all(start == net.plan_start[:, None])


def test_the_same_seed_gives_the_same_report() -> None:
    pf = _chain_portfolio(due="2027-01-19")
    plan = _plan(pf)
    one = analyse_risk(pf, plan, 3_000, 11)
    assert analyse_risk(pf, plan, 3_000, 11) == one
    assert analyse_risk(pf, plan, 3_000, 12).projects != one.projects


def test_late_chains_name_their_people() -> None:
    pf = _chain_portfolio(due="2027-01-08")  # working day 4: the chain's shortest is 6 days
    report = analyse_risk(pf, _plan(pf), 2_000, 0, StartPolicy.earliest)
    assert {p.person: p.on_late_chain for p in report.people} == {"p0": 1.0, "p1": 1.0, "p2": 1.0}


def test_finish_days_of_whole_lengths_are_the_plan_finish_days() -> None:
    assert list(finish_days(np.array([1.0, 3.0, 3.2, 4.0], dtype=np.float32))) == [0, 2, 3, 3]


# --------------------------------------------------------------------------- bad input


def _issue_paths(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_portfolio(data)
    return [i.path for i in caught.value.issues]


@pytest.mark.parametrize(
    ("estimate", "path"),
    [
        ({"optimistic": 5, "likely": 3, "pessimistic": 9}, "projects[0].tasks[0].estimate"),
        ({"optimistic": 2, "likely": 3, "pessimistic": 2.5}, "projects[0].tasks[0].estimate"),
        ({"optimistic": -1, "likely": 3, "pessimistic": 9}, "projects[0].tasks[0].estimate.optimistic"),
        ({"optimistic": 1, "likely": 3}, "projects[0].tasks[0].estimate.pessimistic"),
        ({"optimistic": 1, "likely": 3, "pessimistic": 4, "worst": 9}, "projects[0].tasks[0].estimate.worst"),
    ],
)
def test_bad_estimates_name_their_path(estimate: dict[str, Any], path: str) -> None:
    data = portfolio_dict([project("x", [task("a", 3, estimate=estimate)])])
    assert _issue_paths(data) == [path]


@pytest.mark.parametrize(
    ("spread", "path"),
    [
        ({"optimistic": 1.2, "pessimistic": 2}, "risk.default_spread.optimistic"),
        ({"optimistic": 0.5, "pessimistic": 0.9}, "risk.default_spread.pessimistic"),
        ({"optimistic": 0, "pessimistic": 2}, "risk.default_spread.optimistic"),
    ],
)
def test_bad_default_spreads_name_their_path(spread: dict[str, Any], path: str) -> None:
    data = portfolio_dict([project("x", [task("a", 3)])], risk={"default_spread": spread})
    assert _issue_paths(data) == [path]


def test_a_plan_of_another_portfolio_is_refused() -> None:
    pf = _chain_portfolio()
    plan = _plan(pf)
    other = build(portfolio_dict([project("x", [task("a", 3)])]))
    with pytest.raises(InvalidInput) as caught:
        analyse_risk(other, plan, 10, where="plan.json")
    assert caught.value.issues[0].path == "plan.json"
    assert "not a valid plan of this portfolio" in caught.value.issues[0].message
    with pytest.raises(InvalidInput, match="no assignments"):
        analyse_risk(pf, Plan(status=PlanStatus.infeasible), 10)
    with pytest.raises(InvalidInput, match="samples"):
        analyse_risk(pf, plan, 0)


def test_an_estimate_of_an_effort_task_scales_to_its_planned_length() -> None:
    # 8 person-days done by a crew of 2 in 4 days: the estimate (in one person's days) is scaled by 4 / 8
    job = {
        "id": "a",
        "effort": 8,
        "crew": {"min": 2, "max": 2},
        "requirements": [{"skill": "dev"}],
        "estimate": {"optimistic": 6, "likely": 8, "pessimistic": 16},
    }
    pf = build(portfolio_dict([project("x", [job])], [person("ann"), person("bob")], end="2027-03-31"))
    net = build_network(pf, _plan(pf))
    assert (net.low[0], net.mode[0], net.high[0]) == (3.0, 4.0, 8.0)


def test_the_sample_check_finds_broken_samples() -> None:
    pf = _chain_portfolio()
    plan = _plan(pf)
    net, start, end = _samples(pf, plan, 1, 0, StartPolicy.earliest)
    start, end = start[:, 0].copy(), end[:, 0].copy()
    assert _sample_problems(pf, plan, net, start, end) == []
    start[2] -= 1  # t2 now starts before t1 ends
    assert _sample_problems(pf, plan, net, start, end) == ["chain/t2 breaks its FS link on ('chain', 't1')"]
    shared = build(portfolio_dict([project("x", [task("a", 2), task("b", 2)])], [person("ann")]))
    both = Plan(
        status=PlanStatus.feasible,
        assignments=[
            assign("x", "a", "2027-01-04", "2027-01-05", "ann"),
            assign("x", "b", "2027-01-06", "2027-01-07", "ann"),
        ],
    )
    net = build_network(shared, both)
    assert _sample_problems(shared, both, net, np.array([0.0, 1.0]), np.array([2.0, 3.0])) == [
        "ann over capacity"
    ]


def test_a_link_against_the_order_of_work_is_left_out_only_when_it_cannot_hold() -> None:
    # ann does a before b, yet a may finish no more than 2 days before b does: with b longer
    # than 2 days no schedule keeps both (probability 1 - F(2) = 2/3 for b ~ triangle(1, 2, 4))
    tasks = [
        task("a", 2, dependencies=[{"task": "b", "type": "FF", "lag": -2}]),
        task("b", 2, estimate=_estimate((1.0, 2.0, 4.0))),
    ]
    pf, plan = _ann_does(
        tasks,
        assign("x", "a", "2027-01-04", "2027-01-05", "ann"),
        assign("x", "b", "2027-01-06", "2027-01-07", "ann"),
    )
    n = 6_000
    net = build_network(pf, plan, StartPolicy.earliest)
    sample = simulate(net, sample_lengths(net, n, np.random.default_rng(0)))
    a, b = net.keys.index(("x", "a")), net.keys.index(("x", "b"))
    assert net.cyclic
    assert np.all(sample.start[b] >= sample.end[a])  # ann's order always holds
    kept = ~sample.conflict
    assert np.all(sample.end[a][kept] >= sample.end[b][kept] - 2 - 1e-4)
    assert np.mean(sample.conflict) == pytest.approx(2 / 3, abs=_tolerance(2 / 3, n))
    assert analyse_risk(pf, plan, n, 0, StartPolicy.earliest).order_conflicts == pytest.approx(
        np.mean(sample.conflict)
    )
