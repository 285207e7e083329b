"""Import and export times of the interchange formats on generated portfolios.

Usage::

    python -m benchmarks.interchange_bench --sizes p60 p200 --repeat 3

For each size: the portfolio workbook written and read back, the levelling plan written as
a plan workbook, CSV files, MS Project XML (schema check included) and one iCalendar per
person, and the MS Project XML read back as a portfolio. Medians over ``--repeat`` runs, in
seconds, with the file sizes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from api.generate import generate_size
from api.interchange.csv_export import plan_csv_files
from api.interchange.ical import person_calendars
from api.interchange.mspdi_read import read_portfolio_mspdi
from api.interchange.mspdi_write import plan_mspdi
from api.interchange.plan_tables import explanation_of
from api.interchange.plan_xlsx import plan_xlsx
from api.interchange.xlsx_read import read_portfolio_xlsx
from api.interchange.xlsx_write import portfolio_xlsx
from benchmarks.measure import markdown_table
from model.load import parse_portfolio
from solver.settings import SolverSettings
from solver.solve import solve

COLUMNS = [
    "size",
    "tasks",
    "people",
    "xlsx_write_s",
    "xlsx_read_s",
    "xlsx_kb",
    "plan_xlsx_s",
    "csv_s",
    "mspdi_write_s",
    "mspdi_read_s",
    "mspdi_kb",
    "ics_s",
]


def _timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``work`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def measure(size: str, seed: int, repeat: int) -> dict[str, Any]:
    """One row of the table for one generated size."""
    portfolio = parse_portfolio(generate_size(size, seed=seed))
    plan = solve(portfolio, SolverSettings(optimise=False, time_limit=60))
    # the explanation is computed once, as the solver's plans carry it
    plan = plan.model_copy(update={"explanation_detail": explanation_of(portfolio, plan)})
    row: dict[str, Any] = {
        "size": size,
        "tasks": sum(len(p.tasks) for p in portfolio.projects),
        "people": len(portfolio.people),
    }
    row["xlsx_write_s"], book = _timed(lambda: portfolio_xlsx(portfolio), repeat)
    row["xlsx_read_s"], again = _timed(lambda: read_portfolio_xlsx(book), repeat)
    assert again == portfolio, "the workbook did not read back as the same portfolio"
    row["xlsx_kb"] = round(len(book) / 1024)
    row["plan_xlsx_s"], _ = _timed(lambda: plan_xlsx(portfolio, plan), repeat)
    row["csv_s"], _ = _timed(lambda: plan_csv_files(portfolio, plan), repeat)
    row["mspdi_write_s"], xml = _timed(lambda: plan_mspdi(portfolio, plan), repeat)
    row["mspdi_read_s"], _ = _timed(lambda: read_portfolio_mspdi(xml), repeat)
    row["mspdi_kb"] = round(len(xml) / 1024)
    row["ics_s"], _ = _timed(lambda: person_calendars(portfolio, plan), repeat)
    return row


def main(argv: list[str] | None = None) -> None:
    """Print the interchange table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["p60", "p200"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = [measure(size, args.seed, args.repeat) for size in args.sizes]
    print(markdown_table(rows, COLUMNS))


if __name__ == "__main__":
    main()
