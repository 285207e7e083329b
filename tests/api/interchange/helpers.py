"""Shared pieces of the interchange tests: plans to export, LibreOffice, what a workbook cannot hold."""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
from icalendar import Calendar

from api.interchange.ical import calendar_file_name
from model.plan import Plan
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import DATA, small_portfolio

INTERCHANGE_DATA = DATA / "interchange"
HAND_MADE = INTERCHANGE_DATA / "hand_made.xml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NO_SOFFICE = (
    "LibreOffice (soffice) is not installed: the real-spreadsheet check of the workbooks did not run "
    "(.ci/run installs libreoffice-calc-nogui)"
)


def edit_workbook(data: bytes, edits: dict[str, Any]) -> bytes:
    """The workbook with cells changed: ``{"Tasks!D4": value}``."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for where, value in edits.items():
        sheet, cell = where.split("!")
        wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def levelled_plan(portfolio: Portfolio) -> Plan:
    """The levelling plan of a portfolio (fast, deterministic)."""
    return solve(portfolio, SolverSettings(optimise=False, time_limit=5))


@cache
def small_plan() -> Plan:
    """A levelling plan of examples/small.json."""
    return levelled_plan(small_portfolio())


def workbook_safe(data: dict[str, Any]) -> dict[str, Any]:
    """A generated portfolio without what a workbook cannot hold (see docs/interchange.md):
    control characters in names, and empty names (read back as no name)."""
    out = copy.deepcopy(data)

    def clean(item: dict[str, Any]) -> None:
        name = item.get("name")
        if isinstance(name, str):
            kept = "".join(c for c in name if c in "\t\n\r" or ord(c) >= 0x20)
            item["name"] = kept if kept.strip() else None

    clean(out)
    for key in ("skills", "people", "pools", "projects"):
        for item in out.get(key, []):
            clean(item)
            for task in item.get("tasks", []):
                clean(task)
    return out


def soffice_convert(source: Path, target_filter: str, folder: Path) -> list[Path]:
    """Convert ``source`` with headless LibreOffice; the files it wrote."""
    assert SOFFICE is not None
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target_filter,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(p for p in folder.iterdir() if p.is_file())


def assert_calendars_match(portfolio: Portfolio, plan: Plan, files: dict[str, bytes]) -> None:
    """Each person's calendar in ``files`` has one all-day event per assignment of theirs, with its
    days and their allocation, and nothing else."""
    for person in portfolio.people:
        cal = Calendar.from_ical(files[calendar_file_name(person.id)])
        events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
        mine = [a for a in plan.assignments if any(p.id == person.id for p in a.people)]
        assert set(events) == {f"{a.project}/{a.task}/{person.id}@pmo-planner" for a in mine}
        for a in mine:
            event = events[f"{a.project}/{a.task}/{person.id}@pmo-planner"]
            assert event.decoded("dtstart") == a.start
            assert event.decoded("dtend") == a.finish + dt.timedelta(days=1)  # all-day: the day after
            allocation = next(p.allocation for p in a.people if p.id == person.id)
            assert f"{allocation} % of the day" in str(event["description"])
        shown = " ".join((person.name or person.id).split())  # line breaks become spaces there
        assert shown in str(cal["x-wr-calname"])
