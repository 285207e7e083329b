"""Solver settings: the optimiser's tuning is typed data with the engine's defaults, loads
from a ``[solver.tuning]`` TOML table with every value checked, and reaches the search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from api.generate import generate_size
from model.checker import check_plan
from model.load import parse_portfolio
from solver.settings import LnsTuning, SearchTuning, SolverSettings, Stall
from solver.solve import solve

ENGINE_DEFAULTS = {
    "full_model": {
        "max_assignments": 6000,
        "times_only_cp_sat_parameters": {
            "ignore_subsolvers": [
                "graph_arc_lns",
                "graph_cst_lns",
                "graph_dec_lns",
                "graph_var_lns",
                "rnd_cst_lns",
                "rnd_var_lns",
                "feasibility_pump",
            ],
            "lns_initial_deterministic_limit": 0.02,
        },
        "min_round_seconds": 0.2,
        "max_shared_intervals": 800,
    },
    "construction": {
        "share_of_time_limit": 0.5,
        "patience_share": 0.1,
        "deterministic_seconds_per_task": 1.3e-4,
        "min_deterministic_seconds": 0.01,
        "slack_steps": (2, 4, 1, 6, 3, 12),
        "repair_rounds": 3,
        "yield_step": 0.02,
        "yield_middle_priority": 5.0,
        "yield_patience": 5,
        "yield_returns": 3,
    },
    "lns": {
        "start_size": 60,
        "min_size": 12,
        "max_size": 400,
        "max_delay_days": 30,
        "max_advance_days": 60,
        "max_candidates": 8,
        "min_step_deterministic_seconds": 0.05,
        "step_workers": 1,
        "lanes": 1,
        "adopt_after": 3,
        "late_work_weight": 4.0,
        "scoring": "gain",
        "gain_memory": 0.7,
        "gain_floor": 0.05,
        "cp_sat_parameters": {"symmetry_level": 0},
        "single_worker_cp_sat_parameters": {"cp_model_probing_level": 0},
    },
    "staffing": {
        "search_max_tasks": 50,
        "switch_max_tasks": 100,
        "cp_sat_parameters": {"num_full_subsolvers": 2},
        "redundant_constraints_max_tasks": 100,
    },
    "stalls": {
        "cp_sat": {"minimum": 1.0, "share": 0.5},
        "probe_share_of_limit": 0.1,
        "schedule_search": {"minimum": 30, "share": 0.5},
        "population": {"minimum": 10, "share": 0.5},
        "probe_poll_seconds": 0.05,
        "watch_poll_seconds": 0.05,
    },
    "schedule_search": {
        "noise_levels_days": (1, 2, 5, 10, 20),
        "fit_window_days": 64,
        "mode_switch_share": 0.5,
    },
    "population": {
        "size": 256,
        "elite_share": 0.2,
        "mutant_share": 0.15,
        "elite_key_bias": 0.7,
        "min_tasks": 61,
        "max_tasks": None,
        "min_generations": 300,
        "min_size": 64,
        "sample_rows": 8,
        "objective_keys": False,
        "rule_share": 0.15,
        "rule_noise": 0.05,
        "call_work": 150_000,
        "min_window_days": 32,
        "max_window_growth": 8,
    },
    "bandit": {
        "slice_share": 0.05,
        "min_slice_seconds": 0.3,
        "max_slice_share": 0.4,
        "explore": 0.1,
        "memory": 0.5,
        "cp_sat_workers": 1,
        "islands": 2,
    },
    "deterministic": {
        "seconds_per_unit": 4.0,
        "seconds_per_unit_per_shared_interval": 0.02,
        "seconds_per_model_element": 1.25e-4,
        "search_share": 0.8,
    },
}
"""The values the engine was measured with (benchmarks/RESULTS.md): a change to a default
is a change of the engine, and shows here."""


def test_the_defaults_are_the_engines_measured_values() -> None:
    assert SolverSettings().tuning.model_dump() == ENGINE_DEFAULTS
    assert SearchTuning.model_validate(ENGINE_DEFAULTS) == SearchTuning()  # and pass their own checks


def _groups(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for field in model.model_fields.values():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            found += _groups(field.annotation)
    return list(dict.fromkeys(found))


@pytest.mark.parametrize("group", _groups(SearchTuning), ids=lambda g: g.__name__)
def test_every_tuning_field_is_documented(group: type[BaseModel]) -> None:
    """Each group's numpydoc ``Attributes`` section describes each of its fields."""
    doc = group.__doc__ or ""
    assert "Attributes\n    ----------" in doc
    documented = re.findall(r"^    (\w+)\n        \S", doc.split("----------", 1)[1], flags=re.MULTILINE)
    assert documented == list(group.model_fields)


