"""An Excel workbook (the layout of :mod:`api.interchange.workbook_layout`) read as a portfolio.

The sheets are read into the contract's JSON data, which then goes through the one loader
(:func:`model.load.parse_portfolio`): a workbook is valid exactly when the same portfolio
in JSON is. Every problem, the workbook's own (an unknown column, a task of no project)
and the loader's, is reported at once and named by its cell (``Tasks!D12: unknown skill
'pyhton'``) or row (``Tasks row 12``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from api.interchange import workbook_layout as layout
from api.interchange.cells import CellMap, cell_name, convert, is_blank, read_amounts
from api.interchange.workbook_layout import FIRST_DATA_ROW, HEADER_ROW, Kind, Sheet
from model.limits import DEFAULT_LIMITS, InputLimits
from model.load import InvalidInput, capped, parse_portfolio
from model.portfolio import Portfolio
from model.rules import Issue

Data = dict[str, Any]


@dataclass
class RowCells:
    """The non-blank cells of one data row: column name → (value, column number)."""

    sheet: str
    row: int
    cells: dict[str, tuple[Any, int]]

    def place(self, name: str | None = None) -> str:
        """The cell of column ``name`` (or the whole row)."""
        if name is None or name not in self.cells:
            return cell_name(self.sheet, self.row)
        return cell_name(self.sheet, self.row, self.cells[name][1])

    def text(self, name: str) -> str | None:
        """The cell as an id or text (``None`` when blank)."""
        if name not in self.cells:
            return None
        return str(convert(Kind.ID, self.cells[name][0]))


@dataclass
class WorkbookReader:
    """The state of one read: the data built so far, where it came from, what is wrong."""

    wb: Workbook
    limits: InputLimits = DEFAULT_LIMITS
    data: Data = field(default_factory=dict)
    where: CellMap = field(default_factory=CellMap)
    issues: list[Issue] = field(default_factory=list)
    skill_columns: dict[int, str] = field(default_factory=dict)

    def problem(self, place: str, message: str) -> None:
        """Record a problem of the workbook itself."""
        self.issues.append(Issue(place, message))

    # ------------------------------------------------------------------ rows

    def rows(self, sheet: Sheet, *, extra_columns: bool = False) -> Iterator[RowCells]:
        """The non-blank data rows of ``sheet`` (nothing when the sheet is absent)."""
        if sheet.name not in self.wb.sheetnames:
            if sheet.name in layout.REQUIRED_SHEETS:
                self.problem(sheet.name, f"the workbook has no '{sheet.name}' sheet")
            return
        ws = self.wb[sheet.name]
        names: dict[int, str] = {}
        known = {c.name for c in sheet.columns}
        for row_number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if row_number == HEADER_ROW:
                names = self._header(sheet, values, known, extra_columns)
                continue
            if row_number < FIRST_DATA_ROW or all(is_blank(v) for v in values):
                continue
            cells = {
                names[k]: (value, k + 1)
                for k, value in enumerate(values)
                if k in names and not is_blank(value)
            }
            yield RowCells(sheet.name, row_number, cells)

    def _header(
        self, sheet: Sheet, values: tuple[Any, ...], known: set[str], extra_columns: bool
    ) -> dict[int, str]:
        names: dict[int, str] = {}
        for k, value in enumerate(values):
            if is_blank(value):
                continue
            name = str(convert(Kind.ID, value))
            if name in names.values():
                self.problem(cell_name(sheet.name, HEADER_ROW, k + 1), f"column '{name}' appears twice")
            elif name in known and not (extra_columns and name.startswith(layout.SKILL_PREFIX)):
                names[k] = name
            elif extra_columns:
                self.skill_columns[k + 1] = name.removeprefix(layout.SKILL_PREFIX)
                names[k] = name
            else:
                self.problem(
                    cell_name(sheet.name, HEADER_ROW, k + 1),
                    f"unknown column '{name[:40]}' (columns: {', '.join(c.name for c in sheet.columns)})",
                )
        return names

    def record(self, row: RowCells, path: str, out: Data, sheet: Sheet, skip: tuple[str, ...] = ()) -> None:
        """Put the row's plain columns into ``out`` and remember their cells under ``path``."""
        self.where.put(path, row.place())
        for column in sheet.columns:
            if column.name in skip or column.name not in row.cells:
                continue
            value = row.cells[column.name][0]
            target = f"{path}.{column.name}"
            if column.kind == Kind.AMOUNTS:
                amounts, wrong = read_amounts(value)
                if wrong is not None:
                    self.problem(row.place(column.name), wrong)
                out[column.name] = amounts
                for key in amounts:
                    self.where.put(f"{target}.{key}", row.place(column.name))
            else:
                out[column.name] = convert(column.kind, value)
                if column.kind == Kind.IDS:
                    for k in range(len(out[column.name])):
                        self.where.put(f"{target}[{k}]", row.place(column.name))
            self.where.put(target, row.place(column.name))

    # ------------------------------------------------------------------ sheets

    def settings(self) -> None:
        calendar: Data = {}
        objective: Data = {}
        seen: dict[str, str] = {}
        holidays: list[Any] = []
        for row in self.rows(layout.SETTINGS):
            key = (row.text("setting") or "").lower()
            if not key:
                self.problem(row.place(), "a value without a setting name")
                continue
            if key != "holiday" and key in seen:
                self.problem(row.place("setting"), f"setting '{key[:40]}' also on {seen[key]}")
                continue
            seen[key] = row.place("setting")
            value = row.cells.get("value", (None, 0))[0]
            place = cell_name(row.sheet, row.row, 2)
            if key == "name":
                self.data["name"] = convert(Kind.TEXT, value) if value is not None else None
                self.where.put("name", place)
            elif key in ("start", "end"):
                if value is not None:
                    calendar[key] = convert(Kind.DATE, value)
                self.where.put(f"calendar.{key}", place)
            elif key == "workdays":
                if value is not None:
                    calendar["workdays"] = [d.lower() for d in convert(Kind.WORKDAYS, value)]
                self.where.put("calendar.workdays", place)
                for k in range(len(calendar.get("workdays", []))):
                    self.where.put(f"calendar.workdays[{k}]", place)
            elif key == "holiday":
                if value is not None:
                    self.where.put(f"calendar.holidays[{len(holidays)}]", place)
                    holidays.append(convert(Kind.DATE, value))
            elif key in layout.OBJECTIVE_SETTINGS:
                if value is not None:
                    objective[key] = convert(Kind.NUMBER, value)
                self.where.put(f"objective.{key}", place)
            else:
                known = ", ".join(["name", "start", "end", "workdays", "holiday", *layout.OBJECTIVE_SETTINGS])
                self.problem(row.place("setting"), f"unknown setting '{key[:40]}' ({known})")
        for key in ("start", "end"):
            if key not in calendar and "Settings" in self.wb.sheetnames:
                place = self.where.places.get(f"calendar.{key}", "Settings")
                self.problem(place, f"give '{key}', the {layout.SETTING_NOTES[key]} (YYYY-MM-DD)")
        calendar["holidays"] = holidays
        self.data["calendar"] = calendar
        self.where.put("calendar", "Settings")
        if objective:
            self.data["objective"] = objective

    def skills_and_pools(self) -> None:
        for sheet, key in ((layout.SKILLS, "skills"), (layout.POOLS, "pools")):
            items: list[Data] = []
            for row in self.rows(sheet):
                item: Data = {}
                self.record(row, f"{key}[{len(items)}]", item, sheet)
                items.append(item)
            self.data[key] = items

    def people(self) -> dict[str, Data]:
        people: list[Data] = []
        by_id: dict[str, Data] = {}
        sheet = layout.PEOPLE
        for row in self.rows(sheet, extra_columns=True):
            at = f"people[{len(people)}]"
            person: Data = {"skills": {}}
            self.record(row, at, person, sheet)
            for name, (value, column) in row.cells.items():
                skill = self.skill_columns.get(column)
                if skill is None:
                    continue
                person["skills"][skill] = convert(Kind.INT, value)
                self.where.put(f"{at}.skills.{skill}", row.place(name))
            people.append(person)
            if isinstance(person.get("id"), str):
                by_id.setdefault(person["id"], person)
                person["__path"] = at
        for row in self.rows(layout.ABSENCES):
            pid = row.text("person")
            owner = by_id.get(pid or "")
            if owner is None:
                self.problem(
                    row.place("person"), f"unknown person '{(pid or '')[:40]}' (not on the People sheet)"
                )
                continue
            absence: Data = {}
            self.record(
                row,
                f"{owner['__path']}.absences[{len(owner.setdefault('absences', []))}]",
                absence,
                layout.ABSENCES,
                skip=("person",),
            )
            owner["absences"].append(absence)
        for person in people:
            person.pop("__path", None)
        self.data["people"] = people
        return by_id

    def projects(self) -> None:
        projects: list[Data] = []
        by_id: dict[str, tuple[str, Data]] = {}
        for row in self.rows(layout.PROJECTS):
            at = f"projects[{len(projects)}]"
            project: Data = {"tasks": []}
            self.record(row, at, project, layout.PROJECTS)
            projects.append(project)
            if isinstance(project.get("id"), str):
                by_id.setdefault(project["id"], (at, project))
        self.data["projects"] = projects
        for row in self.rows(layout.BUDGETS):
            owner = self._project(row, by_id)
            budget = row.text("budget")
            if owner is None or budget is None:
                if owner is not None:
                    self.problem(row.place(), "a budget row needs a budget id")
                continue
            at, project = owner
            project.setdefault("budgets", {})[budget] = convert(
                Kind.INT, row.cells.get("limit", (None, 0))[0]
            )
            self.where.put(f"{at}.budgets.{budget}", row.place("limit"))
        tasks = self._tasks(by_id)
        modes = self._modes(tasks)
        self._requirements(tasks, modes)
        self._dependencies(tasks)

    def _project(self, row: RowCells, by_id: dict[str, tuple[str, Data]]) -> tuple[str, Data] | None:
        pid = row.text("project")
        owner = by_id.get(pid or "")
        if owner is None:
            what = f"unknown project '{pid[:40]}' (not on the Projects sheet)" if pid else "no project given"
            self.problem(row.place("project"), what)
        return owner

    def _tasks(self, projects: dict[str, tuple[str, Data]]) -> dict[tuple[str, str], tuple[str, Data]]:
        tasks: dict[tuple[str, str], tuple[str, Data]] = {}
        for row in self.rows(layout.TASKS):
            owner = self._project(row, projects)
            if owner is None:
                continue
            at_project, project = owner
            at = f"{at_project}.tasks[{len(project['tasks'])}]"
            task: Data = {}
            self.record(row, at, task, layout.TASKS, skip=("project", "crew_min", "crew_max"))
            crew = {
                key: convert(Kind.INT, row.cells[name][0])
                for key, name in (("min", "crew_min"), ("max", "crew_max"))
                if name in row.cells
            }
            if crew:
                task["crew"] = crew
                for key, name in (("min", "crew_min"), ("max", "crew_max")):
                    self.where.put(f"{at}.crew.{key}", row.place(name))
                self.where.put(f"{at}.crew", row.place("crew_min" if "crew_min" in row.cells else "crew_max"))
            project["tasks"].append(task)
            if isinstance(task.get("id"), str):
                tasks.setdefault((project["id"], task["id"]), (at, task))
        return tasks

    def _task(self, row: RowCells, tasks: dict[tuple[str, str], tuple[str, Data]]) -> tuple[str, Data] | None:
        pid, tid = row.text("project"), row.text("task")
        owner = tasks.get((pid or "", tid or ""))
        if owner is None:
            what = (
                f"unknown task '{(tid or '')[:40]}' of project '{(pid or '')[:40]}' (not on the Tasks sheet)"
                if pid and tid
                else "give the project and the task"
            )
            self.problem(row.place("task" if pid else "project"), what)
        return owner

    def _modes(self, tasks: dict[tuple[str, str], tuple[str, Data]]) -> dict[tuple[str, str, int], str]:
        found: dict[tuple[str, str], list[tuple[int, RowCells]]] = {}
        for row in self.rows(layout.MODES):
            if self._task(row, tasks) is None:
                continue
            number = convert(Kind.INT, row.cells.get("mode", (None, 0))[0])
            if not isinstance(number, int) or number < 0:
                self.problem(row.place("mode"), "give the mode number: 0, 1, 2, …")
                continue
            found.setdefault((row.text("project") or "", row.text("task") or ""), []).append((number, row))
        paths: dict[tuple[str, str, int], str] = {}
        for key, entries in found.items():
            at, task = tasks[key]
            entries.sort(key=lambda e: e[0])
            task["modes"] = []
            for position, (number, row) in enumerate(entries):
                if number != position:
                    self.problem(
                        row.place("mode"),
                        f"mode {number}: the modes of a task are numbered 0, 1, 2, … (expected {position})",
                    )
                    continue
                mode: Data = {}
                path = f"{at}.modes[{position}]"
                self.record(row, path, mode, layout.MODES, skip=("project", "task", "mode"))
                task["modes"].append(mode)
                paths[(*key, number)] = path
        return paths

    def _requirements(
        self, tasks: dict[tuple[str, str], tuple[str, Data]], modes: dict[tuple[str, str, int], str]
    ) -> None:
        for row in self.rows(layout.REQUIREMENTS):
            owner = self._task(row, tasks)
            if owner is None:
                continue
            at, task = owner
            holder = task
            if "mode" in row.cells:
                number = convert(Kind.INT, row.cells["mode"][0])
                key = (row.text("project") or "", row.text("task") or "", number)
                path = modes.get(key) if isinstance(number, int) else None
                if path is None:
                    self.problem(
                        row.place("mode"), f"mode {str(number)[:20]} is not on the Modes sheet for this task"
                    )
                    continue
                holder = task["modes"][int(number)]
                at = path
            requirements = holder.setdefault("requirements", [])
            requirement: Data = {}
            self.record(
                row,
                f"{at}.requirements[{len(requirements)}]",
                requirement,
                layout.REQUIREMENTS,
                skip=("project", "task", "mode"),
            )
            requirements.append(requirement)

    def _dependencies(self, tasks: dict[tuple[str, str], tuple[str, Data]]) -> None:
        for row in self.rows(layout.DEPENDENCIES):
            owner = self._task(row, tasks)
            if owner is None:
                continue
            at, task = owner
            dependencies = task.setdefault("dependencies", [])
            dependency: Data = {}
            self.record(
                row,
                f"{at}.dependencies[{len(dependencies)}]",
                dependency,
                layout.DEPENDENCIES,
                skip=("project", "task"),
            )
            if "predecessor" in dependency:
                dependency["task"] = dependency.pop("predecessor")
                place = self.where.places.get(f"{at}.dependencies[{len(dependencies)}].predecessor")
                if place is not None:
                    self.where.put(f"{at}.dependencies[{len(dependencies)}].task", place)
            dependencies.append(dependency)

    def read(self) -> Data:
        """The portfolio data of the whole workbook (problems collected in :attr:`issues`)."""
        self.settings()
        self.skills_and_pools()
        self.people()
        self.projects()
        return self.data


