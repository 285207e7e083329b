"""Start-up of the commands that solve: OR-Tools without pandas.

OR-Tools' CP-SAT module imports pandas for its ``*_series`` helpers, which the engine
never calls; pandas is a third of the command's start-up (about 0.25 s). The CP-SAT module
is imported once with a stand-in that has the two names it reads at import time; the
stand-in is removed at once, so a later ``import pandas`` gets the real one.
"""

from __future__ import annotations

import sys
import types


def import_cp_model_without_pandas() -> None:
    """Import ``ortools.sat.python.cp_model`` without importing pandas (no-op if either is loaded)."""
    if "ortools.sat.python.cp_model" in sys.modules or "pandas" in sys.modules:
        return
    stand_in = types.ModuleType("pandas", "Stand-in while OR-Tools' CP-SAT module is imported.")
    stand_in.Index = type("Index", (), {})  # type: ignore[attr-defined]
    stand_in.Series = type("Series", (), {})  # type: ignore[attr-defined]
    sys.modules["pandas"] = stand_in
    try:
        import ortools.sat.python.cp_model  # noqa: F401
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]