def _load(tmp_path: Path, text: str) -> SolverSettings:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return SolverSettings.from_toml(path)


def test_tuning_loads_from_toml_sub_tables(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        """
[solver]
preset = "fast"

[solver.tuning.lns]
start_size = 20
min_size = 4

[solver.tuning.stalls]
cp_sat = { minimum = 2, share = 0.25 }

[solver.tuning.construction]
slack_steps = [2, 6]
""",
    )
    tuning = settings.tuning
    assert settings.time_limit == 5.0
    assert (tuning.lns.start_size, tuning.lns.min_size, tuning.lns.max_size) == (20, 4, 400)
    assert tuning.stalls.cp_sat == Stall(minimum=2, share=0.25)
    assert tuning.construction.slack_steps == (2, 6)
    assert tuning.staffing == SearchTuning().staffing  # tables not given keep the defaults


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ("[solver.tuning.lns]\nstart_size = 0", "tuning.lns.start_size", "greater than or equal to 1"),
        ("[solver.tuning.lns]\nmin_size = 100", "tuning.lns", "min_size <= start_size <= max_size"),
        ("[solver.tuning]\nlns_size = 10", "tuning.lns_size", "Extra inputs are not permitted"),
        ("[solver.tuning.lns]\nstart = 10", "tuning.lns.start", "Extra inputs are not permitted"),
        (
            "[solver.tuning.full_model]\nmax_assignments = 'many'",
            "tuning.full_model.max_assignments",
            "integer",
        ),
        ("[solver.tuning.stalls]\ncp_sat = { minimum = 1, share = 2 }", "tuning.stalls.cp_sat.share", "1"),
        ("[solver.tuning.stalls]\ncp_sat = { minimum = 1 }", "tuning.stalls.cp_sat.share", "required"),
        (
            "[solver.tuning.full_model]\nmin_round_seconds = inf",
            "tuning.full_model.min_round_seconds",
            "finite",
        ),
        ("[solver.tuning.construction]\nslack_steps = []", "tuning.construction.slack_steps", "at least 1"),
        ("[solver.tuning.construction]\nslack_steps = [2, 0]", "tuning.construction.slack_steps.1", "1"),
        ("[solver.tuning.population]\nmin_tasks = 2000\nmax_tasks = 100", "tuning.population", "min_tasks <= max_tasks"),
        ("[solver.tuning.population]\nelite_share = 0.9", "tuning.population", "no room for children"),
        (
            "[solver.tuning.lns]\ncp_sat_parameters = { num_workers = 4 }",
            "tuning.lns.cp_sat_parameters",
            "num_workers: set by the engine",
        ),
        (
            "[solver.tuning.staffing]\ncp_sat_parameters = { num_full_subsolver = 2 }",
            "tuning.staffing.cp_sat_parameters",
            "num_full_subsolver: unknown CP-SAT parameter",
        ),
    ],
)
def test_a_bad_tuning_value_is_a_validation_error_naming_the_field(
    tmp_path: Path, table: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _load(tmp_path, f"[solver]\ntime_limit = 1\n\n{table}\n")
    assert [".".join(map(str, error["loc"])) for error in caught.value.errors()] == [field]
    assert message in str(caught.value)


def test_the_settings_are_frozen() -> None:
    tuning = SearchTuning()
    with pytest.raises(ValidationError):
        tuning.lns.start_size = 5  # type: ignore[misc]


def test_a_tiny_neighbourhood_size_reaches_the_search_and_still_gives_a_checked_plan() -> None:
    pf = parse_portfolio(generate_size("tiny", seed=2))
    tiny = SearchTuning(lns=LnsTuning(start_size=2, min_size=1, max_size=3))
    chosen = SolverSettings(
        time_limit=1, workers=1, deterministic=True, strategy="lns", explain=False, tuning=tiny
    )
    plan = solve(pf, chosen)
    assert plan.status.has_plan and check_plan(pf, plan) == []
    assert plan.stats["lns_iterations"] > 0 and 1 <= plan.stats["lns_final_size"] <= 3
    default = solve(pf, chosen.model_copy(update={"tuning": SearchTuning()}))
    assert default.stats["lns_final_size"] > 3
