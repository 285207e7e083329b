"""A portfolio as an Excel workbook (and the empty or example template PMOs fill in).

The layout is :mod:`api.interchange.workbook_layout`; :mod:`api.interchange.xlsx_read`
reads it back to the same portfolio. Every sheet gets its column names, a notes row,
frozen panes and data-validation lists (skills, people, projects, pools, statuses,
dependency kinds, skill levels 1–5).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from api.interchange import workbook_layout as layout
from api.interchange.cells import amounts_text
from api.interchange.workbook_layout import FIRST_DATA_ROW, Column
from model.load import InvalidInput
from model.portfolio import DEFAULT_WORKDAYS, ObjectiveWeights, Portfolio, Requirement, Task
from model.rules import Issue

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
NOTE_FONT = Font(italic=True, color="7F7F7F", size=9)
DATE_FORMAT = "yyyy-mm-dd"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "small.json"

Row = Sequence[Any]


class SheetWriter:
    """Writes rows into one sheet, collecting values a workbook cannot hold as issues."""

    def __init__(self, ws: Worksheet, issues: list[Issue]) -> None:
        self.ws = ws
        self.issues = issues
        self.row = FIRST_DATA_ROW

    def put(self, row: int, column: int, value: Any, where: str = "") -> None:
        """Write one cell: dates as dates, text always as text (``=x`` is no formula)."""
        if value is None:
            return
        cell = self.ws.cell(row=row, column=column)
        if isinstance(value, str):
            if ILLEGAL_CHARACTERS_RE.search(value):
                self.issues.append(
                    Issue(where or cell.coordinate, "a control character cannot be stored in a workbook")
                )
                return
            cell.value = value
            cell.data_type = "s"
            return
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT

    def append(self, values: Row, where: Sequence[str] = ()) -> None:
        """Write the next data row (``where`` names each value's JSON path, for issues)."""
        for k, value in enumerate(values):
            self.put(self.row, k + 1, value, where[k] if k < len(where) else "")
        self.row += 1


def write_heading(ws: Worksheet, names: Sequence[str], notes: Sequence[str]) -> None:
    for k, (name, note) in enumerate(zip(names, notes, strict=True), start=1):
        head = ws.cell(row=layout.HEADER_ROW, column=k, value=name)
        head.data_type = "s"
        head.font = HEADER_FONT
        head.fill = HEADER_FILL
        remark = ws.cell(row=layout.NOTES_ROW, column=k, value=note)
        remark.font = NOTE_FONT
        remark.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(k)].width = max(12, min(40, len(name) + 4))
    ws.row_dimensions[layout.NOTES_ROW].height = 30
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"


def _last_row(ws: Worksheet) -> int:
    return max(layout.VALIDATION_ROWS, ws.max_row + 200)


def validate_column(ws: Worksheet, column: int, rule: DataValidation) -> None:
    letter = get_column_letter(column)
    rule.add(f"{letter}{FIRST_DATA_ROW}:{letter}{_last_row(ws)}")
    ws.add_data_validation(rule)


def _list_rule(column: Column, wb: Workbook) -> DataValidation | None:
    if column.choices:
        return DataValidation(type="list", formula1=f'"{",".join(column.choices)}"', allow_blank=True)
    if column.lookup is not None:
        source = wb[column.lookup]
        formula = f"{quote_sheetname(source.title)}!$A${FIRST_DATA_ROW}:$A${_last_row(source)}"
        rule = DataValidation(type="list", formula1=formula, allow_blank=True)
        rule.error = f"not an id of the {column.lookup} sheet"
        rule.errorStyle = "warning"  # a value added to the list sheet later must not be refused meanwhile
        return rule
    return None


def _add_validations(wb: Workbook, skill_ids: Sequence[str]) -> None:
    for sheet in layout.SHEETS:
        ws = wb[sheet.name]
        for k, column in enumerate(sheet.columns, start=1):
            rule = _list_rule(column, wb)
            if rule is not None:
                validate_column(ws, k, rule)
    people = wb[layout.PEOPLE.name]
    first = len(layout.PEOPLE.columns) + 1
    for k in range(first, first + len(skill_ids)):
        rule = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
        rule.error = "a skill level is a whole number from 1 to 5"
        validate_column(people, k, rule)


def skill_header(skill_id: str) -> str:
    """The People column of a skill (prefixed when its id is a fixed column's name)."""
    fixed = {c.name for c in layout.PEOPLE.columns}
    if skill_id in fixed or skill_id.startswith(layout.SKILL_PREFIX):
        return f"{layout.SKILL_PREFIX}{skill_id}"
    return skill_id


def _settings_rows(portfolio: Portfolio | None) -> list[tuple[str, Any, str]]:
    weights = portfolio.objective if portfolio is not None else ObjectiveWeights()
    cal = portfolio.calendar if portfolio is not None else None
    rows: list[tuple[str, Any, str]] = [
        ("name", portfolio.name if portfolio is not None else None, "name"),
        ("start", cal.start if cal else None, "calendar.start"),
        ("end", cal.end if cal else None, "calendar.end"),
        ("workdays", ", ".join(cal.workdays if cal else DEFAULT_WORKDAYS), "calendar.workdays"),
    ]
    holidays = cal.holidays if cal else []
    rows += [("holiday", day, f"calendar.holidays[{k}]") for k, day in enumerate(holidays)]
    if not holidays and portfolio is None:
        rows.append(("holiday", None, ""))
    rows += [(name, getattr(weights, name), f"objective.{name}") for name in layout.OBJECTIVE_SETTINGS]
    return rows