def open_workbook(data: bytes) -> Workbook:
    """The workbook in ``data`` (read-only, cached formula values).

    Raises
    ------
    InvalidInput
        ``data`` is not an ``.xlsx`` workbook.
    """
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InvalidInput([Issue("", f"not an Excel (.xlsx) workbook: {str(exc)[:200]}")]) from None


def workbook_data(data: bytes) -> tuple[Data, CellMap, list[Issue]]:
    """The portfolio data read from a workbook, where each path came from, and the
    workbook's own problems (the loader has not run yet)."""
    wb = open_workbook(data)
    try:
        reader = WorkbookReader(wb)
        return reader.read(), reader.where, reader.issues
    finally:
        wb.close()


def read_portfolio_xlsx(data: bytes, limits: InputLimits = DEFAULT_LIMITS) -> Portfolio:
    """The portfolio of a workbook written in the layout of :mod:`api.interchange.workbook_layout`.

    Parameters
    ----------
    data
        The ``.xlsx`` file's bytes.
    limits
        Input limits, as for a JSON portfolio.

    Raises
    ------
    InvalidInput
        Every problem at once, each named by its cell (``Tasks!D12``) or row (``Tasks row 12``).
    """
    if len(data) > limits.max_file_bytes:
        raise InvalidInput([Issue("", f"larger than the input limit of {limits.max_file_bytes:,} bytes")])
    portfolio_data, where, issues = workbook_data(data)
    try:
        portfolio = parse_portfolio(portfolio_data, limits)
    except InvalidInput as exc:
        taken = {i.path for i in issues}
        issues += [i for i in where.issues(exc.issues) if i.path not in taken]
        raise InvalidInput(capped(issues, limits)) from None
    if issues:
        raise InvalidInput(capped(issues, limits))
    return portfolio
