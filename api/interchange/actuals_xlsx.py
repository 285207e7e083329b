"""The status update (actuals) as an Excel sheet: written as a template, read wherever actuals go.

The ``Actuals`` sheet (:data:`api.interchange.workbook_layout.ACTUALS`) has one row per task
(project, task, actual start and finish, per cent complete or remaining days) and the status
date in its ``status_date`` column on the first data row. It is read into the JSON data of
:class:`model.actuals.Actuals` and validated by :func:`model.actuals.parse_actuals`, the same
rules as a JSON status update, with every issue's JSON path told as its cell (``Actuals!C4``).
The sheet may be its own workbook or a sheet added to the portfolio workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from api.interchange.cells import CellMap, cell_name, convert
from api.interchange.detect import FileFormat, file_format
from api.interchange.workbook_layout import ACTUALS, FIRST_DATA_ROW, Kind
from api.interchange.xlsx_read import WorkbookReader, open_workbook
from api.interchange.xlsx_write import SheetWriter, validate_column, workbook_bytes, write_heading
from model.actuals import Actuals, parse_actuals
from model.limits import DEFAULT_LIMITS, InputLimits
from model.load import InvalidInput, capped, parse_model, read_bytes
from model.plan import Plan
from model.portfolio import Portfolio
from model.rules import Issue

STATUS = "status_date"
TASK_COLUMNS = tuple(c.name for c in ACTUALS.columns if c.name != STATUS)


def actuals_data(data: bytes, dated: bool = False) -> tuple[dict[str, Any], CellMap, list[Issue]]:
    """The status update's JSON data read from a workbook's ``Actuals`` sheet, where each
    path came from, and the sheet's own problems (the model's rules have not run yet).

    Parameters
    ----------
    data
        The ``.xlsx`` file's bytes.
    dated
        The status date is given otherwise (``--as-of``): a blank status date cell is no problem.

    Returns
    -------
    tuple[dict, CellMap, list[Issue]]
        ``{"status_date", "tasks"}`` (``status_date`` left out when no cell gives it), the
        cell of each JSON path, and problems such as an unknown column or a second status date.

    Raises
    ------
    InvalidInput
        ``data`` is not an ``.xlsx`` workbook.
    """
    wb = open_workbook(data)
    try:
        reader = WorkbookReader(wb)
        out: dict[str, Any] = {}
        tasks: list[dict[str, Any]] = []
        if ACTUALS.name not in wb.sheetnames:
            reader.problem(ACTUALS.name, f"the workbook has no '{ACTUALS.name}' sheet")
        for row in reader.rows(ACTUALS):
            if STATUS in row.cells:
                if STATUS in out:
                    reader.problem(row.place(STATUS), f"a second status date (the first is at {reader.where.place(STATUS)})")
                else:
                    out[STATUS] = convert(Kind.DATE, row.cells[STATUS][0])
                    reader.where.put(STATUS, row.place(STATUS))
            if set(row.cells) - {STATUS}:
                item: dict[str, Any] = {}
                reader.record(row, f"tasks[{len(tasks)}]", item, ACTUALS, skip=(STATUS,))
                tasks.append(item)
        # a missing status date is told at the cell where it belongs
        reader.where.put(STATUS, cell_name(ACTUALS.name, FIRST_DATA_ROW, len(ACTUALS.columns)))
        if STATUS not in out and ACTUALS.name in wb.sheetnames and not dated:
            reader.problem(reader.where.place(STATUS) or STATUS, "give the status date (YYYY-MM-DD) under 'status_date'")
        reader.where.put("tasks", ACTUALS.name)
        out["tasks"] = tasks
        return out, reader.where, reader.issues
    finally:
        wb.close()


def read_actuals_xlsx(
    data: bytes,
    portfolio: Portfolio,
    baseline: Plan,
    status_date: dt.date | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> Actuals:
    """The status update of a workbook's ``Actuals`` sheet, validated as :func:`model.actuals.parse_actuals`.

    Parameters
    ----------
    data
        The ``.xlsx`` file's bytes.
    portfolio, baseline
        What it reports on.
    status_date
        Replaces the sheet's status date when given (its cell may then be blank).
    limits
        Input limits (file size, number of issues).

    Raises
    ------
    InvalidInput
        Every problem at once, each named by its cell (``Actuals!C4``) or row (``Actuals row 4``).
    """
    return _sheet_actuals(data, status_date, limits, lambda raw: parse_actuals(raw, portfolio, baseline, status_date))


def _sheet_actuals(
    data: bytes, status_date: dt.date | None, limits: InputLimits, validate: Callable[[dict[str, Any]], Actuals]
) -> Actuals:
    """The sheet's data through ``validate``, the sheet's problems and the model's told as cells."""
    if len(data) > limits.max_file_bytes:
        raise InvalidInput([Issue("", f"larger than the input limit of {limits.max_file_bytes:,} bytes")])
    raw, where, issues = actuals_data(data, dated=status_date is not None)
    if status_date is not None:
        raw[STATUS] = status_date.isoformat()
        where.places.pop(STATUS)  # the date comes from the option, not from a cell
    try:
        actuals = validate(raw)
    except InvalidInput as exc:
        taken = {i.path for i in issues}
        issues += [i for i in where.issues(exc.issues) if i.path not in taken]
    if issues:
        raise InvalidInput(capped(issues, limits))
    return actuals


