"""A plan as CSV files: one per table of :mod:`api.interchange.plan_tables`.

UTF-8 with a byte-order mark (so Excel opens accented names right), comma-separated,
dates ISO, blanks empty.
"""

from __future__ import annotations

import csv
import io

from api.interchange.plan_tables import TABLE_NAMES, Table, cell_text, plan_tables
from model.plan import Plan
from model.portfolio import Portfolio


def table_csv(table: Table) -> bytes:
    """The CSV bytes of one table (column names first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([cell_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def plan_csv_files(portfolio: Portfolio, plan: Plan) -> dict[str, bytes]:
    """``{file name: CSV bytes}`` of every table of a plan (``assignments.csv``, ``load.csv``, …)."""
    return {f"{t.name}.csv": table_csv(t) for t in plan_tables(portfolio, plan)}


def plan_csv(portfolio: Portfolio, plan: Plan, table: str = "assignments") -> bytes:
    """The CSV bytes of one table of a plan (one of :data:`~api.interchange.plan_tables.TABLE_NAMES`)."""
    if table not in TABLE_NAMES:
        raise ValueError(f"unknown table '{table[:40]}' ({', '.join(TABLE_NAMES)})")
    return plan_csv_files(portfolio, plan)[f"{table}.csv"]
