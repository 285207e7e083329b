"""CP-SAT parameter choices that once crashed the native library stay out.

Each case is a model our search really built, solved in a child process with the
parameters we use today, so a crash fails the test instead of killing pytest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from solver.settings import LnsTuning

DATA = Path(__file__).resolve().parents[2] / "data"

_SOLVE = """
import gzip, sys
from ortools.sat.python import cp_model
model = cp_model.CpModel()
model.proto.parse_text_format(gzip.open(sys.argv[1], "rt").read())
solver = cp_model.CpSolver()
solver.parameters.num_workers = int(sys.argv[3])
solver.parameters.max_time_in_seconds = 2
for key, value in eval(sys.argv[2]).items():
    setattr(solver.parameters, key, value)
print(solver.status_name(solver.solve(model)))
"""


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("name", ["lns_crash_model.pbtxt.gz"])
def test_neighbourhood_parameters_do_not_crash_cp_sat(name: str, workers: int) -> None:
    # An MPLIB neighbourhood on which OR-Tools 9.15 with 2 workers died with SIGSEGV under
    # max_presolve_iterations=1 every time, and under cp_model_probing_level=0 in 7 runs of
    # 10 (which the engine therefore sets on one-worker steps only).
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _SOLVE,
            str(DATA / name),
            repr(LnsTuning().step_parameters(workers)),
            str(workers),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"CP-SAT died (exit {done.returncode}): {done.stderr[-500:]}"
    assert done.stdout.strip() in ("OPTIMAL", "FEASIBLE")