def parse_actuals_file(
    path: Path,
    portfolio: Portfolio,
    baseline: Plan,
    status_date: dt.date | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> Actuals:
    """A status update from a JSON file or an ``.xlsx`` workbook (recognised by content).

    Parameters
    ----------
    path
        The file.
    portfolio, baseline
        What it reports on.
    status_date
        Replaces the file's own status date when given.
    limits
        Input limits.

    Raises
    ------
    InvalidInput
        Every problem, named by JSON path or by cell.
    """
    if file_format(path) == FileFormat.xlsx:
        return read_actuals_xlsx(read_bytes(path, limits), portfolio, baseline, status_date, limits)
    return parse_actuals(path, portfolio, baseline, status_date)


def load_status_update(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> Actuals:
    """A status update from a JSON file or an ``.xlsx`` workbook, checked against its format
    only (no portfolio: to write it out again).

    Parameters
    ----------
    path
        The file.
    limits
        Input limits.

    Raises
    ------
    InvalidInput
        Every problem, named by JSON path or by cell.
    """
    if file_format(path) == FileFormat.xlsx:
        return _sheet_actuals(read_bytes(path, limits), None, limits, lambda raw: parse_model(Actuals, raw, limits))
    return parse_model(Actuals, path, limits)


def _rows(actuals: Actuals | None, baseline: Plan | None) -> list[list[Any]]:
    tasks = actuals.tasks if actuals is not None else []
    rows = [[getattr(t, name) for name in TASK_COLUMNS] for t in tasks]
    if baseline is not None:
        # the rest of the form: every other planned task in its baseline order, its actuals blank
        given = {(t.project, t.task) for t in tasks}
        ordered = sorted(baseline.assignments, key=lambda a: (a.start, a.project, a.task))
        rows += [[a.project, a.task] for a in ordered if (a.project, a.task) not in given]
    return rows


def actuals_workbook(actuals: Actuals | None = None, baseline: Plan | None = None) -> Workbook:
    """The ``Actuals`` sheet of a status update, or the form to fill in.

    Parameters
    ----------
    actuals
        The status update to write (``None``: an empty form).
    baseline
        Also list each task it plans that ``actuals`` does not (blank actuals, to fill in).

    Returns
    -------
    Workbook
        One ``Actuals`` sheet with column names, notes and number rules.

    Raises
    ------
    InvalidInput
        An id holds a control character, which a workbook cannot store.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = ACTUALS.name
    write_heading(ws, [c.name for c in ACTUALS.columns], [c.note for c in ACTUALS.columns])
    issues: list[Issue] = []
    sheet = SheetWriter(ws, issues)
    for k, row in enumerate(_rows(actuals, baseline)):
        sheet.append(row, [f"tasks[{k}].project", f"tasks[{k}].task"])
    sheet.put(FIRST_DATA_ROW, len(ACTUALS.columns), actuals.status_date if actuals is not None else None)
    if issues:
        raise InvalidInput(issues)
    for name, top in (("percent_complete", "100"), ("remaining_days", "10000")):
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2=top, allow_blank=True)
        rule.error = f"{name}: a number from 0 to {top}"
        validate_column(ws, TASK_COLUMNS.index(name) + 1, rule)
    return wb


def actuals_xlsx(actuals: Actuals | None = None, baseline: Plan | None = None) -> bytes:
    """The ``.xlsx`` bytes of :func:`actuals_workbook`."""
    return workbook_bytes(actuals_workbook(actuals, baseline))
