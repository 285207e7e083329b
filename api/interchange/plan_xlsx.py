"""A plan as an Excel workbook: summary, assignments, weekly load, projects against due, late projects.

The weekly load is coloured by conditional formatting (a green–amber–red scale up to full
capacity), and the rows of late projects are highlighted, so the workbook reads at a glance
in any spreadsheet program.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.interchange.plan_tables import Table, plan_tables
from api.interchange.xlsx_write import DATE_FORMAT, HEADER_FILL, HEADER_FONT, NOTE_FONT, workbook_bytes
from model.plan import Plan
from model.portfolio import Portfolio

LATE_FILL = PatternFill("solid", fgColor="F8CBAD")
OVER_FILL = PatternFill("solid", fgColor="C00000")
SHEET_TITLES = {
    "assignments": "Assignments",
    "load": "Load",
    "projects": "Projects",
    "late_projects": "Late projects",
    "late_chains": "Late chains",
}


def _text_cell(ws: Worksheet, row: int, column: int, value: Any) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text that starts with '=' is not a formula
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def write_table(ws: Worksheet, table: Table) -> None:
    """A table on a sheet: bold column names, a note row, frozen panes, rows from row 3."""
    for k, name in enumerate(table.columns, start=1):
        head = ws.cell(row=1, column=k, value=name)
        head.font = HEADER_FONT
        head.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(k)].width = max(11, min(60, len(name) + 3))
    ws.cell(row=2, column=1, value=table.note).font = NOTE_FONT
    for r, values in enumerate(table.rows, start=3):
        for k, value in enumerate(values, start=1):
            _text_cell(ws, r, k, value)
    ws.freeze_panes = "C3" if table.name == "load" else "A3"


def _format_load(ws: Worksheet, table: Table) -> None:
    if len(table.columns) <= 2 or not table.rows:
        return
    last = f"{get_column_letter(len(table.columns))}{len(table.rows) + 2}"
    area = f"C3:{last}"
    for row in ws.iter_rows(min_row=3, min_col=3):
        for cell in row:
            cell.number_format = "0%"
    ws.conditional_formatting.add(
        area,
        ColorScaleRule(
            start_type="num",
            start_value=0,
            start_color="E2EFDA",
            mid_type="num",
            mid_value=0.85,
            mid_color="FFD966",
            end_type="num",
            end_value=1,
            end_color="F4B084",
        ),
    )
    ws.conditional_formatting.add(area, CellIsRule(operator="greaterThan", formula=["1"], fill=OVER_FILL))
    for k in range(3, len(table.columns) + 1):
        ws.column_dimensions[get_column_letter(k)].width = 9


def _format_projects(ws: Worksheet, table: Table) -> None:
    if not table.rows:
        return
    outcome = get_column_letter(table.columns.index("outcome") + 1)
    area = f"A3:{get_column_letter(len(table.columns))}{len(table.rows) + 2}"
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'${outcome}3="late"'], fill=LATE_FILL))


def _summary(ws: Worksheet, portfolio: Portfolio, plan: Plan) -> None:
    k = plan.kpis
    rows: list[tuple[str, Any]] = [
        ("portfolio", portfolio.name),
        ("status", plan.status.value),
        ("objective", plan.objective),
        ("lower bound", plan.lower_bound),
        ("late projects", k.late_projects),
        ("weighted tardiness", k.weighted_tardiness),
        ("makespan (working days)", k.makespan_days),
        ("total cost", k.total_cost),
        ("left-out proposed projects", ", ".join(plan.unscheduled_projects) or None),
    ]
    ws.cell(row=1, column=1, value="plan").font = Font(bold=True, size=14)
    for r, (name, value) in enumerate(rows, start=3):
        ws.cell(row=r, column=1, value=name).font = Font(bold=True)
        _text_cell(ws, r, 2, value)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40


def plan_workbook(portfolio: Portfolio, plan: Plan) -> Workbook:
    """The workbook of a plan (checked by the caller against ``portfolio``)."""
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    _summary(summary, portfolio, plan)
    for table in plan_tables(portfolio, plan):
        ws = wb.create_sheet(SHEET_TITLES[table.name])
        write_table(ws, table)
        if table.name == "load":
            _format_load(ws, table)
        elif table.name == "projects":
            _format_projects(ws, table)
    return wb


def plan_xlsx(portfolio: Portfolio, plan: Plan) -> bytes:
    """The ``.xlsx`` bytes of :func:`plan_workbook`."""
    return workbook_bytes(plan_workbook(portfolio, plan))