def _requirement_row(pid: str, tid: str, mode: int | None, r: Requirement) -> list[Any]:
    if r.is_pool:
        return [pid, tid, mode, None, None, None, None, r.pool, r.units]
    return [pid, tid, mode, r.skill, r.level, r.count, r.allocation, None, None]


def _task_row(pid: str, t: Task) -> list[Any]:
    crew = t.crew
    return [
        pid,
        t.id,
        t.name,
        t.duration,
        t.effort,
        crew.min if crew else None,
        crew.max if crew else None,
        amounts_text(t.consumes),
        t.fixed_start,
        ", ".join(t.fixed_people) or None,
        t.earliest_start,
        t.latest_finish,
    ]


def _write_projects(wb: Workbook, portfolio: Portfolio, issues: list[Issue]) -> None:
    projects = SheetWriter(wb[layout.PROJECTS.name], issues)
    budgets = SheetWriter(wb[layout.BUDGETS.name], issues)
    tasks = SheetWriter(wb[layout.TASKS.name], issues)
    modes = SheetWriter(wb[layout.MODES.name], issues)
    reqs = SheetWriter(wb[layout.REQUIREMENTS.name], issues)
    deps = SheetWriter(wb[layout.DEPENDENCIES.name], issues)
    for j, p in enumerate(portfolio.projects):
        at = f"projects[{j}]"
        projects.append(
            [p.id, p.name, p.priority, p.status.value, p.release, p.due, p.deadline],
            ["", f"{at}.name"],
        )
        for budget, limit in p.budgets.items():
            budgets.append([p.id, budget, limit])
        for k, t in enumerate(p.tasks):
            tasks.append(_task_row(p.id, t), ["", "", f"{at}.tasks[{k}].name"])
            for r in t.requirements:
                reqs.append(_requirement_row(p.id, t.id, None, r))
            for m, mode in enumerate(t.modes or []):
                modes.append([p.id, t.id, m, mode.id, mode.duration, amounts_text(mode.consumes)])
                for r in mode.requirements:
                    reqs.append(_requirement_row(p.id, t.id, m, r))
            for d in t.dependencies:
                deps.append([p.id, t.id, d.task, d.type.value, d.lag])


def _write_people(wb: Workbook, portfolio: Portfolio, issues: list[Issue]) -> None:
    skill_ids = [s.id for s in portfolio.skills]
    people = SheetWriter(wb[layout.PEOPLE.name], issues)
    absences = SheetWriter(wb[layout.ABSENCES.name], issues)
    for i, person in enumerate(portfolio.people):
        fixed = [
            person.id,
            person.name,
            person.capacity,
            person.available_from,
            person.available_until,
            person.cost_per_day,
            person.max_parallel_projects,
        ]
        people.append(fixed + [person.skills.get(s) for s in skill_ids], ["", f"people[{i}].name"])
        for absence in person.absences:
            absences.append([person.id, absence.start, absence.end])


def portfolio_workbook(portfolio: Portfolio | None) -> Workbook:
    """The workbook of ``portfolio`` (``None``: the empty template).

    Raises
    ------
    InvalidInput
        A name holds a control character, which a workbook cannot store (each issue names it).
    """
    wb = Workbook()
    wb.remove(wb.active)
    skill_ids = [s.id for s in portfolio.skills] if portfolio is not None else []
    for sheet in layout.SHEETS:
        ws = wb.create_sheet(sheet.name)
        names = [c.name for c in sheet.columns]
        notes = [c.note for c in sheet.columns]
        if sheet is layout.PEOPLE:
            names += [skill_header(s) for s in skill_ids]
            notes += [layout.SKILL_COLUMN_NOTE] * len(skill_ids)
        write_heading(ws, names, notes)
    issues: list[Issue] = []
    settings = SheetWriter(wb[layout.SETTINGS.name], issues)
    for key, value, where in _settings_rows(portfolio):
        settings.append([key, value], ["", where])
        settings.put(settings.row - 1, 3, layout.SETTING_NOTES.get(key))
        settings.ws.cell(row=settings.row - 1, column=3).font = NOTE_FONT
    settings.ws.column_dimensions["B"].width = 30
    if portfolio is not None:
        skills = SheetWriter(wb[layout.SKILLS.name], issues)
        for k, s in enumerate(portfolio.skills):
            skills.append([s.id, s.name], ["", f"skills[{k}].name"])
        pools = SheetWriter(wb[layout.POOLS.name], issues)
        for k, pool in enumerate(portfolio.pools):
            pools.append([pool.id, pool.name, pool.capacity], ["", f"pools[{k}].name"])
        _write_people(wb, portfolio, issues)
        _write_projects(wb, portfolio, issues)
    if issues:
        raise InvalidInput(issues)
    _add_validations(wb, skill_ids)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The ``.xlsx`` file of a workbook."""
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def portfolio_xlsx(portfolio: Portfolio | None) -> bytes:
    """The ``.xlsx`` bytes of ``portfolio`` (``None``: the empty template); see :func:`portfolio_workbook`."""
    return workbook_bytes(portfolio_workbook(portfolio))


def example_portfolio() -> Portfolio:
    """The example the filled template shows: ``examples/small.json``, or a generated tiny
    portfolio where the examples are not installed."""
    from model.load import parse_portfolio

    if EXAMPLE.is_file():
        return parse_portfolio(EXAMPLE)
    from api.generate import generate_size

    return parse_portfolio(generate_size("tiny", seed=1))


def template_xlsx(example: bool = False) -> bytes:
    """The template workbook: empty, or filled with :func:`example_portfolio`."""
    return portfolio_xlsx(example_portfolio() if example else None)
