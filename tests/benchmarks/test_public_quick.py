"""Quick tier of the public benchmark suite (part of ``make test``, about half a minute).

A handful of small instances of every family is solved by the engine and checked against
what is known about them: j30 and MSPSP optima, the iMOPSE critical-path/work bound,
MPLIB's best lower bound, valid plans for MISTA and MPSPLIB. Then the family-terms mapping
of :mod:`api.benchmark_format` (unit tests on hand-made plans) and the runner of
:mod:`benchmarks.public` (sample selection, CSV and summary of a two-instance run).

The data are the subset of the public families shipped in ``tests/data/public`` (laid out
like the full benchmark folder, see ``tests/data/README.md``), so the tier runs from a
lone clone; the runner is pointed at it with ``--data``.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from api.benchmark_format import (
    delay_bound,
    family_terms,
    makespan_bound,
    release_plus_critical_path,
    solve_benchmark_file,
)
from api.formats import read_instance
from benchmarks import public
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import Kpis, Plan, PlanStatus
from model.portfolio import ObjectiveWeights, Portfolio
from solver.settings import SolverSettings
from tests.conftest import PUBLIC_DATA, public_file


def settings(limit: float) -> SolverSettings:
    return SolverSettings(time_limit=limit, workers=2, seed=0)


def solved(family: str, *parts: str, limit: float) -> tuple[Portfolio, Plan, float]:
    """Solve one file through :func:`solve_benchmark_file`; also the wall time."""
    began = time.perf_counter()
    portfolio, plan = solve_benchmark_file(public_file(*parts), family, settings(limit))
    return portfolio, plan, time.perf_counter() - began


def assert_valid(portfolio: Portfolio, plan: Plan) -> None:
    assert plan.status.has_plan, plan.explanation
    assert plan.violations == []
    assert check_plan(portfolio, plan) == []


# --------------------------------------------------------------------------- the families

# Not in the PSPLIB holdout ((parameter + index) % 4 != 0); optima from best_known.csv.
J30 = {"j3017_1": 64, "j3025_2": 75, "j3041_1": 86}


@pytest.mark.parametrize("name", sorted(J30))
def test_j30_solved_to_known_optimum(name: str) -> None:
    portfolio, plan, _ = solved("psplib", "psplib_rcpsp", "j30", f"{name}.sm", limit=10)
    assert_valid(portfolio, plan)
    instance = read_instance("psplib", public_file("psplib_rcpsp", "j30", f"{name}.sm"))
    assert instance.best_known == instance.best_lower_bound == J30[name]
    assert plan.objective == J30[name]
    assert plan.status == PlanStatus.optimal
    assert plan.lower_bound == J30[name]
    assert plan.stats["contract_objective"] == J30[name]  # makespan weight 1: same units


MSPSP = {
    ("set-2c", "inst_set2c_sf0_nc2.1_n20_l4_m4_00"): 29,
    ("set-1a", "inst_set1a_sf0.5_nc2.1_n20_m13_01"): 50,
}


@pytest.mark.parametrize(("subset", "name"), sorted(MSPSP))
def test_mspsp_solved_to_proven_optimum(subset: str, name: str) -> None:
    portfolio, plan, _ = solved("mspsp", "mspsp_instlib", subset, f"{name}.dzn", limit=10)
    assert_valid(portfolio, plan)
    assert plan.stats["best_known"] == MSPSP[subset, name]
    assert plan.objective == MSPSP[subset, name]


def test_imopse_small_plan_respects_the_simple_bound() -> None:
    path = public_file("imopse_msrcpsp", "Small", "15_6_10_6.def")
    instance = read_instance("imopse", path)
    portfolio, plan, _ = solved("imopse", "imopse_msrcpsp", "Small", "15_6_10_6.def", limit=5)
    assert_valid(portfolio, plan)
    assert plan.objective is not None
    assert plan.objective >= instance.extra["lower_bound_simple"]
    assert plan.lower_bound is not None and plan.lower_bound <= plan.objective


def test_mista_a1_valid_within_five_seconds() -> None:
    portfolio, plan, seconds = solved("mista", "mista2013_mrcmpsp", "instances", "A-1.txt", limit=5)
    assert_valid(portfolio, plan)
    assert seconds < 5 + 5
    # family terms: total project delay, TMS beside it; published best for A-1: TPD 1, TMS 23
    assert plan.objective == plan.kpis.project_delay
    assert plan.stats["tms"] == plan.kpis.makespan_days  # first release is 0
    assert plan.stats["contract_objective"] == 1000 * plan.objective + plan.stats["tms"]
    assert plan.lower_bound is not None and 0 <= plan.lower_bound <= plan.objective
    assert plan.objective >= 1


def test_mpsplib_small_valid_plan() -> None:
    portfolio, plan, _ = solved("rcmp", "mpsplib_rcmpsp", "instances", "mp_j30_a2_nr2.rcmp", limit=5)
    assert_valid(portfolio, plan)
    assert plan.objective == plan.kpis.project_delay >= 0
    row = read_instance("rcmp", public_file("mpsplib_rcmpsp", "instances", "mp_j30_a2_nr2.rcmp")).extra
    assert plan.stats["tms"] >= row["tms_lb_critical_path_with_arrivals"]


def test_mplib_valid_within_ten_seconds() -> None:
    path = public_file("mplib1_set3_rcmpsp", "instances", "MPLIB1_Set3_0.txt")
    instance = read_instance("mplib", path)
    portfolio, plan, seconds = solved(
        "mplib", "mplib1_set3_rcmpsp", "instances", "MPLIB1_Set3_0.txt", limit=10
    )
    assert_valid(portfolio, plan)
    assert seconds < 10 + 10  # the CPU is shared: generous slack over the limit
    assert instance.best_lower_bound is not None
    assert plan.objective is not None and plan.objective >= instance.best_lower_bound


# --------------------------------------------------------------------------- family terms


EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def two_projects(second_release: int, second_length: int) -> Portfolio:
    """Two one-task projects: p1 released at 0 (10 days), p2 at ``second_release``."""
    end = f"{2000 + (second_release + second_length) // 300 + 1}-12-31"

    def project(pid: str, release: str, length: int) -> dict[str, Any]:
        task = {"id": "t", "duration": length, "requirements": [{"pool": "R", "units": 1}]}
        return {"id": pid, "release": release, "tasks": [task]}

    second = (dt.date(2000, 1, 3) + dt.timedelta(days=second_release)).isoformat()
    return parse_portfolio(
        {
            "calendar": {"start": "2000-01-03", "end": end, "workdays": EVERY_DAY},
            "pools": [{"id": "R", "capacity": 2}],
            "projects": [project("p1", "2000-01-03", 10), project("p2", second, second_length)],
            "objective": {"tardiness": 0, "completion": 0, "project_delay": 1000, "makespan": 1},
        }
    )


def plan_with(status: PlanStatus, makespan: int, delay: int, objective: float, bound: float | None) -> Plan:
    kpis = Kpis(makespan_days=makespan, project_delay=delay)
    return Plan(status=status, objective=objective, lower_bound=bound, kpis=kpis)


def test_makespan_bound_only_for_a_pure_makespan_objective() -> None:
    pure = ObjectiveWeights(tardiness=0, completion=0, makespan=1)
    assert makespan_bound(pure, 42.3) == 43
    assert makespan_bound(pure, 42.0000001) == 42  # float noise
    assert makespan_bound(ObjectiveWeights(tardiness=0, completion=0, makespan=2), 84) == 42
    assert makespan_bound(ObjectiveWeights(tardiness=0, completion=0, makespan=1, cost=1), 42) is None
    assert makespan_bound(pure, None) is None


def test_delay_bound_alone_and_with_the_makespan() -> None:
    alone = ObjectiveWeights(tardiness=0, completion=0, project_delay=1)
    assert delay_bound(alone, 29.5, reach=100, delay_found=None) == 30
    mista = ObjectiveWeights(tardiness=0, completion=0, project_delay=1000, makespan=1)
    # A-1 like: R = 23, plan TPD 1 / TMS 23, contract bound 1023 → TPD ≥ 1
    assert delay_bound(mista, 1023, reach=23, delay_found=1) == 1
    assert delay_bound(mista, 5990, reach=23, delay_found=6) == 6
    assert delay_bound(mista, 0, reach=23, delay_found=6) == 0  # never negative
    assert delay_bound(ObjectiveWeights(tardiness=1, completion=0, project_delay=1), 5, 0, None) is None


def test_floor_of_bound_over_1000_is_not_a_valid_delay_bound() -> None:
    # makespans of 1500+ days: a plan with TPD 2 and TMS 1500 costs 3500, a bound of
    # 3000 is consistent with it, yet ⌊3000 / 1000⌋ = 3 would exceed that plan's TPD
    mista = ObjectiveWeights(tardiness=0, completion=0, project_delay=1000, makespan=1)
    bound = delay_bound(mista, 3000, reach=1500, delay_found=2)
    assert bound is not None and bound <= 2
    assert 3000 // 1000 > 2


def test_family_terms_of_a_mista_like_plan() -> None:
    portfolio = two_projects(second_release=4, second_length=19)
    assert release_plus_critical_path(portfolio) == 23
    proven = family_terms("total_project_delay", portfolio, plan_with(PlanStatus.optimal, 23, 1, 1023, 1023))
    assert (proven.objective, proven.lower_bound, proven.status, proven.tms) == (1, 1, PlanStatus.optimal, 23)
    assert (proven.contract_objective, proven.contract_lower_bound) == (1023, 1023)
    # the family status follows the family bound, not the contract status
    big = two_projects(second_release=1480, second_length=20)
    assert release_plus_critical_path(big) == 1500
    open_ = family_terms("total_project_delay", big, plan_with(PlanStatus.optimal, 1502, 2, 3502, 2500))
    assert open_.status == PlanStatus.feasible and open_.contract_status == PlanStatus.optimal
    assert open_.lower_bound == 1
    # a contract optimum (bound = objective) with a TPD below 1000 is TPD-optimal
    closed = family_terms("total_project_delay", big, plan_with(PlanStatus.optimal, 1502, 2, 3502, 3502))
    assert closed.lower_bound == 2 and closed.status == PlanStatus.optimal


def test_family_terms_of_makespan_plans_and_missing_plans() -> None:
    portfolio = two_projects(second_release=4, second_length=19)
    makespan_only = portfolio.model_copy(
        update={"objective": ObjectiveWeights(tardiness=0, completion=0, makespan=1)}
    )
    terms = family_terms("makespan", makespan_only, plan_with(PlanStatus.feasible, 30, 7, 30, 29.2))
    assert (terms.objective, terms.lower_bound, terms.status) == (30, 30, PlanStatus.optimal)
    # the MISTA weights: the makespan is not the sole term, so no makespan bound
    terms = family_terms("makespan", portfolio, plan_with(PlanStatus.optimal, 30, 7, 7030, 7030))
    assert terms.lower_bound is None and terms.status == PlanStatus.feasible
    none = family_terms("makespan", makespan_only, Plan(status=PlanStatus.no_solution))
    assert (none.objective, none.tms, none.status) == (None, None, PlanStatus.no_solution)
    with pytest.raises(ValueError, match="unknown family objective"):
        family_terms("tardiness", portfolio, plan_with(PlanStatus.optimal, 1, 1, 1, 1))


def test_solve_benchmark_file_keeps_the_contract_figures() -> None:
    _, plan = solve_benchmark_file(public_file("psplib_rcpsp", "j30", "j301_1.sm"), "psplib", settings(5))
    assert plan.objective == 43 and plan.status == PlanStatus.optimal
    stats = plan.stats
    assert stats["family"] == "psplib" and stats["family_objective"] == "makespan"
    assert stats["best_known"] == 43 and stats["contract_objective"] == 43
    with pytest.raises(KeyError, match="unknown benchmark format"):
        solve_benchmark_file(public_file("psplib_rcpsp", "j30", "j301_1.sm"), "rcpsp", settings(1))


# --------------------------------------------------------------------------- the runner


def test_even_sample_is_fixed_and_spread() -> None:
    assert public.even_sample(list(range(10)), 3) == [0, 3, 6]
    assert public.even_sample(list(range(5)), 10) == [0, 1, 2, 3, 4]
    assert public.even_sample(list(range(5)), None) == [0, 1, 2, 3, 4]
    names = ["j3010_1", "j301_2", "j302_1", "j301_10", "j301_1"]
    assert sorted(names, key=public.natural_key) == ["j301_1", "j301_2", "j301_10", "j302_1", "j3010_1"]


def test_sample_selection_of_the_families(tmp_path: Path) -> None:
    # the sample spreads over the names only: empty files stand in for all 480 of j30
    (tmp_path / "psplib_rcpsp" / "j30").mkdir(parents=True)
    for parameter in range(1, 49):
        for index in range(1, 11):
            (tmp_path / "psplib_rcpsp" / "j30" / f"j30{parameter}_{index}.sm").touch()
    first = public.select_instances("psplib", tmp_path, sets=["j30"], sample=48)
    again = public.select_instances("psplib", tmp_path, sets=["j30"], sample=48)
    assert first == again
    assert [p.stem for p in first] == [f"j30{k}_1" for k in range(1, 49)]  # one per parameter
    root = PUBLIC_DATA
    shipped = public.select_instances("psplib", root, sets=["j30"], sample=4)
    assert [p.stem for p in shipped] == ["j301_1", "j3010_1", "j3017_1", "j3041_1"]  # every 2nd of 8
    per_set = public.select_instances("psplib", root, sets=["j60", "j90"], sample=3)
    assert [p.parent.name for p in per_set] == ["j60"] * 3 + ["j90"] * 3
    named = public.select_instances("mspsp", root, names=["set-2c/inst_set2c_sf0_nc2.1_n20_l4_m4_00"])
    assert len(named) == 1 and public.instance_id("mspsp", named[0]).startswith("set-2c/")
    assert len(public.select_instances("mista", root)) == len(
        list(root.glob("mista2013_mrcmpsp/instances/*.txt"))
    )
    with pytest.raises(ValueError, match="no instance named"):
        public.select_instances("psplib", root, names=["j30999_1"])
    with pytest.raises(ValueError, match="unknown set"):
        public.select_instances("psplib", root, sets=["j31"])
    with pytest.raises(ValueError, match="has no sets"):
        public.select_instances("mista", root, sets=["A"])
    with pytest.raises(FileNotFoundError, match="--data"):
        public.select_instances("psplib", root / "nowhere")


def test_runner_writes_csv_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["psplib", "--instances", "j301_1", "j301_2", "--time-limit", "2", "--workers", "2"]
    assert public.main([*argv, "--data", str(PUBLIC_DATA), "--out", str(tmp_path)]) == 0
    csv_files = list(tmp_path.glob("psplib-*.csv"))
    assert len(csv_files) == 1
    with csv_files[0].open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        assert reader.fieldnames is not None
        assert reader.fieldnames[: len(public.COLUMNS)] == public.COLUMNS
    assert [r["instance"] for r in rows] == ["j301_1", "j301_2"]
    assert [float(r["objective"]) for r in rows] == [43, 47]
    assert all(r["valid"] == "True" and r["family"] == "psplib" for r in rows)
    assert all(float(r["gap_to_best_known_pct"]) == 0 and float(r["peak_mb"]) > 0 for r in rows)
    summary = csv_files[0].with_suffix(".md").read_text()
    assert "| matching best-known | 2 |" in summary
    assert "| valid plans | 2 |" in summary
    assert "| proven optimal (status optimal) | 2 |" in summary
    assert "matching best-known" in capsys.readouterr().out
    assert public.main(["psplib", "--set", "j31", "--data", str(PUBLIC_DATA), "--out", str(tmp_path)]) == 2


def test_runner_with_the_peer(tmp_path: Path) -> None:
    pytest.importorskip("pyjobshop")
    args = public.parser().parse_args(
        [
            "psplib",
            "--instances",
            "j301_1",
            "--time-limit",
            "2",
            "--peer",
            "--data",
            str(PUBLIC_DATA),
            "--out",
            str(tmp_path),
        ]
    )
    (row,) = public.run(args).rows
    assert row["peer_status"] == "optimal" and row["peer_objective"] == 43 and row["peer_valid"]
    assert row["ratio"] == 1.0
    assert row["our_time_to_peer_value_s"] is not None


def test_runner_passes_cp_sat_parameters_to_our_engine(tmp_path: Path) -> None:
    """``--cp-sat NAME=VALUE`` (JSON values) reaches our solves and the summary; a bad name
    stops the run before any instance is solved."""
    assert public.cp_sat_parameter('subsolvers=["default_lp", "core"]') == ("subsolvers", ["default_lp", "core"])
    assert public.cp_sat_parameter("search_branching=FIXED_SEARCH") == ("search_branching", "FIXED_SEARCH")
    with pytest.raises(Exception, match="NAME=VALUE"):
        public.cp_sat_parameter("num_full_subsolvers")
    argv = ["psplib", "--instances", "j301_1", "--time-limit", "2", "--data", str(PUBLIC_DATA), "--out", str(tmp_path)]
    result = public.run(public.parser().parse_args([*argv, "--cp-sat", "num_full_subsolvers=2"]))
    assert result.rows[0]["objective"] == 43 and result.rows[0]["valid"]
    assert '{"num_full_subsolvers": 2}' in result.summary_path.read_text()
    assert public.main([*argv, "--cp-sat", "num_full_subsolver=2"]) == 2
    assert len(list(tmp_path.glob("psplib-*.csv"))) == 1


def test_the_halves_split_the_selection_between_them(tmp_path: Path) -> None:
    names = ["j301_1", "j301_2", "j3010_1"]
    argv = ["psplib", "--instances", *names, "--time-limit", "2", "--data", str(PUBLIC_DATA), "--out", str(tmp_path)]
    first = public.run(public.parser().parse_args([*argv, "--half", "1"]))
    second = public.run(public.parser().parse_args([*argv, "--half", "2"]))
    assert [r["instance"] for r in first.rows] + [r["instance"] for r in second.rows] == ["j301_1", "j3010_1", "j301_2"]
    assert "half = 1" in first.summary_path.read_text()
